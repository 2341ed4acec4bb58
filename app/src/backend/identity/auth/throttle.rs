//! Failed sign-in attempts, counted in PostgreSQL so the limits hold across instances.

use std::net::IpAddr;

use chrono::{DateTime, Duration, Utc};
use sqlx::PgConnection;

use crate::domain::identity::throttle::{Limit, PER_ACCOUNT, PER_ADDRESS, WINDOW_SECS};
use crate::domain::Email;
use crate::error::AppError;

/// What a sign-in attempt is throttled by.
#[derive(Debug, Clone)]
pub struct ThrottleKeys {
    account: String,
    address: Option<String>,
}

impl ThrottleKeys {
    pub fn new(email: &Email, source: Option<IpAddr>) -> Self {
        Self {
            account: format!("account:{email}"),
            address: source.map(|ip| format!("address:{ip}")),
        }
    }

    fn with_limits(&self) -> impl Iterator<Item = (&str, Limit)> {
        std::iter::once((self.account.as_str(), PER_ACCOUNT))
            .chain(self.address.as_deref().map(|key| (key, PER_ADDRESS)))
    }
}

/// Seconds to wait before another attempt is allowed (0: go ahead).
pub async fn wait_secs(
    conn: &mut PgConnection,
    keys: &ThrottleKeys,
    now: DateTime<Utc>,
) -> Result<i64, AppError> {
    let since = now - Duration::seconds(WINDOW_SECS);
    let mut wait = 0;
    for (key, limit) in keys.with_limits() {
        let row = sqlx::query!(
            r#"SELECT count(*) AS "failures!", max(failed_at) AS last
               FROM auth_failures WHERE throttle_key = $1 AND failed_at > $2"#,
            key,
            since
        )
        .fetch_one(&mut *conn)
        .await?;
        let age = row.last.map_or(i64::MAX, |last| (now - last).num_seconds());
        wait = wait.max(limit.wait_secs(row.failures, age));
    }
    Ok(wait)
}

/// Records one failure under every key, forgetting failures older than the window.
pub async fn record_failure(
    conn: &mut PgConnection,
    keys: &ThrottleKeys,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    for (key, _) in keys.with_limits() {
        sqlx::query!(
            "INSERT INTO auth_failures (throttle_key, failed_at) VALUES ($1, $2)",
            key,
            now
        )
        .execute(&mut *conn)
        .await?;
    }
    sqlx::query!(
        "DELETE FROM auth_failures WHERE failed_at < $1",
        now - Duration::seconds(WINDOW_SECS)
    )
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// A successful sign-in wipes the account's failures (not the address's: others share it).
pub async fn clear_account(conn: &mut PgConnection, keys: &ThrottleKeys) -> Result<(), AppError> {
    sqlx::query!(
        "DELETE FROM auth_failures WHERE throttle_key = $1",
        keys.account
    )
    .execute(&mut *conn)
    .await?;
    Ok(())
}
