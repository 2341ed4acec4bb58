//! First-run setup: while nobody has an account, the first visitor names the organization and
//! becomes its first admin. Once anyone exists, setup is closed for good.

use chrono::{DateTime, Utc};
use sqlx::PgPool;
use uuid::Uuid;

use crate::backend::audit::{self, NewEvent};
use crate::backend::identity::users::{self, parse_new_user};
use crate::domain::{Actor, AuditAction, DisplayName, Role};
use crate::error::AppError;

/// Whether setup is still possible (no account exists yet).
pub async fn is_open(pool: &PgPool) -> Result<bool, AppError> {
    Ok(
        sqlx::query_scalar!(r#"SELECT NOT EXISTS (SELECT 1 FROM users) AS "open!""#)
            .fetch_one(pool)
            .await?,
    )
}

/// Creates the organization (or renames one without people) and its first admin. Two visitors
/// racing: the table lock lets one win; the other gets `Conflict`.
#[tracing::instrument(skip_all)]
pub async fn complete(
    pool: &PgPool,
    organization: &str,
    name: &str,
    email: &str,
    password: &str,
    source: Option<std::net::IpAddr>,
    now: DateTime<Utc>,
) -> Result<Uuid, AppError> {
    let organization =
        DisplayName::parse(organization).map_err(|m| AppError::invalid("organization", m))?;
    let user = parse_new_user(email, name, password, &[Role::Admin])?;
    let mut tx = pool.begin().await?;
    sqlx::query!("LOCK TABLE users IN SHARE ROW EXCLUSIVE MODE")
        .execute(&mut *tx)
        .await?;
    let taken = sqlx::query_scalar!(r#"SELECT EXISTS (SELECT 1 FROM users) AS "taken!""#)
        .fetch_one(&mut *tx)
        .await?;
    if taken {
        return Err(AppError::Conflict {
            message: "This portal is already set up. Sign in instead.".into(),
        });
    }
    sqlx::query!(
        "INSERT INTO organization (organization_id, name, created_at, updated_at)
         VALUES (1, $1, $2, $2)
         ON CONFLICT (organization_id) DO UPDATE SET name = EXCLUDED.name, updated_at = $2",
        organization.as_str(),
        now
    )
    .execute(&mut *tx)
    .await?;
    let email = user.email.clone();
    let user_id = users::insert(&mut tx, Actor::Anonymous, user, now).await?;
    let actor = Actor::User {
        user_id: user_id.to_string(),
        email: email.to_string(),
    };
    let event = NewEvent::new(actor, AuditAction::SetupCompleted)
        .target("organization")
        .source(source)
        .after(serde_json::json!({ "organization": organization.as_str() }));
    audit::append(&mut tx, event, now).await?;
    tx.commit().await?;
    Ok(user_id)
}
