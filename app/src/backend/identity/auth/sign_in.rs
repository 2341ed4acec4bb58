//! Signing in: the password step, then the second factor when one is enrolled. Both are
//! throttled per account and per client address, and every outcome is audited (never the
//! password or the code).

use std::net::IpAddr;

use chrono::{DateTime, Utc};
use sqlx::{PgConnection, PgPool};
use uuid::Uuid;

use super::lock::{self, Attempt};
use super::password;
use super::recovery;
use super::throttle::{self, ThrottleKeys};
use super::totp::{check_and_consume, CodeCheck, SealingKey};
use crate::backend::audit::{self, tallies, NewEvent};
use crate::domain::{Actor, AuditAction, Email, Password, RecoveryCode, TotpCode};
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

    // Attempts on one account take turns, so a burst cannot outrun its throttle: each sees the
    // failures committed before it.
    let mut tx = pool.begin().await?;
    sqlx::query!(
        "SELECT pg_advisory_xact_lock(hashtext('password:' || $1))",
        email.as_str()
    )
    .execute(&mut *tx)
    .await?;
    let target = format!("account:{email}");
    if let Err(refused) =
        throttle::refuse_if_throttled(&mut tx, &keys, &Actor::Anonymous, &target, now).await
    {
        tx.commit().await?;
        return Err(refused);
    }

    let user = sqlx::query!(
        r#"SELECT u.user_id, u.password_hash, u.disabled_at IS NOT NULL AS "disabled!",
             EXISTS (SELECT 1 FROM user_totp t WHERE t.user_id = u.user_id) AS "has_totp!"
           FROM users u WHERE u.email = $1"#,
        email.as_str()
    )
    .fetch_optional(&mut *tx)
    .await?;
    let stored = user
        .as_ref()
        .filter(|u| !u.disabled)
        .and_then(|u| u.password_hash.as_deref());
    let matches = password::verify(&password, stored).await?;

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
            // Counted, not appended one by one: guesses from many addresses cost the log one
            // event per address and minute.
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
            return Err(AppError::InvalidCredentials);
        }
    };
    tx.commit().await?;
    Ok(step)
}

/// A typed second factor: the authenticator's 6 digits, or one of the recovery codes.
#[derive(Debug)]
pub enum Factor {
    Totp(TotpCode),
    Recovery(RecoveryCode),
}

impl Factor {
    pub fn parse(input: &str) -> Result<Self, AppError> {
        let compact: String = input.chars().filter(|c| !c.is_whitespace()).collect();
        if compact.len() <= 7 && compact.bytes().all(|b| b.is_ascii_digit()) {
            return TotpCode::parse(&compact)
                .map(Self::Totp)
                .map_err(|m| AppError::invalid("code", m));
        }
        RecoveryCode::parse(input).map(Self::Recovery).map_err(|_| {
            AppError::invalid(
                "code",
                "enter the 6-digit code from your app, or one of your recovery codes",
            )
        })
    }

    fn name(&self) -> &'static str {
        match self {
            Self::Totp(_) => "totp",
            Self::Recovery(_) => "recovery_code",
        }
    }
}

/// What checking a second factor found; accepted factors are used up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FactorCheck {
    Accepted { step: Option<i64> },
    Wrong,
    Replayed,
}

impl FactorCheck {
    /// The audit action and user-facing error of a refused factor.
    pub fn refusal(self) -> Option<(AuditAction, AppError)> {
        match self {
            Self::Accepted { .. } => None,
            Self::Wrong => Some((
                AuditAction::TotpFailed,
                AppError::invalid("code", "is not the code your app shows now"),
            )),
            Self::Replayed => Some((
                AuditAction::TotpReplayed,
                AppError::invalid(
                    "code",
                    "was already used; wait for the next code and enter that",
                ),
            )),
        }
    }
}

/// Checks `factor` for `user_id` (whose sealed TOTP secret is `sealed`) and uses it up, in the
/// caller's transaction: a TOTP time step or a recovery code is accepted once, ever.
pub async fn consume_factor(
    conn: &mut PgConnection,
    key: &SealingKey,
    user_id: Uuid,
    sealed: &[u8],
    factor: &Factor,
    now: DateTime<Utc>,
) -> Result<FactorCheck, AppError> {
    match factor {
        Factor::Totp(code) => {
            let secret = key.open(sealed, user_id)?;
            Ok(
                match check_and_consume(conn, user_id, &secret, code, now).await? {
                    CodeCheck::Accepted { step } => FactorCheck::Accepted { step: Some(step) },
                    CodeCheck::Wrong => FactorCheck::Wrong,
                    CodeCheck::Replayed { .. } => FactorCheck::Replayed,
                },
            )
        }
        Factor::Recovery(code) => Ok(if recovery::consume(conn, user_id, code, now).await? {
            FactorCheck::Accepted { step: None }
        } else {
            FactorCheck::Wrong
        }),
    }
}

/// Checks the second factor (TOTP or recovery code) of someone whose password step succeeded.
#[tracing::instrument(skip_all, fields(%user_id))]
pub async fn check_second_factor(
    pool: &PgPool,
    key: &SealingKey,
    user_id: Uuid,
    code: &str,
    source: Option<IpAddr>,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    let factor = Factor::parse(code)?;
    let user = sqlx::query!(
        r#"SELECT u.email AS "email: Email", t.secret_sealed FROM users u
           JOIN user_totp t ON t.user_id = u.user_id AND t.confirmed_at IS NOT NULL
           WHERE u.user_id = $1 AND u.disabled_at IS NULL"#,
        user_id
    )
    .fetch_optional(pool)
    .await?
    .ok_or(AppError::InvalidCredentials)?;
    let email = user.email;
    let keys = ThrottleKeys::address(source);
    let mut conn = pool.acquire().await?;
    let actor = user_actor(user_id, &email);
    throttle::refuse_if_throttled(&mut conn, &keys, &actor, &format!("user:{email}"), now).await?;
    lock::ensure_open(&mut conn, user_id, now).await?;
    drop(conn);

    let mut tx = pool.begin().await?;
    lock::hold(&mut tx, user_id, now).await?;
    let check = consume_factor(&mut tx, key, user_id, &user.secret_sealed, &factor, now).await?;
    if let Some((action, error)) = check.refusal() {
        let attempt = Attempt {
            user_id,
            email: &email,
            actor,
            source,
            purpose: "sign_in",
            target: format!("user:{email}"),
        };
        lock::refused(&mut tx, &attempt, action, now).await?;
        tx.commit().await?;
        return Err(error);
    }
    lock::clear(&mut tx, user_id).await?;
    if matches!(factor, Factor::Recovery(_)) {
        let event = NewEvent::new(actor.clone(), AuditAction::RecoveryCodeUsed)
            .target(format!("user:{email}"))
            .source(source);
        audit::append(&mut tx, event, now).await?;
    }
    let event = NewEvent::new(actor, AuditAction::SignedIn)
        .target(format!("user:{email}"))
        .source(source)
        .after(serde_json::json!({ "factors": ["password", factor.name()] }));
    audit::append(&mut tx, event, now).await?;
    tx.commit().await?;
    Ok(())
}

/// Asks a signed-in person to prove it is them again before a sensitive change: their current
/// password and, when they have a second factor and `code` is given, a fresh code (used up) —
/// or, without a password, that code alone. Failures count towards the same throttle and the
/// same second-factor lock as signing in.
#[tracing::instrument(skip_all, fields(%user_id))]
pub async fn reauthenticate(
    pool: &PgPool,
    key: &SealingKey,
    user_id: Uuid,
    password: Option<&str>,
    code: Option<&str>,
    source: Option<IpAddr>,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    let candidate = password
        .map(|password| {
            Password::candidate(password).map_err(|m| AppError::invalid("current_password", m))
        })
        .transpose()?;
    let factor = code.map(Factor::parse).transpose()?;
    let user = sqlx::query!(
        r#"SELECT u.email AS "email: Email", u.password_hash, t.secret_sealed AS "secret_sealed?"
           FROM users u LEFT JOIN user_totp t ON t.user_id = u.user_id AND t.confirmed_at IS NOT NULL
           WHERE u.user_id = $1 AND u.disabled_at IS NULL"#,
        user_id
    )
    .fetch_optional(pool)
    .await?
    .ok_or(AppError::Unauthorized)?;
    let email = user.email;
    let keys = ThrottleKeys::new(&email, source);
    let mut conn = pool.acquire().await?;
    let actor = user_actor(user_id, &email);
    throttle::refuse_if_throttled(&mut conn, &keys, &actor, &format!("user:{email}"), now).await?;
    if factor.is_some() {
        lock::ensure_open(&mut conn, user_id, now).await?;
    }
    drop(conn);
    if candidate.is_none() && (factor.is_none() || user.secret_sealed.is_none()) {
        return Err(AppError::invalid(
            "current_password",
            "enter your password to confirm it is you",
        ));
    }
    let mut tx = pool.begin().await?;
    if factor.is_some() {
        lock::hold(&mut tx, user_id, now).await?;
    }
    let password_wrong = match &candidate {
        Some(candidate) => !password::verify(candidate, user.password_hash.as_deref()).await?,
        None => false,
    };
    if password_wrong {
        throttle::record_failure(&mut tx, &keys, now).await?;
        let event = NewEvent::new(actor, AuditAction::SignInFailed)
            .target(format!("user:{email}"))
            .source(source)
            .after(serde_json::json!({ "purpose": "reauthentication" }));
        audit::append(&mut tx, event, now).await?;
        tx.commit().await?;
        return Err(AppError::invalid(
            "current_password",
            "is not your current password",
        ));
    }
    if let (Some(factor), Some(sealed)) = (&factor, &user.secret_sealed) {
        let check = consume_factor(&mut tx, key, user_id, sealed, factor, now).await?;
        if let Some((action, error)) = check.refusal() {
            let attempt = Attempt {
                user_id,
                email: &email,
                actor,
                source,
                purpose: "reauthentication",
                target: format!("user:{email}"),
            };
            lock::refused(&mut tx, &attempt, action, now).await?;
            tx.commit().await?;
            return Err(error);
        }
        lock::clear(&mut tx, user_id).await?;
    }
    tx.commit().await?;
    Ok(())
}
