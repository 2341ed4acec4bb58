//! The second-factor lock. Wrong codes and recovery codes are counted per account on every path
//! that takes one (signing in, deciding, confirming an enrollment, re-authenticating); a right
//! password never clears them, only a right second factor does. Ten within a day lock the
//! second factor — 15 minutes, then 30, … up to a day — and tell the person and the admins.
//! While it is locked, no code is even checked: a right one is refused too.

use std::net::IpAddr;

use chrono::{DateTime, Duration, Utc};
use sqlx::PgConnection;
use uuid::Uuid;

use super::throttle::{self, ThrottleKeys};
use crate::backend::audit::{self, NewEvent};
use crate::backend::notifications;
use crate::domain::identity::throttle::{
    lock_secs, FACTOR_FAILURES_BEFORE_LOCK, FACTOR_WINDOW_SECS,
};
use crate::domain::{when, Actor, AuditAction, Email, Role};
use crate::error::AppError;

fn key(user_id: Uuid) -> String {
    format!("factor:{user_id}")
}

/// `Locked` while the account's second factor is locked.
pub async fn ensure_open(
    conn: &mut PgConnection,
    user_id: Uuid,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    let until = sqlx::query_scalar!(
        "SELECT locked_until FROM second_factor_locks WHERE user_id = $1 AND locked_until > $2",
        user_id,
        now
    )
    .fetch_optional(&mut *conn)
    .await?;
    match until {
        Some(until) => Err(AppError::Locked {
            until: when::minute(until),
        }),
        None => Ok(()),
    }
}

/// Inside the transaction that checks a second factor: waits for any other check of the same
/// person's factor to finish, then refuses while it is locked. Without the wait, a burst of
/// parallel guesses would all pass the lock before the tenth failure was committed.
pub async fn hold(
    conn: &mut PgConnection,
    user_id: Uuid,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    sqlx::query!(
        "SELECT pg_advisory_xact_lock(hashtext('second-factor:' || $1::text))",
        user_id.to_string()
    )
    .execute(&mut *conn)
    .await?;
    ensure_open(conn, user_id, now).await
}

/// Whose second factor was tried, from where, and what for (for the audit event).
pub struct Attempt<'a> {
    pub user_id: Uuid,
    pub email: &'a Email,
    pub actor: Actor,
    pub source: Option<IpAddr>,
    /// `sign_in`, `decision`, `enrollment`, `reauthentication`.
    pub purpose: &'static str,
    /// What the code was for, e.g. `user:ana@example.com` or `request:12`.
    pub target: String,
}

/// A refused second factor, in the caller's transaction: counted against the client address
/// (the sign-in throttle) and the account (the lock), and audited as `action`.
pub async fn refused(
    conn: &mut PgConnection,
    attempt: &Attempt<'_>,
    action: AuditAction,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    throttle::record_failure(conn, &ThrottleKeys::address(attempt.source), now).await?;
    let event = NewEvent::new(attempt.actor.clone(), action)
        .target(attempt.target.clone())
        .source(attempt.source)
        .after(serde_json::json!({ "purpose": attempt.purpose }));
    audit::append(conn, event, now).await?;
    record_failure(conn, attempt.user_id, attempt.email, attempt.source, now).await?;
    Ok(())
}

/// Counts one wrong second factor; the tenth within the window locks the second factor,
/// tells the person and the admins, and is audited. Returns whether it locked.
async fn record_failure(
    conn: &mut PgConnection,
    user_id: Uuid,
    email: &Email,
    source: Option<IpAddr>,
    now: DateTime<Utc>,
) -> Result<bool, AppError> {
    let key = key(user_id);
    sqlx::query!(
        "INSERT INTO auth_failures (throttle_key, failed_at) VALUES ($1, $2)",
        key,
        now
    )
    .execute(&mut *conn)
    .await?;
    let failures = sqlx::query_scalar!(
        r#"SELECT count(*) AS "count!" FROM auth_failures
           WHERE throttle_key = $1 AND failed_at > $2"#,
        key,
        now - Duration::seconds(FACTOR_WINDOW_SECS)
    )
    .fetch_one(&mut *conn)
    .await?;
    sqlx::query!(
        "DELETE FROM auth_failures WHERE throttle_key = $1 AND failed_at <= $2",
        key,
        now - Duration::seconds(FACTOR_WINDOW_SECS)
    )
    .execute(&mut *conn)
    .await?;
    if failures < FACTOR_FAILURES_BEFORE_LOCK {
        return Ok(false);
    }
    let locks = sqlx::query_scalar!(
        "INSERT INTO second_factor_locks (user_id, locked_until, locks) VALUES ($1, $2, 1)
         ON CONFLICT (user_id) DO UPDATE SET locks = second_factor_locks.locks + 1
         RETURNING locks",
        user_id,
        now
    )
    .fetch_one(&mut *conn)
    .await?;
    let until = now + Duration::seconds(lock_secs(locks));
    sqlx::query!(
        "UPDATE second_factor_locks SET locked_until = $2 WHERE user_id = $1",
        user_id,
        until
    )
    .execute(&mut *conn)
    .await?;
    // The count starts again after the lock: the next lock comes after ten more.
    sqlx::query!("DELETE FROM auth_failures WHERE throttle_key = $1", key)
        .execute(&mut *conn)
        .await?;
    let event = NewEvent::new(Actor::System, AuditAction::SecondFactorLocked)
        .target(format!("user:{email}"))
        .source(source)
        .after(serde_json::json!({
            "failures": failures,
            "locks_in_a_row": locks,
            "until": until.to_rfc3339(),
        }));
    audit::append(conn, event, now).await?;
    let shown = when::minute(until);
    notifications::notify(
        conn,
        crate::domain::notices::NoticeKind::Security,
        &[user_id],
        Uuid::nil(),
        &format!(
            "Your two-factor sign-in is locked until {shown} after {failures} wrong codes. \
             If that was not you, change your password and tell your admins."
        ),
        "/account",
        now,
    )
    .await?;
    let admins = notifications::holders(conn, Role::Admin).await?;
    notifications::notify(
        conn,
        crate::domain::notices::NoticeKind::Security,
        &admins,
        user_id,
        &format!("The two-factor sign-in of {email} is locked until {shown} after {failures} wrong codes."),
        "/admin/audit?action=auth.second_factor_locked",
        now,
    )
    .await?;
    Ok(true)
}

/// A right second factor: the count starts again and the next lock is a first one.
pub async fn clear(conn: &mut PgConnection, user_id: Uuid) -> Result<(), AppError> {
    sqlx::query!(
        "DELETE FROM auth_failures WHERE throttle_key = $1",
        key(user_id)
    )
    .execute(&mut *conn)
    .await?;
    sqlx::query!(
        "DELETE FROM second_factor_locks WHERE user_id = $1",
        user_id
    )
    .execute(&mut *conn)
    .await?;
    Ok(())
}
