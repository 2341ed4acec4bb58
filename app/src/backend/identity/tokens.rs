//! Personal API tokens: `agp_` followed by 256 random bits in base64url. Only their SHA-256 is
//! stored; the token itself is shown once.

use chrono::{DateTime, Duration, Utc};
use sqlx::{PgConnection, PgPool};
use uuid::Uuid;

use crate::backend::audit::{self, NewEvent};
use crate::backend::identity::users::Principal;
use crate::backend::platform::secrets::{digest, random_token};
use crate::domain::{Actor, AuditAction, Email, TokenScope};
use crate::error::AppError;

const PREFIX: &str = "agp_";

/// A token just created: the only moment its text exists outside the holder's hands.
pub struct CreatedToken {
    pub api_token_id: Uuid,
    pub token: String,
}

impl std::fmt::Debug for CreatedToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "CreatedToken({})", self.api_token_id)
    }
}

pub fn parse_name(name: &str) -> Result<&str, AppError> {
    let name = name.trim();
    match name.chars().count() {
        0 => Err(AppError::invalid("name", "must not be empty")),
        1..=100 if !name.chars().any(char::is_control) => Ok(name),
        1..=100 => Err(AppError::invalid(
            "name",
            "must not contain control characters",
        )),
        _ => Err(AppError::invalid("name", "must be at most 100 characters")),
    }
}

/// Creates a token for the active account `email`, living `days` days with `scope`, audited in
/// the same transaction.
#[tracing::instrument(skip_all)]
pub async fn create(
    pool: &PgPool,
    actor: Actor,
    email: &Email,
    name: &str,
    scope: TokenScope,
    days: u16,
    now: DateTime<Utc>,
) -> Result<CreatedToken, AppError> {
    let name = parse_name(name)?;
    let token = random_token(PREFIX);
    let expires_at = now + Duration::days(i64::from(days));

    let mut tx = pool.begin().await?;
    let user_id = sqlx::query_scalar!(
        "SELECT user_id FROM users WHERE email = $1 AND disabled_at IS NULL",
        email.as_str()
    )
    .fetch_optional(&mut *tx)
    .await?
    .ok_or_else(|| AppError::invalid("email", "no active account has this address"))?;
    let api_token_id = sqlx::query_scalar!(
        "INSERT INTO api_tokens (user_id, name, token_hash, created_at, scope, expires_at)
         VALUES ($1, $2, $3, $4, $5, $6)
         RETURNING api_token_id",
        user_id,
        name,
        &digest(&token)[..],
        now,
        scope.as_str(),
        expires_at
    )
    .fetch_one(&mut *tx)
    .await?;
    let event = NewEvent::new(actor, AuditAction::TokenCreated)
        .target(format!("user:{email}"))
        .after(serde_json::json!({
            "token_id": api_token_id,
            "name": name,
            "scope": scope,
            "expires_at": expires_at.to_rfc3339(),
        }));
    audit::append(&mut tx, event, now).await?;
    tx.commit().await?;
    Ok(CreatedToken {
        api_token_id,
        token,
    })
}

/// Revokes every live token of `user_id` (a password change, a second-factor reset, a disabled
/// account), in the caller's transaction. Enabling the account again revives none of them.
pub async fn revoke_all(
    conn: &mut PgConnection,
    actor: Actor,
    user_id: Uuid,
    why: &str,
    now: DateTime<Utc>,
) -> Result<usize, AppError> {
    let revoked = sqlx::query_scalar!(
        "UPDATE api_tokens SET revoked_at = $2 WHERE user_id = $1 AND revoked_at IS NULL
         RETURNING api_token_id",
        user_id,
        now
    )
    .fetch_all(&mut *conn)
    .await?;
    if !revoked.is_empty() {
        let event = NewEvent::new(actor, AuditAction::TokenRevoked)
            .target(format!("user-id:{user_id}"))
            .after(serde_json::json!({ "token_ids": revoked, "why": why }));
        audit::append(conn, event, now).await?;
    }
    Ok(revoked.len())
}

/// How often a token's last use is written: to the minute, so busy scripts do not turn every
/// read into a write on one row (a lock every request would queue on).
const LAST_USED_RESOLUTION: chrono::Duration = chrono::Duration::seconds(60);

/// What a valid bearer token stands for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bearer {
    pub principal: Principal,
    pub scope: TokenScope,
    pub expires_at: DateTime<Utc>,
}

/// The stored digest of a well-formed token; anything else is `Unauthorized` without a lookup.
#[tracing::instrument(skip_all)]
pub fn digest_of(token: &str) -> Result<[u8; 32], AppError> {
    if !token.starts_with(PREFIX) || token.len() > 100 {
        return Err(AppError::Unauthorized);
    }
    Ok(digest(token))
}

/// What the token with digest `hash` stands for, noting when it was used (to the minute).
/// Unknown, expired and revoked tokens and disabled accounts are all simply `Unauthorized`.
pub async fn authenticate(
    conn: &mut PgConnection,
    hash: &[u8; 32],
    now: DateTime<Utc>,
) -> Result<Bearer, AppError> {
    // Token and principal in one statement: every API request that misses the cache starts here.
    let found = sqlx::query!(
        r#"SELECT p.user_id AS "user_id!", p.email AS "email!: Email",
             p.display_name AS "display_name!", p.roles AS "roles!: Vec<String>",
             p.totp_enrolled AS "totp_enrolled!",
             p.totp_required AS "totp_required!", t.last_used_at,
             t.scope AS "scope: TokenScope", t.expires_at AS "expires_at!"
           FROM api_tokens t JOIN principals p ON p.user_id = t.user_id
           WHERE t.token_hash = $1 AND t.revoked_at IS NULL AND t.expires_at > $2"#,
        &hash[..],
        now
    )
    .fetch_optional(&mut *conn)
    .await?
    .ok_or(AppError::Unauthorized)?;
    if found
        .last_used_at
        .is_none_or(|last| now - last >= LAST_USED_RESOLUTION)
    {
        sqlx::query!(
            "UPDATE api_tokens SET last_used_at = $2
             WHERE token_hash = $1 AND (last_used_at IS NULL OR last_used_at < $2)",
            &hash[..],
            now
        )
        .execute(&mut *conn)
        .await?;
    }
    let principal = Principal::new(
        found.user_id,
        found.email,
        found.display_name,
        &found.roles,
        found.totp_enrolled,
        found.totp_required,
    );
    Ok(Bearer {
        principal,
        scope: found.scope,
        expires_at: found.expires_at,
    })
}

/// Revokes one of `owner`'s tokens; revoking twice, or someone else's token, is `NotFound`.
pub async fn revoke(
    pool: &PgPool,
    actor: Actor,
    owner: Uuid,
    api_token_id: Uuid,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    let mut tx = pool.begin().await?;
    let name = sqlx::query_scalar!(
        "UPDATE api_tokens SET revoked_at = $3
         WHERE api_token_id = $1 AND user_id = $2 AND revoked_at IS NULL
         RETURNING name",
        api_token_id,
        owner,
        now
    )
    .fetch_optional(&mut *tx)
    .await?
    .ok_or(AppError::NotFound)?;
    let event = NewEvent::new(actor, AuditAction::TokenRevoked)
        .target(format!("user-id:{owner}"))
        .after(serde_json::json!({ "token_id": api_token_id, "name": name }));
    audit::append(&mut tx, event, now).await?;
    tx.commit().await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_checked() {
        assert_eq!(parse_name("  ci pipeline "), Ok("ci pipeline"));
        for bad in ["", "   ", "a\u{7}b"] {
            let error = parse_name(bad).expect_err(bad);
            assert_eq!(error.field(), Some("name"));
        }
        assert!(parse_name(&"x".repeat(101)).is_err());
    }
}
