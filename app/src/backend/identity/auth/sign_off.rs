//! Signing a sensitive change off with a fresh code from the authenticator app: a decision, a
//! suspension or prohibition. The code's time step is used up in the change's own transaction,
//! so a refused change leaves the code usable and a replayed code signs nothing.

use std::net::IpAddr;

use chrono::{DateTime, Utc};
use sqlx::{PgConnection, PgPool};

use super::lock::{self, Attempt};
use super::sign_in::{consume_factor, Factor, FactorCheck};
use super::throttle::{self, ThrottleKeys};
use super::totp::SealingKey;
use crate::backend::identity::users::Principal;
use crate::domain::TotpCode;
use crate::error::{AppError, OrInternal};

/// Who signs, from where, and what (for the audit of a refused code).
pub struct Signer<'a> {
    pub principal: &'a Principal,
    pub source: Option<IpAddr>,
    /// `decision`, `suspension`, …
    pub purpose: &'static str,
    /// What is signed, e.g. `request:12` or `tool:cursor`.
    pub target: String,
}

/// Before the change's transaction begins: refused while the address is throttled or the
/// signer's second factor is locked.
pub async fn precheck(
    pool: &PgPool,
    signer: &Signer<'_>,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    let mut conn = pool.acquire().await?;
    let keys = ThrottleKeys::address(signer.source);
    let actor = signer.principal.actor();
    throttle::refuse_if_throttled(&mut conn, &keys, &actor, &signer.target, now).await?;
    lock::ensure_open(&mut conn, signer.principal.user_id, now).await
}

/// Uses `code` up as the signer's second factor inside `tx` and returns its time step. A
/// refused code is counted and audited in a transaction of its own; the caller then returns
/// the error, dropping `tx`. Call it before `tx` appends any audit event (both would wait for
/// the audit chain otherwise).
pub async fn use_code(
    pool: &PgPool,
    tx: &mut PgConnection,
    key: &SealingKey,
    signer: &Signer<'_>,
    code: &TotpCode,
    now: DateTime<Utc>,
) -> Result<i64, AppError> {
    let user_id = signer.principal.user_id;
    lock::hold(tx, user_id, now).await?;
    let sealed = sqlx::query_scalar!(
        "SELECT secret_sealed FROM user_totp WHERE user_id = $1 AND confirmed_at IS NOT NULL",
        user_id
    )
    .fetch_optional(&mut *tx)
    .await?
    .ok_or_else(|| {
        AppError::invalid(
            "code",
            "set up two-factor sign-in first: this is signed with it",
        )
    })?;
    let check = consume_factor(tx, key, user_id, &sealed, &Factor::Totp(code.clone()), now).await?;
    if let FactorCheck::Accepted { step: Some(step) } = check {
        lock::clear(tx, user_id).await?;
        return Ok(step);
    }
    let (action, error) = check.refusal().or_internal("refusing a code")?;
    let attempt = Attempt {
        user_id,
        email: &signer.principal.email,
        actor: signer.principal.actor(),
        source: signer.source,
        purpose: signer.purpose,
        target: signer.target.clone(),
    };
    let mut own = pool.begin().await?;
    lock::refused(&mut own, &attempt, action, now).await?;
    own.commit().await?;
    Err(error)
}
