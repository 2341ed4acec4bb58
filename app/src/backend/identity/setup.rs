//! First-run setup: while nobody has an account, whoever holds a setup code printed on the
//! portal's console names the organization and becomes its first admin — a network visitor
//! cannot take an empty portal before its owner. Once anyone exists, setup is closed for good.

use chrono::{DateTime, Utc};
use rand::Rng;
use sha2::{Digest, Sha256};
use sqlx::PgPool;
use uuid::Uuid;

use crate::backend::identity::auth::throttle::{self, ThrottleKeys};

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

/// Letters and digits nobody misreads: 32 of them, 5 bits a character.
const CODE_ALPHABET: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZ23456789";

/// A new one-time setup code for the console of the instance that starts (`XXXX-XXXX-XXXX-XXXX`,
/// 80 bits). Only its SHA-256 is stored; any instance's code opens setup until it is done.
#[tracing::instrument(skip_all)]
pub async fn issue_code(pool: &PgPool, now: DateTime<Utc>) -> Result<String, AppError> {
    let mut rng = rand::rngs::OsRng;
    let characters: String = (0..16)
        .map(|_| char::from(CODE_ALPHABET[rng.gen_range(0..CODE_ALPHABET.len())]))
        .collect();
    sqlx::query!(
        "INSERT INTO setup_codes (code_hash, created_at) VALUES ($1, $2)",
        &code_hash(&characters)[..],
        now
    )
    .execute(pool)
    .await?;
    let groups: Vec<&str> = (0..4).map(|i| &characters[i * 4..i * 4 + 4]).collect();
    Ok(groups.join("-"))
}

/// The code as typed, in any case, with or without dashes and spaces.
fn code_hash(code: &str) -> [u8; 32] {
    let normalized: String = code
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_uppercase())
        .collect();
    Sha256::digest(normalized.as_bytes()).into()
}

/// Creates the organization (or renames one without people) and its first admin, for the
/// holder of a setup code. Two visitors racing: the table lock lets one win; the other gets
/// `Conflict`. Wrong codes count towards the address's sign-in throttle.
#[tracing::instrument(skip_all)]
#[allow(clippy::too_many_arguments)]
pub async fn complete(
    pool: &PgPool,
    setup_code: &str,
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
    let keys = ThrottleKeys::address(source);
    throttle::refuse_if_throttled(
        &mut *pool.acquire().await?,
        &keys,
        &Actor::Anonymous,
        "setup",
        now,
    )
    .await?;
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
    let known = sqlx::query_scalar!(
        r#"SELECT EXISTS (SELECT 1 FROM setup_codes WHERE code_hash = $1) AS "known!""#,
        &code_hash(setup_code)[..]
    )
    .fetch_one(&mut *tx)
    .await?;
    if !known {
        drop(tx);
        throttle::record_failure(&mut *pool.acquire().await?, &keys, now).await?;
        return Err(AppError::invalid(
            "setup_code",
            "is not the setup code the portal printed in its console when it started",
        ));
    }
    sqlx::query!("DELETE FROM setup_codes")
        .execute(&mut *tx)
        .await?;
    sqlx::query!(
        "INSERT INTO organization (organization_id, name, require_totp_for_all, created_at,
                                   updated_at)
         VALUES (1, $1, true, $2, $2)
         ON CONFLICT (organization_id) DO UPDATE
         SET name = EXCLUDED.name, require_totp_for_all = true, updated_at = $2",
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
