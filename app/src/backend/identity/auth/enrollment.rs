//! Setting up (and replacing) the authenticator app: a new secret waits in `totp_enrollments`
//! until the person proves their app has it by entering a code; only then does it replace the
//! factor they had (which keeps working until that moment) and new recovery codes are handed out.

use std::net::IpAddr;

use chrono::{DateTime, Utc};
use sqlx::PgPool;

use super::lock::{self, Attempt};
use super::recovery;
use super::throttle::{self, ThrottleKeys};
use super::totp::{check_and_consume, CodeCheck, SealingKey, TotpSecret};
use crate::backend::audit::{self, NewEvent};
use crate::backend::identity::users::Principal;
use crate::backend::notifications;
use crate::domain::{AuditAction, RecoveryCode, TotpCode};
use crate::error::AppError;

/// An enrollment waiting for its first code.
#[derive(Debug, Clone)]
pub struct Pending {
    pub secret_base32: String,
    pub otpauth_url: String,
}

/// Where a person's second factor stands.
#[derive(Debug, Clone)]
pub struct Status {
    pub enrolled: bool,
    pub pending: Option<Pending>,
    pub recovery_codes_left: i64,
}

pub async fn status(
    pool: &PgPool,
    key: &SealingKey,
    principal: &Principal,
) -> Result<Status, AppError> {
    let row = sqlx::query!(
        r#"SELECT EXISTS (SELECT 1 FROM user_totp t WHERE t.user_id = $1) AS "enrolled!",
             (SELECT e.secret_sealed FROM totp_enrollments e WHERE e.user_id = $1) AS pending"#,
        principal.user_id
    )
    .fetch_one(pool)
    .await?;
    let pending = match &row.pending {
        Some(sealed) => {
            let secret = key.open(sealed, principal.user_id)?;
            Some(Pending {
                secret_base32: secret.base32()?,
                otpauth_url: secret.otpauth_url(&principal.email)?,
            })
        }
        None => None,
    };
    Ok(Status {
        enrolled: row.enrolled,
        pending,
        recovery_codes_left: recovery::remaining(pool, principal.user_id).await?,
    })
}

/// Starts a new enrollment (replacing one in progress). The factor and recovery codes the person
/// has keep working until the new one is confirmed. The caller has re-authenticated them.
#[tracing::instrument(skip_all)]
pub async fn begin(
    pool: &PgPool,
    key: &SealingKey,
    principal: &Principal,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    let user_id = principal.user_id;
    let secret = TotpSecret::generate();
    let sealed = key.seal(&secret, user_id)?;
    sqlx::query!(
        "INSERT INTO totp_enrollments (user_id, secret_sealed, created_at) VALUES ($1, $2, $3)
         ON CONFLICT (user_id) DO UPDATE SET secret_sealed = $2, created_at = $3",
        user_id,
        sealed,
        now
    )
    .execute(pool)
    .await?;
    Ok(())
}

/// Abandons the enrollment in progress; the factor the person has stays as it is.
pub async fn cancel(pool: &PgPool, principal: &Principal) -> Result<(), AppError> {
    sqlx::query!(
        "DELETE FROM totp_enrollments WHERE user_id = $1",
        principal.user_id
    )
    .execute(pool)
    .await?;
    Ok(())
}

/// Confirms the pending enrollment with a code from the app (its time step is used up) and
/// returns the person's new recovery codes.
#[tracing::instrument(skip_all)]
pub async fn confirm(
    pool: &PgPool,
    key: &SealingKey,
    principal: &Principal,
    code: &str,
    source: Option<IpAddr>,
    now: DateTime<Utc>,
) -> Result<Vec<RecoveryCode>, AppError> {
    let user_id = principal.user_id;
    let code = TotpCode::parse(code).map_err(|m| AppError::invalid("code", m))?;
    let email = &principal.email;
    let keys = ThrottleKeys::address(source);
    let mut conn = pool.acquire().await?;
    throttle::refuse_if_throttled(
        &mut conn,
        &keys,
        &principal.actor(),
        &format!("user:{email}"),
        now,
    )
    .await?;
    lock::ensure_open(&mut conn, user_id, now).await?;
    drop(conn);
    let mut tx = pool.begin().await?;
    lock::hold(&mut tx, user_id, now).await?;
    let sealed = sqlx::query_scalar!(
        "SELECT secret_sealed FROM totp_enrollments WHERE user_id = $1 FOR UPDATE",
        user_id
    )
    .fetch_optional(&mut *tx)
    .await?
    .ok_or_else(|| AppError::invalid("code", "there is no set-up in progress; start again"))?;
    let secret = key.open(&sealed, user_id)?;
    let refused = match check_and_consume(&mut tx, user_id, &secret, &code, now).await? {
        CodeCheck::Accepted { .. } => None,
        CodeCheck::Wrong => Some((
            AuditAction::TotpFailed,
            AppError::invalid(
                "code",
                "is not the code your app shows now; check the app's clock",
            ),
        )),
        CodeCheck::Replayed { .. } => Some((
            AuditAction::TotpReplayed,
            AppError::invalid(
                "code",
                "was already used; wait for the next code and enter that",
            ),
        )),
    };
    if let Some((action, error)) = refused {
        let attempt = Attempt {
            user_id,
            email,
            actor: principal.actor(),
            source,
            purpose: "enrollment",
            target: format!("user:{email}"),
        };
        lock::refused(&mut tx, &attempt, action, now).await?;
        tx.commit().await?;
        return Err(error);
    }
    // The new secret replaces the old one only now; an admin's "must enroll" is met.
    let replaced = sqlx::query_scalar!(
        r#"WITH moved AS (DELETE FROM totp_enrollments WHERE user_id = $1 RETURNING secret_sealed),
                old AS (SELECT 1 FROM user_totp WHERE user_id = $1)
           INSERT INTO user_totp (user_id, secret_sealed, confirmed_at, created_at)
           SELECT $1, secret_sealed, $2, $2 FROM moved
           ON CONFLICT (user_id) DO UPDATE
           SET secret_sealed = EXCLUDED.secret_sealed, confirmed_at = $2, created_at = $2
           RETURNING EXISTS (SELECT 1 FROM old) AS "replaced!""#,
        user_id,
        now
    )
    .fetch_one(&mut *tx)
    .await?;
    sqlx::query!(
        "UPDATE users SET must_enroll_totp = false WHERE user_id = $1",
        user_id
    )
    .execute(&mut *tx)
    .await?;
    let codes = recovery::regenerate(&mut tx, user_id, now).await?;
    let event = NewEvent::new(principal.actor(), AuditAction::TotpEnrolled)
        .target(format!("user:{email}"))
        .source(source)
        .after(serde_json::json!({ "replaced_previous": replaced }));
    audit::append(&mut tx, event, now).await?;
    lock::clear(&mut tx, user_id).await?;
    tx.commit().await?;
    Ok(codes)
}

/// New recovery codes (the old ones stop working). The caller has re-authenticated the person.
#[tracing::instrument(skip_all)]
pub async fn regenerate_recovery_codes(
    pool: &PgPool,
    principal: &Principal,
    source: Option<IpAddr>,
    now: DateTime<Utc>,
) -> Result<Vec<RecoveryCode>, AppError> {
    let mut tx = pool.begin().await?;
    let enrolled = sqlx::query_scalar!(
        r#"SELECT EXISTS (SELECT 1 FROM user_totp WHERE user_id = $1) AS "enrolled!""#,
        principal.user_id
    )
    .fetch_one(&mut *tx)
    .await?;
    if !enrolled {
        return Err(AppError::Conflict {
            message: "Set up two-factor sign-in first; recovery codes come with it.".into(),
        });
    }
    let codes = recovery::regenerate(&mut tx, principal.user_id, now).await?;
    let event = NewEvent::new(principal.actor(), AuditAction::RecoveryCodesGenerated)
        .target(format!("user:{}", principal.email))
        .source(source);
    audit::append(&mut tx, event, now).await?;
    // Told in the portal: new codes someone else made would be their way in.
    notifications::notify(
        &mut tx,
        crate::domain::notices::NoticeKind::Security,
        &[principal.user_id],
        uuid::Uuid::nil(),
        "New recovery codes were made for your account; the old ones no longer work. Not you? \
         Change your password and tell IT security.",
        "/account",
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(codes)
}
