//! People: creating accounts.

use chrono::{DateTime, Utc};
use sqlx::{PgConnection, PgPool};

use crate::backend::audit::{self, NewEvent};
use crate::backend::identity::auth::password;
use crate::domain::{Actor, AuditAction, DisplayName, Email, Password, Role};
use crate::error::{AppError, OnConstraint};

/// The person a request acts for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Principal {
    pub user_id: uuid::Uuid,
    pub email: Email,
    pub display_name: String,
    pub roles: Vec<Role>,
    /// A confirmed second factor is enrolled.
    pub totp_enrolled: bool,
    /// The organization requires a second factor of everyone.
    pub totp_required: bool,
}

impl Principal {
    /// From a row of the `principals` view.
    pub fn new(
        user_id: uuid::Uuid,
        email: Email,
        display_name: String,
        roles: &[String],
        totp_enrolled: bool,
        totp_required: bool,
    ) -> Self {
        Self {
            user_id,
            email,
            display_name,
            roles: Role::from_stored(roles),
            totp_enrolled,
            totp_required,
        }
    }

    /// Whether their roles grant `permission` (the table in `domain::access`). Gates use
    /// `backend::platform::access::authorize`, which also asks for a second factor first;
    /// this answers the finer questions inside a use case (may they see every team?).
    pub fn may(&self, permission: crate::domain::Permission) -> bool {
        crate::domain::permits(&self.roles, permission)
    }

    /// Must set up a second factor before doing anything else.
    pub fn enrollment_owed(&self) -> bool {
        crate::domain::enrollment_owed(&self.roles, self.totp_required, self.totp_enrolled)
    }

    pub fn actor(&self) -> Actor {
        Actor::User {
            user_id: self.user_id.to_string(),
            email: self.email.to_string(),
        }
    }
}

/// The active (not disabled) account `user_id`, with its roles.
pub async fn active_principal(
    pool: &PgPool,
    user_id: uuid::Uuid,
) -> Result<Option<Principal>, AppError> {
    active_principal_in(&mut *pool.acquire().await?, user_id).await
}

/// [`active_principal`] inside the caller's transaction.
pub async fn active_principal_in(
    conn: &mut sqlx::PgConnection,
    user_id: uuid::Uuid,
) -> Result<Option<Principal>, AppError> {
    let row = sqlx::query!(
        r#"SELECT user_id AS "user_id!", email AS "email!: Email", display_name AS "display_name!",
             roles AS "roles!: Vec<String>", totp_enrolled AS "totp_enrolled!",
             totp_required AS "totp_required!"
           FROM principals WHERE user_id = $1"#,
        user_id
    )
    .fetch_optional(&mut *conn)
    .await?;
    Ok(row.map(|row| {
        Principal::new(
            row.user_id,
            row.email,
            row.display_name,
            &row.roles,
            row.totp_enrolled,
            row.totp_required,
        )
    }))
}

/// `roles` as stored: everyone is also an employee; sorted, without repeats.
pub fn with_employee(mut roles: Vec<Role>) -> Vec<Role> {
    roles.push(Role::Employee);
    roles.sort();
    roles.dedup();
    roles
}

/// Names of `roles` as stored and shown in the audit log.
pub fn role_names(roles: &[Role]) -> Vec<String> {
    roles.iter().map(|role| role.as_str().to_owned()).collect()
}

/// Grants `roles` (from [`with_employee`]) to `user_id`, who holds none; returns their names.
pub async fn grant_roles(
    conn: &mut PgConnection,
    user_id: uuid::Uuid,
    roles: &[Role],
    now: DateTime<Utc>,
) -> Result<Vec<String>, AppError> {
    let names = role_names(roles);
    sqlx::query!(
        "INSERT INTO user_roles (user_id, role, granted_at) SELECT $1, unnest($2::text[]), $3",
        user_id,
        &names,
        now
    )
    .execute(&mut *conn)
    .await?;
    Ok(names)
}

/// Input for a new account, already parsed.
#[derive(Debug)]
pub struct NewUser {
    pub email: Email,
    pub display_name: DisplayName,
    pub password: Password,
    pub roles: Vec<Role>,
}

/// Parses the fields of a new account, naming the first field that is wrong.
pub fn parse_new_user(
    email: &str,
    display_name: &str,
    password: &str,
    roles: &[Role],
) -> Result<NewUser, AppError> {
    Ok(NewUser {
        email: Email::parse(email).map_err(|m| AppError::invalid("email", m))?,
        display_name: DisplayName::parse(display_name).map_err(|m| AppError::invalid("name", m))?,
        password: Password::parse(password).map_err(|m| AppError::invalid("password", m))?,
        roles: roles.to_vec(),
    })
}

/// Creates an account with a password and roles (everyone is also an employee), audited in the
/// same transaction. Returns the new user's id.
#[tracing::instrument(skip_all)]
pub async fn create(
    pool: &PgPool,
    actor: Actor,
    user: NewUser,
    now: DateTime<Utc>,
) -> Result<uuid::Uuid, AppError> {
    let mut tx = pool.begin().await?;
    let user_id = insert(&mut tx, actor, user, now).await?;
    tx.commit().await?;
    Ok(user_id)
}

/// [`create`] inside the caller's transaction.
#[tracing::instrument(skip_all)]
pub async fn insert(
    tx: &mut PgConnection,
    actor: Actor,
    user: NewUser,
    now: DateTime<Utc>,
) -> Result<uuid::Uuid, AppError> {
    let password_hash = password::hash(&user.password).await?;
    let roles = with_employee(user.roles);

    let user_id = sqlx::query_scalar!(
        "INSERT INTO users (email, display_name, password_hash, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $4) RETURNING user_id",
        user.email.as_str(),
        user.display_name.as_str(),
        password_hash,
        now
    )
    .fetch_one(&mut *tx)
    .await
    .on_constraint("users_email_key", "email", "is already registered")?;
    let role_names = grant_roles(tx, user_id, &roles, now).await?;
    let event = NewEvent::new(actor, AuditAction::UserCreated)
        .target(format!("user:{}", user.email))
        .after(serde_json::json!({
            "email": user.email.as_str(),
            "name": user.display_name.as_str(),
            "roles": role_names,
        }));
    audit::append(&mut *tx, event, now).await?;
    Ok(user_id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parsing_names_the_wrong_field() {
        let cases = [
            ("not-an-email", "Ada", "a long enough phrase", "email"),
            ("ada@example.com", "  ", "a long enough phrase", "name"),
            ("ada@example.com", "Ada", "short", "password"),
        ];
        for (email, name, password, field) in cases {
            let error = parse_new_user(email, name, password, &[]).expect_err(field);
            assert_eq!(error.field(), Some(field), "{error:?}");
        }
    }

    #[sqlx::test(migrations = "../migrations")]
    async fn creates_an_audited_account_with_roles(pool: PgPool) {
        let user = parse_new_user(
            "Ada@Example.com",
            "Ada Lovelace",
            "analytical engine notes",
            &[Role::Admin],
        )
        .expect("valid");
        let id = create(&pool, Actor::Operator, user, Utc::now())
            .await
            .expect("created");
        let roles: Vec<String> =
            sqlx::query_scalar("SELECT role FROM user_roles WHERE user_id = $1 ORDER BY role")
                .bind(id)
                .fetch_all(&pool)
                .await
                .expect("roles");
        assert_eq!(roles, ["admin", "employee"]);
        let payload: String =
            sqlx::query_scalar("SELECT payload FROM audit_events WHERE action = 'user.created'")
                .fetch_one(&pool)
                .await
                .expect("audited");
        assert!(payload.contains("ada@example.com"));
        assert!(
            !payload.contains("analytical engine"),
            "no password in the audit log"
        );
    }

    #[sqlx::test(migrations = "../migrations")]
    async fn a_second_account_for_one_email_is_refused_whole(pool: PgPool) {
        let make = || {
            parse_new_user("ada@example.com", "Ada", "analytical engine notes", &[]).expect("valid")
        };
        create(&pool, Actor::Operator, make(), Utc::now())
            .await
            .expect("first");
        let error = create(&pool, Actor::Operator, make(), Utc::now())
            .await
            .expect_err("duplicate");
        assert_eq!(error.field(), Some("email"));
        let events: i64 = sqlx::query_scalar("SELECT count(*) FROM audit_events")
            .fetch_one(&pool)
            .await
            .expect("count");
        assert_eq!(events, 1, "the failed attempt left nothing behind");
    }
}
