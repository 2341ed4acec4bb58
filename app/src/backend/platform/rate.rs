//! Per-account rate limits, counted in PostgreSQL in fixed windows so they hold across
//! instances (the API's a few uses at a time: `Leases`). Exceeding one answers 429 with
//! `Retry-After` (`AppError::SlowDown`).

use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};

use chrono::{DateTime, Utc};
use sqlx::PgConnection;
use uuid::Uuid;

use crate::error::AppError;

/// At most `max` per account in each window of `window_secs`.
#[derive(Debug, Clone, Copy)]
pub struct RateLimit {
    pub name: &'static str,
    pub max: i32,
    pub window_secs: i64,
}

impl RateLimit {
    /// The start (Unix seconds) of the window `now` falls in.
    fn window_start(&self, now: DateTime<Utc>) -> i64 {
        let seconds = now.timestamp();
        seconds - seconds.rem_euclid(self.window_secs)
    }
}

/// Calls of the JSON API with one person's tokens (the default; `--api-calls-per-minute`).
pub const API_CALLS: RateLimit = RateLimit {
    name: "api",
    max: 300,
    window_secs: 60,
};

/// New tool and registry-change requests one person files (browser and API alike).
pub const REQUESTS_FILED: RateLimit = RateLimit {
    name: "requests",
    max: 30,
    window_secs: 3600,
};

/// Incidents one person reports (browser and API alike): enough for a real emergency, not for
/// a flood.
pub const INCIDENTS_REPORTED: RateLimit = RateLimit {
    name: "incidents",
    max: 30,
    window_secs: 3600,
};

/// Comments one person writes on incidents: a busy incident's conversation, not a flood of
/// notifications to its reporter and owner.
pub const INCIDENT_COMMENTS: RateLimit = RateLimit {
    name: "incident_comments",
    max: 120,
    window_secs: 3600,
};

/// Counts one use of `limit` by `account`; `SlowDown` (with the seconds until the window ends)
/// when it is used up.
pub async fn take(
    conn: &mut PgConnection,
    limit: RateLimit,
    account: Uuid,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    reserve(conn, limit, account, 1, now).await.map(|_| ())
}

/// Reserves up to `want` uses of `limit` by `account` in the current window at once; how many
/// were granted (at least one), or `SlowDown` when none is left.
pub async fn reserve(
    conn: &mut PgConnection,
    limit: RateLimit,
    account: Uuid,
    want: i32,
    now: DateTime<Utc>,
) -> Result<i32, AppError> {
    let start = limit.window_start(now);
    let key = format!("{}:{account}", limit.name);
    // Past the limit the count stops growing: refused calls reserve nothing.
    let count = sqlx::query_scalar!(
        "INSERT INTO rate_counts (rate_key, window_start, count) VALUES ($1, to_timestamp($2), $3)
         ON CONFLICT (rate_key, window_start)
         DO UPDATE SET count = LEAST(rate_counts.count + $3, $4 + $3)
         RETURNING count",
        key,
        start as f64,
        want,
        limit.max
    )
    .fetch_one(&mut *conn)
    .await?;
    if count == want {
        // The first use of a window clears this key's earlier ones.
        sqlx::query!(
            "DELETE FROM rate_counts WHERE rate_key = $1 AND window_start < to_timestamp($2)",
            key,
            start as f64
        )
        .execute(&mut *conn)
        .await?;
    }
    let granted = (limit.max - (count - want)).clamp(0, want);
    if granted == 0 {
        return Err(AppError::SlowDown {
            retry_after_secs: start + limit.window_secs - now.timestamp(),
        });
    }
    Ok(granted)
}

/// Uses of one limit reserved from PostgreSQL a few at a time (`lease`), so a busy account's
/// calls do not each write its counter row. The total across instances still never exceeds the
/// limit; an instance may hold up to `lease - 1` unused uses until the window ends, so an
/// account spread over several instances may be refused that many calls early per instance.
pub struct Leases {
    limit: RateLimit,
    lease: i32,
    held: Mutex<HashMap<Uuid, Held>>,
}

struct Held {
    window_start: i64,
    left: i32,
}

impl Leases {
    /// A lease of a fiftieth of the limit (at most 100, at least 1: small limits stay exact).
    pub fn new(limit: RateLimit) -> Self {
        Self {
            limit,
            lease: (limit.max / 50).clamp(1, 100),
            held: Mutex::new(HashMap::new()),
        }
    }

    /// Uses one of the uses this instance holds for `account`; false when it holds none.
    pub fn take_held(&self, account: Uuid, now: DateTime<Utc>) -> bool {
        let window_start = self.limit.window_start(now);
        let mut held = self.held.lock().unwrap_or_else(PoisonError::into_inner);
        match held.get_mut(&account) {
            Some(lease) if lease.window_start == window_start && lease.left > 0 => {
                lease.left -= 1;
                true
            }
            _ => false,
        }
    }

    /// Reserves a lease for `account` and uses one of it; `SlowDown` when none is left.
    pub async fn take(
        &self,
        conn: &mut PgConnection,
        account: Uuid,
        now: DateTime<Utc>,
    ) -> Result<(), AppError> {
        let granted = reserve(conn, self.limit, account, self.lease, now).await?;
        let window_start = self.limit.window_start(now);
        let mut held = self.held.lock().unwrap_or_else(PoisonError::into_inner);
        // Leases of past windows are worthless: drop them while here.
        held.retain(|_, lease| lease.window_start >= window_start);
        match held.get_mut(&account) {
            Some(lease) if lease.window_start == window_start => lease.left += granted - 1,
            // A later window's lease is held already (this request was slow): the rest of this
            // one is dropped, never counted towards the later window.
            Some(_) => {}
            None => {
                held.insert(
                    account,
                    Held {
                        window_start,
                        left: granted - 1,
                    },
                );
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sqlx::PgPool;

    const THREE: RateLimit = RateLimit {
        name: "test",
        max: 3,
        window_secs: 60,
    };

    #[sqlx::test(migrations = "../migrations")]
    async fn a_limit_refuses_past_its_max_until_the_window_ends(pool: PgPool) {
        let mut conn = pool.acquire().await.expect("connection");
        let ada = Uuid::from_u128(1);
        let bob = Uuid::from_u128(2);
        let at = |s: &str| s.parse::<DateTime<Utc>>().expect("time");
        for _ in 0..3 {
            take(&mut conn, THREE, ada, at("2026-12-02T10:00:05Z"))
                .await
                .expect("within");
        }
        assert_eq!(
            take(&mut conn, THREE, ada, at("2026-12-02T10:00:45Z")).await,
            Err(AppError::SlowDown {
                retry_after_secs: 15
            })
        );
        // Per account…
        take(&mut conn, THREE, bob, at("2026-12-02T10:00:45Z"))
            .await
            .expect("bob's own");
        // …and per window.
        take(&mut conn, THREE, ada, at("2026-12-02T10:01:00Z"))
            .await
            .expect("a new window");
        let kept: i64 =
            sqlx::query_scalar("SELECT count(*) FROM rate_counts WHERE rate_key LIKE 'test:%'")
                .fetch_one(&pool)
                .await
                .expect("count");
        assert_eq!(kept, 2, "ada's old window is gone, bob's stays");
    }

    /// Two instances leasing from one database: together they never allow more than the limit,
    /// and refuse at most a lease's worth each early.
    #[sqlx::test(migrations = "../migrations")]
    async fn leases_held_by_two_instances_never_exceed_the_limit(pool: PgPool) {
        const HUNDRED: RateLimit = RateLimit {
            name: "lease-test",
            max: 100,
            window_secs: 60,
        };
        let mut conn = pool.acquire().await.expect("connection");
        let (a, b) = (Leases::new(HUNDRED), Leases::new(HUNDRED));
        assert_eq!(a.lease, 2);
        let ada = Uuid::from_u128(1);
        let now: DateTime<Utc> = "2026-12-02T10:00:05Z".parse().expect("time");
        let mut allowed = 0;
        for call in 0..150 {
            let instance = if call % 3 == 0 { &a } else { &b };
            let ok =
                instance.take_held(ada, now) || instance.take(&mut conn, ada, now).await.is_ok();
            allowed += i32::from(ok);
        }
        assert!((98..=100).contains(&allowed), "{allowed} allowed");
        let stored: i32 = sqlx::query_scalar(
            "SELECT count FROM rate_counts WHERE rate_key = 'lease-test:' || $1::text",
        )
        .bind(ada.to_string())
        .fetch_one(&pool)
        .await
        .expect("count");
        assert!(
            (100..=102).contains(&stored),
            "the database counted {stored}: refused calls reserve nothing"
        );
        // A new window starts afresh.
        let later = now + chrono::Duration::seconds(60);
        assert!(!a.take_held(ada, later));
        a.take(&mut conn, ada, later).await.expect("a new window");
        assert!(a.take_held(ada, later), "the rest of the new lease");
        assert!(!a.take_held(ada, later));
    }
}
