//! From the provider's word to a portal account: found by issuer and subject, linked by a
//! verified e-mail address the first time, or made just in time; then the group mappings give
//! and take the roles and team places they name. A disabled account stays disabled.

use std::net::IpAddr;

use chrono::{DateTime, Utc};
use serde_json::json;
use sqlx::{PgConnection, PgPool};
use uuid::Uuid;

use super::provider::{Identity, Refusal};
use crate::backend::audit::{self, tallies, NewEvent};
use crate::backend::identity::people::keep_an_admin;
use crate::backend::identity::users::{grant_roles, with_employee};
use crate::backend::org::teams::memberships_of;
use crate::domain::{Actor, AuditAction, DisplayName, Email, Role};
use crate::error::{AppError, OrInternal};

/// A person the provider vouched for, as the portal knows them now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SsoAccount {
    pub user_id: Uuid,
    pub email: Email,
    /// A TOTP code must follow before they are signed in.
    pub has_totp: bool,
}

fn refused(message: &str) -> AppError {
    AppError::Conflict {
        message: message.to_owned(),
    }
}

/// The account `identity` signs in to, its roles and teams brought in line with its groups, in
/// one transaction. For an account with an authenticator, nothing is written until its code
/// is right (`code_confirmed`): until then only who it is comes back, so a provider account
/// cannot link itself to, or change the roles of, someone whose second factor it lacks.
/// Refusals (no usable or no verified address, a disabled account) are audited and say why.
#[tracing::instrument(skip_all)]
pub async fn account_for(
    pool: &PgPool,
    identity: &Identity,
    code_confirmed: bool,
    source: Option<IpAddr>,
    now: DateTime<Utc>,
) -> Result<SsoAccount, AppError> {
    let mut tx = pool.begin().await?;
    // Two sign-ins of one person at once must not both make an account.
    sqlx::query!(
        "SELECT pg_advisory_xact_lock(hashtext('sso:' || $1 || ' ' || $2))",
        identity.issuer,
        identity.subject
    )
    .execute(&mut *tx)
    .await?;
    let linked = sqlx::query_scalar!(
        "SELECT user_id FROM sso_identities WHERE issuer = $1 AND subject = $2",
        identity.issuer,
        identity.subject
    )
    .fetch_optional(&mut *tx)
    .await?;
    let found = match linked {
        Some(user_id) => Some(user_id),
        None => match account_to_link(&mut tx, identity).await {
            Ok(found) => found,
            Err(error) => {
                return refuse(tx, identity, None, &error.to_string(), source, now, error).await
            }
        },
    };
    let user_id = match found {
        Some(user_id) => user_id,
        None => create(&mut tx, identity, now).await?,
    };
    let user = sqlx::query!(
        r#"SELECT email, disabled_at IS NOT NULL AS "disabled!",
             EXISTS (SELECT 1 FROM user_totp t WHERE t.user_id = u.user_id) AS "has_totp!"
           FROM users u WHERE user_id = $1 FOR UPDATE"#,
        user_id
    )
    .fetch_one(&mut *tx)
    .await?;
    let email = Email::parse(&user.email).or_internal("reading a stored e-mail address")?;
    if user.disabled {
        let error =
            refused("This account is disabled in the portal. An admin can enable it again.");
        return refuse(
            tx,
            identity,
            Some((user_id, &email)),
            "disabled",
            source,
            now,
            error,
        )
        .await;
    }
    let account = SsoAccount {
        user_id,
        email: email.clone(),
        has_totp: user.has_totp,
    };
    if user.has_totp && !code_confirmed {
        // Nothing written: the code step comes back here with `code_confirmed`.
        tx.rollback().await?;
        return Ok(account);
    }
    let actor = Actor::User {
        user_id: user_id.to_string(),
        email: email.to_string(),
    };
    if linked.is_none() {
        link(&mut tx, identity, user_id, now).await?;
        let event = NewEvent::new(actor.clone(), AuditAction::SsoLinked)
            .target(format!("user:{email}"))
            .source(source)
            .after(json!({ "issuer": identity.issuer, "subject": identity.subject }));
        audit::append(&mut tx, event, now).await?;
    }
    if let Some(groups) = &identity.groups {
        apply_mappings(&mut tx, user_id, &email, groups, now).await?;
    }
    sqlx::query!(
        "UPDATE sso_identities SET last_sign_in_at = $3, groups = $4
         WHERE issuer = $1 AND subject = $2",
        identity.issuer,
        identity.subject,
        now,
        identity.groups.as_deref().unwrap_or_default()
    )
    .execute(&mut *tx)
    .await?;
    // The code step records its own sign-in.
    if !code_confirmed {
        let event = NewEvent::new(actor, AuditAction::SignedIn)
            .target(format!("user:{email}"))
            .source(source)
            .after(json!({ "factors": ["sso"] }));
        audit::append(&mut tx, event, now).await?;
    }
    tx.commit().await?;
    Ok(account)
}

/// Audits a refused sign-in through the provider (`reason`), commits that alone, and returns
/// `error`.
async fn refuse(
    mut tx: sqlx::Transaction<'_, sqlx::Postgres>,
    identity: &Identity,
    user: Option<(Uuid, &Email)>,
    reason: &str,
    source: Option<IpAddr>,
    now: DateTime<Utc>,
    error: AppError,
) -> Result<SsoAccount, AppError> {
    let (actor, target) = match user {
        Some((user_id, email)) => (
            Actor::User {
                user_id: user_id.to_string(),
                email: email.to_string(),
            },
            format!("user:{email}"),
        ),
        None => (Actor::Anonymous, format!("sso:{}", identity.subject)),
    };
    let event = NewEvent::new(actor, AuditAction::SignInFailed)
        .target(target)
        .source(source)
        .after(json!({
            "method": "sso",
            "reason": reason,
            "email": identity.email,
        }));
    audit::append(&mut tx, event, now).await?;
    tx.commit().await?;
    Err(error)
}

/// Counts a sign-in the provider's answer failed (by reason, per client address and minute, as
/// failed passwords are); a failure to count is logged, not shown.
pub async fn refused_at_provider(
    pool: &PgPool,
    refusal: Refusal,
    source: Option<IpAddr>,
    now: DateTime<Utc>,
) {
    let counted = async {
        let mut tx = pool.begin().await?;
        let target = format!("sso:{}", refusal.reason());
        tallies::count(
            &mut tx,
            AuditAction::SignInFailed,
            &Actor::Anonymous,
            source,
            &target,
            now,
        )
        .await?;
        tx.commit().await?;
        Ok::<_, AppError>(())
    };
    if let Err(error) = counted.await {
        tracing::error!(%error, "a refused single sign-on could not be counted");
    }
}

/// The address the provider vouches for: needed, and verified (otherwise anyone able to name
/// an address at the provider would take over an account, or a future one).
fn verified_email(identity: &Identity) -> Result<Email, AppError> {
    let email = identity
        .email
        .as_deref()
        .and_then(|e| Email::parse(e).ok())
        .ok_or_else(|| {
            refused("The identity provider did not give an e-mail address the portal can use.")
        })?;
    if !identity.email_verified {
        return Err(refused(
            "The identity provider has not verified your e-mail address, so the portal cannot \
             tell it is yours. Ask an admin.",
        ));
    }
    Ok(email)
}

/// The existing account with `identity`'s verified address, if there is one.
async fn account_to_link(
    conn: &mut PgConnection,
    identity: &Identity,
) -> Result<Option<Uuid>, AppError> {
    let email = verified_email(identity)?;
    let found = sqlx::query!(
        "SELECT u.user_id,
           EXISTS (SELECT 1 FROM sso_identities i
                   WHERE i.user_id = u.user_id AND i.issuer = $2) AS \"linked!\"
         FROM users u WHERE u.email = $1",
        email.as_str(),
        identity.issuer
    )
    .fetch_optional(&mut *conn)
    .await?;
    match found {
        Some(found) if found.linked => Err(refused(
            "Your account is linked to another identity at this provider. Ask an admin.",
        )),
        found => Ok(found.map(|f| f.user_id)),
    }
}

/// Makes an employee account (no password) for `identity`.
async fn create(
    conn: &mut PgConnection,
    identity: &Identity,
    now: DateTime<Utc>,
) -> Result<Uuid, AppError> {
    let email = verified_email(identity)?;
    let name = identity
        .name
        .as_deref()
        .and_then(|n| DisplayName::parse(n).ok())
        .or_else(|| DisplayName::parse(email.as_str()).ok())
        .ok_or_else(|| refused("The identity provider gave no usable name."))?;
    let user_id = sqlx::query_scalar!(
        "INSERT INTO users (email, display_name, created_at, updated_at)
         VALUES ($1, $2, $3, $3) RETURNING user_id",
        email.as_str(),
        name.as_str(),
        now
    )
    .fetch_one(&mut *conn)
    .await?;
    let roles = grant_roles(conn, user_id, &with_employee(Vec::new()), now).await?;
    let event = NewEvent::new(Actor::System, AuditAction::UserCreated)
        .target(format!("user:{email}"))
        .after(json!({
            "email": email.as_str(),
            "name": name.as_str(),
            "roles": roles,
            "source": "sso",
        }));
    audit::append(&mut *conn, event, now).await?;
    Ok(user_id)
}

async fn link(
    conn: &mut PgConnection,
    identity: &Identity,
    user_id: Uuid,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    sqlx::query!(
        "INSERT INTO sso_identities (issuer, subject, user_id, linked_at, last_sign_in_at)
         VALUES ($1, $2, $3, $4, $4)",
        identity.issuer,
        identity.subject,
        user_id,
        now
    )
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Gives `user_id` exactly the mapped roles and team places their `groups` call for, among
/// those some mapping names; audited as the portal's change, with the groups.
async fn apply_mappings(
    conn: &mut PgConnection,
    user_id: Uuid,
    email: &Email,
    groups: &[String],
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    let roles = sqlx::query!(
        r#"SELECT m.role AS "role!", bool_or(m.group_name = ANY($2)) AS "granted!",
             EXISTS (SELECT 1 FROM user_roles r WHERE r.user_id = $1 AND r.role = m.role) AS "held!"
           FROM sso_group_mappings m WHERE m.role IS NOT NULL GROUP BY m.role"#,
        user_id,
        groups
    )
    .fetch_all(&mut *conn)
    .await?;
    let before: Vec<String> = sqlx::query_scalar!(
        "SELECT role FROM user_roles WHERE user_id = $1 ORDER BY role",
        user_id
    )
    .fetch_all(&mut *conn)
    .await?;
    for role in &roles {
        Role::parse(&role.role).or_internal("reading a mapped role")?;
        if role.granted && !role.held {
            sqlx::query!(
                "INSERT INTO user_roles (user_id, role, granted_at) VALUES ($1, $2, $3)",
                user_id,
                role.role,
                now
            )
            .execute(&mut *conn)
            .await?;
        } else if !role.granted && role.held {
            sqlx::query!(
                "DELETE FROM user_roles WHERE user_id = $1 AND role = $2",
                user_id,
                role.role
            )
            .execute(&mut *conn)
            .await?;
            if role.role == Role::Admin.as_str() && keep_an_admin(conn, "groups").await.is_err() {
                // The organization's last active admin keeps the role: nobody could give it back.
                tracing::warn!(%email, "single sign-on would take the last admin's role: kept");
                sqlx::query!(
                    "INSERT INTO user_roles (user_id, role, granted_at) VALUES ($1, 'admin', $2)",
                    user_id,
                    now
                )
                .execute(&mut *conn)
                .await?;
            }
        }
    }
    let after: Vec<String> = sqlx::query_scalar!(
        "SELECT role FROM user_roles WHERE user_id = $1 ORDER BY role",
        user_id
    )
    .fetch_all(&mut *conn)
    .await?;
    if before != after {
        let mut event = NewEvent::new(Actor::System, AuditAction::RolesChanged)
            .target(format!("user:{email}"))
            .after(json!({ "roles": after, "source": "sso", "groups": groups }));
        event.before = Some(json!({ "roles": before }));
        audit::append(&mut *conn, event, now).await?;
    }

    let teams_before = memberships_of(conn, user_id).await?;
    // Per team some mapping names: the place the groups give (a manager's wins), if any.
    let places = sqlx::query!(
        r#"SELECT m.team_id AS "team_id!",
             CASE WHEN bool_or(m.group_name = ANY($1) AND m.membership = 'manager') THEN 'manager'
                  WHEN bool_or(m.group_name = ANY($1)) THEN 'member' END AS membership
           FROM sso_group_mappings m WHERE m.team_id IS NOT NULL GROUP BY m.team_id"#,
        groups
    )
    .fetch_all(&mut *conn)
    .await?;
    for place in places {
        match place.membership {
            Some(membership) => {
                sqlx::query!(
                    "INSERT INTO team_members (team_id, user_id, membership, added_at)
                     VALUES ($1, $2, $3, $4)
                     ON CONFLICT ON CONSTRAINT team_members_pkey
                     DO UPDATE SET membership = EXCLUDED.membership",
                    place.team_id,
                    user_id,
                    membership,
                    now
                )
                .execute(&mut *conn)
                .await?;
            }
            None => {
                sqlx::query!(
                    "DELETE FROM team_members WHERE team_id = $1 AND user_id = $2",
                    place.team_id,
                    user_id
                )
                .execute(&mut *conn)
                .await?;
            }
        }
    }
    let teams_after = memberships_of(conn, user_id).await?;
    if teams_before != teams_after {
        let mut event = NewEvent::new(Actor::System, AuditAction::TeamsChanged)
            .target(format!("user:{email}"))
            .after(json!({ "teams": teams_after, "source": "sso", "groups": groups }));
        event.before = Some(json!({ "teams": teams_before }));
        audit::append(&mut *conn, event, now).await?;
    }
    Ok(())
}

/// Whether `user_id` signs in only through the identity provider (an account it made, without
/// a password).
pub async fn passwordless(pool: &PgPool, user_id: Uuid) -> Result<bool, AppError> {
    Ok(sqlx::query_scalar!(
        r#"SELECT u.password_hash IS NULL
             AND EXISTS (SELECT 1 FROM sso_identities i WHERE i.user_id = u.user_id) AS "yes!"
           FROM users u WHERE u.user_id = $1"#,
        user_id
    )
    .fetch_optional(pool)
    .await?
    .unwrap_or(false))
}
