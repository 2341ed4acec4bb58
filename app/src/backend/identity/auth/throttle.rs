//! Failed sign-in attempts, counted in PostgreSQL so the limits hold across instances.

use std::net::IpAddr;

use chrono::{DateTime, Duration, Utc};
use sqlx::PgConnection;

use crate::backend::audit::tallies;
use crate::domain::identity::throttle::{Limit, PER_ACCOUNT, PER_ADDRESS, WINDOW_SECS};
use crate::domain::{Actor, AuditAction, Email};
use crate::error::AppError;

/// What a sign-in attempt is throttled by.
#[derive(Debug, Clone)]
pub struct ThrottleKeys {
    account: Option<String>,
    address: Option<String>,
    source: Option<IpAddr>,
}

impl ThrottleKeys {
    /// A password attempt: counted per account and per client address.
    pub fn new(email: &Email, source: Option<IpAddr>) -> Self {
        Self {
            account: Some(format!("account:{email}")),
            ..Self::address(source)
        }
    }

    /// Counted per client address only (second factors have their own count per account, see
    /// `lock`). IPv6 addresses count per /64: one host easily has a whole /64.
    pub fn address(source: Option<IpAddr>) -> Self {
        Self {
            account: None,
            address: source.map(|ip| format!("address:{}", address_key(ip))),
            source,
        }
    }

    fn with_limits(&self) -> impl Iterator<Item = (&str, Limit)> {
        let account = self.account.as_deref().map(|key| (key, PER_ACCOUNT));
        let address = self.address.as_deref().map(|key| (key, PER_ADDRESS));
        account.into_iter().chain(address)
    }
}

/// The throttled unit of an address: itself for IPv4, its /64 network for IPv6.
pub fn address_key(ip: IpAddr) -> String {
    match ip {
        IpAddr::V4(v4) => v4.to_string(),
        IpAddr::V6(v6) => {
            let s = v6.segments();
            format!("{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
        }
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

/// Refuses (429) while any of `keys` is throttled. Each refusal is counted in the audit tallies
/// (one event per actor, source and minute), so a flood of attempts cannot flood the log.
pub async fn refuse_if_throttled(
    conn: &mut PgConnection,
    keys: &ThrottleKeys,
    actor: &Actor,
    target: &str,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    if wait_secs(conn, keys, now).await? == 0 {
        return Ok(());
    }
    tallies::count(
        conn,
        AuditAction::SignInThrottled,
        actor,
        keys.source,
        target,
        now,
    )
    .await?;
    Err(AppError::RateLimited)
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
    // Second-factor failures (`factor:` keys) count for longer; `lock` forgets those.
    sqlx::query!(
        "DELETE FROM auth_failures WHERE failed_at < $1 AND throttle_key NOT LIKE 'factor:%'",
        now - Duration::seconds(WINDOW_SECS)
    )
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// A right password wipes the account's password failures (not the address's: others share
/// it; nor its second-factor failures: only a right second factor clears those).
pub async fn clear_account(conn: &mut PgConnection, keys: &ThrottleKeys) -> Result<(), AppError> {
    if let Some(account) = &keys.account {
        sqlx::query!("DELETE FROM auth_failures WHERE throttle_key = $1", account)
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ipv6_addresses_count_per_64_and_ipv4_per_address() {
        let a: IpAddr = "2001:db8:1:2:aaaa::1".parse().expect("ip");
        let b: IpAddr = "2001:db8:1:2:bbbb::9".parse().expect("ip");
        let other: IpAddr = "2001:db8:1:3::1".parse().expect("ip");
        assert_eq!(address_key(a), "2001:db8:1:2::/64");
        assert_eq!(address_key(a), address_key(b));
        assert_ne!(address_key(a), address_key(other));
        let v4: IpAddr = "192.0.2.7".parse().expect("ip");
        assert_eq!(address_key(v4), "192.0.2.7");
    }
}
