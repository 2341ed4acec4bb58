//! Per-account rate limits, counted in PostgreSQL in fixed windows so they hold across
//! instances. Exceeding one answers 429 with `Retry-After` (`AppError::SlowDown`).

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

/// Counts one use of `limit` by `account`; `SlowDown` (with the seconds until the window ends)
/// when it is used up.
pub async fn take(
    conn: &mut PgConnection,
    limit: RateLimit,
    account: Uuid,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    let seconds = now.timestamp();
    let start = seconds - seconds.rem_euclid(limit.window_secs);
    let key = format!("{}:{account}", limit.name);
    let count = sqlx::query_scalar!(
        "INSERT INTO rate_counts (rate_key, window_start, count) VALUES ($1, to_timestamp($2), 1)
         ON CONFLICT (rate_key, window_start) DO UPDATE SET count = rate_counts.count + 1
         RETURNING count",
        key,
        start as f64
    )
    .fetch_one(&mut *conn)
    .await?;
    if count == 1 {
        // The first use of a window clears this key's earlier ones.
        sqlx::query!(
            "DELETE FROM rate_counts WHERE rate_key = $1 AND window_start < to_timestamp($2)",
            key,
            start as f64
        )
        .execute(&mut *conn)
        .await?;
    }
    if count > limit.max {
        return Err(AppError::SlowDown {
            retry_after_secs: start + limit.window_secs - seconds,
        });
    }
    Ok(())
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
}
