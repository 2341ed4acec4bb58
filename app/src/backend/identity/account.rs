//! A person's own account: password, sessions and API tokens.

use chrono::{DateTime, Utc};
use sqlx::PgPool;
use uuid::Uuid;

use crate::backend::audit::{self, NewEvent};
use crate::backend::identity::auth::{password, sessions};
use crate::backend::identity::tokens;
use crate::backend::identity::users::Principal;
use crate::domain::{AuditAction, Password, TokenScope};
use crate::error::AppError;
use crate::model::{SessionView, TokenView};

pub async fn sessions(
    pool: &PgPool,
    principal: &Principal,
    current: Option<&str>,
    now: DateTime<Utc>,
) -> Result<Vec<SessionView>, AppError> {
    Ok(sessions::list(pool, principal.user_id, current, now)
        .await?
        .into_iter()
        .map(|row| SessionView {
            handle: row.handle,
            signed_in: row.signed_in_at,
            last_seen: row.last_seen_at,
            device: row.device.unwrap_or_else(|| "Unknown browser".into()),
            current: row.current,
        })
        .collect())
}

/// `user_id`'s live tokens (not revoked, not expired), newest first.
pub async fn tokens(
    pool: &PgPool,
    user_id: Uuid,
    now: DateTime<Utc>,
) -> Result<Vec<TokenView>, AppError> {
    Ok(sqlx::query!(
        r#"SELECT api_token_id, name, scope AS "scope: TokenScope", created_at, expires_at,
             last_used_at
           FROM api_tokens WHERE user_id = $1 AND revoked_at IS NULL AND expires_at > $2
           ORDER BY created_at DESC"#,
        user_id,
        now
    )
    .fetch_all(pool)
    .await?
    .into_iter()
    .map(|row| TokenView {
        id: row.api_token_id.to_string(),
        name: row.name,
        scope: row.scope,
        created: row.created_at,
        expires: row.expires_at,
        last_used: row.last_used_at,
    })
    .collect())
}

/// Sets a new password (the caller has checked the current one) and ends every other session.
#[tracing::instrument(skip_all)]
pub async fn change_password(
    pool: &PgPool,
    principal: &Principal,
    new_password: &str,
    current_session: Option<&str>,
    source: Option<std::net::IpAddr>,
    now: DateTime<Utc>,
) -> Result<u64, AppError> {
    let new_password =
        Password::parse(new_password).map_err(|m| AppError::invalid("new_password", m))?;
    let hash = password::hash(&new_password).await?;
    let mut tx = pool.begin().await?;
    sqlx::query!(
        "UPDATE users SET password_hash = $2, updated_at = $3 WHERE user_id = $1",
        principal.user_id,
        hash,
        now
    )
    .execute(&mut *tx)
    .await?;
    let ended = sessions::end_all(&mut tx, principal.user_id, current_session).await?;
    // Whoever knew the old password may have made tokens with it.
    tokens::revoke_all(
        &mut tx,
        principal.actor(),
        principal.user_id,
        "password changed",
        now,
    )
    .await?;
    let event = NewEvent::new(principal.actor(), AuditAction::PasswordChanged)
        .target(format!("user:{}", principal.email))
        .source(source)
        .after(serde_json::json!({ "other_sessions_ended": ended }));
    audit::append(&mut tx, event, now).await?;
    tx.commit().await?;
    Ok(ended)
}

/// Ends one of the person's sessions, named by its handle.
pub async fn end_session(
    pool: &PgPool,
    principal: &Principal,
    handle: &str,
    source: Option<std::net::IpAddr>,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    if handle.len() != 64 || !handle.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(AppError::NotFound);
    }
    let mut tx = pool.begin().await?;
    sessions::end_one(&mut tx, principal.user_id, handle).await?;
    let event = NewEvent::new(principal.actor(), AuditAction::SessionEnded)
        .target(format!("user:{}", principal.email))
        .source(source);
    audit::append(&mut tx, event, now).await?;
    tx.commit().await?;
    Ok(())
}
