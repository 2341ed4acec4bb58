//! Signing in: the password step, then the second factor when one is enrolled. Both are
//! throttled per account and per client address, and every outcome is audited (never the
//! password or the code).

use std::net::IpAddr;

use chrono::{DateTime, Utc};
use sqlx::PgPool;
use uuid::Uuid;

use super::password;
use super::throttle::{self, ThrottleKeys};
use super::totp::{check_and_consume, CodeCheck, SealingKey};
use crate::backend::audit::{self, NewEvent};
use crate::domain::{Actor, AuditAction, Email, Password, TotpCode};
use crate::error::AppError;

/// Where the password step leaves the person.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PasswordStep {
    /// Fully signed in (no second factor enrolled).
    SignedIn { user_id: Uuid },
    /// The password was right; a TOTP or recovery code must follow.
    SecondFactorRequired { user_id: Uuid },
}

fn user_actor(user_id: Uuid, email: &Email) -> Actor {
    Actor::User {
        user_id: user_id.to_string(),
        email: email.to_string(),
    }
}

async fn audit_alone(pool: &PgPool, event: NewEvent, now: DateTime<Utc>) -> Result<(), AppError> {
    let mut tx = pool.begin().await?;
    audit::append(&mut tx, event, now).await?;
    tx.commit().await?;
    Ok(())
}

/// Checks an email and password. Unknown addresses, wrong passwords and disabled accounts give
/// the same error after the same amount of work.
#[tracing::instrument(skip_all)]
pub async fn check_password(
    pool: &PgPool,
    email: &str,
    password: &str,
    source: Option<IpAddr>,
    now: DateTime<Utc>,
) -> Result<PasswordStep, AppError> {
    let email = Email::parse(email).map_err(|m| AppError::invalid("email", m))?;
    let password = Password::candidate(password).map_err(|m| AppError::invalid("password", m))?;
    let keys = ThrottleKeys::new(&email, source);

    if throttle::wait_secs(&mut *pool.acquire().await?, &keys, now).await? > 0 {
        let event = NewEvent::new(Actor::Anonymous, AuditAction::SignInThrottled)
            .target(format!("account:{email}"))
            .source(source);
        audit_alone(pool, event, now).await?;
        return Err(AppError::RateLimited);
    }

    let user = sqlx::query!(
        r#"SELECT u.user_id, u.password_hash, u.disabled_at IS NOT NULL AS "disabled!",
             EXISTS (SELECT 1 FROM user_totp t
                     WHERE t.user_id = u.user_id AND t.confirmed_at IS NOT NULL) AS "has_totp!"
           FROM users u WHERE u.email = $1"#,
        email.as_str()
    )
    .fetch_optional(pool)
    .await?;
    let stored = user
        .as_ref()
        .filter(|u| !u.disabled)
        .and_then(|u| u.password_hash.as_deref());
    let matches = password::verify(&password, stored).await?;

    let mut tx = pool.begin().await?;
    let step = match user.filter(|_| matches) {
        Some(user) => {
            throttle::clear_account(&mut tx, &keys).await?;
            if user.has_totp {
                PasswordStep::SecondFactorRequired {
                    user_id: user.user_id,
                }
            } else {
                let event = NewEvent::new(user_actor(user.user_id, &email), AuditAction::SignedIn)
                    .target(format!("user:{email}"))
                    .source(source)
                    .after(serde_json::json!({ "factors": ["password"] }));
                audit::append(&mut tx, event, now).await?;
                PasswordStep::SignedIn {
                    user_id: user.user_id,
                }
            }
        }
        None => {
            throttle::record_failure(&mut tx, &keys, now).await?;
            let event = NewEvent::new(Actor::Anonymous, AuditAction::SignInFailed)
                .target(format!("account:{email}"))
                .source(source)
                .after(serde_json::json!({ "factor": "password" }));
            audit::append(&mut tx, event, now).await?;
            tx.commit().await?;
            return Err(AppError::InvalidCredentials);
        }
    };
    tx.commit().await?;
    Ok(step)
}

/// Checks the TOTP code of someone whose password step succeeded, using its time step up.
#[tracing::instrument(skip_all, fields(%user_id))]
pub async fn check_second_factor(
    pool: &PgPool,
    key: &SealingKey,
    user_id: Uuid,
    code: &str,
    source: Option<IpAddr>,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    let code = TotpCode::parse(code).map_err(|m| AppError::invalid("code", m))?;
    let user = sqlx::query!(
        "SELECT u.email, t.secret_sealed FROM users u
         JOIN user_totp t ON t.user_id = u.user_id AND t.confirmed_at IS NOT NULL
         WHERE u.user_id = $1 AND u.disabled_at IS NULL",
        user_id
    )
    .fetch_optional(pool)
    .await?
    .ok_or(AppError::InvalidCredentials)?;
    let email = Email::parse(&user.email).map_err(|_| AppError::Internal)?;
    let keys = ThrottleKeys::new(&email, source);
    if throttle::wait_secs(&mut *pool.acquire().await?, &keys, now).await? > 0 {
        let event = NewEvent::new(user_actor(user_id, &email), AuditAction::SignInThrottled)
            .target(format!("user:{email}"))
            .source(source);
        audit_alone(pool, event, now).await?;
        return Err(AppError::RateLimited);
    }
    let secret = key.open(&user.secret_sealed, user_id)?;

    let mut tx = pool.begin().await?;
    let actor = user_actor(user_id, &email);
    let (action, result) = match check_and_consume(&mut tx, user_id, &secret, &code, now).await? {
        CodeCheck::Accepted { .. } => {
            throttle::clear_account(&mut tx, &keys).await?;
            (AuditAction::SignedIn, Ok(()))
        }
        CodeCheck::Wrong => (
            AuditAction::TotpFailed,
            Err(AppError::invalid(
                "code",
                "is not the code your app shows now",
            )),
        ),
        CodeCheck::Replayed { .. } => (
            AuditAction::TotpReplayed,
            Err(AppError::invalid(
                "code",
                "was already used; wait for the next code and enter that",
            )),
        ),
    };
    if result.is_err() {
        throttle::record_failure(&mut tx, &keys, now).await?;
    }
    let event = NewEvent::new(actor, action)
        .target(format!("user:{email}"))
        .source(source)
        .after(serde_json::json!({ "factors": ["password", "totp"] }));
    audit::append(&mut tx, event, now).await?;
    tx.commit().await?;
    result
}
