//! API tokens and their principals, kept in memory for at most a second (`notified::TTL`) so a
//! busy gateway's calls do not each look their token up. Staleness is bounded twice over:
//! - every change that can take access away notifies `portal_auth` when it commits (triggers in
//!   the migration `auth_change_notifications`), and the listener forgets everything at once;
//! - an entry older than the TTL is not used, should a notification ever be missed;
//! - while the listener (`platform::notified`) is not connected (at start, after a lost
//!   connection) nothing is cached.

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};

use super::tokens::Bearer;
use crate::backend::platform::notified::Cache;

/// The channel the triggers notify.
pub const CHANNEL: &str = "portal_auth";
/// Tokens kept at most; a fuller cache drops entries past their TTL, then stops adding.
const CAPACITY: usize = 10_000;

/// Bearer tokens by the SHA-256 of the token.
pub type TokenCache = Cache<[u8; 32], Bearer>;

/// A new token cache whose entries are used for at most `ttl`.
pub fn new(ttl: Duration) -> Arc<TokenCache> {
    Cache::new(ttl, CAPACITY)
}

/// Whether a kept bearer may still be used at `now`: its token has not expired since.
pub fn unexpired(now: DateTime<Utc>) -> impl Fn(&Bearer) -> bool {
    move |bearer| bearer.expires_at > now
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::backend::identity::users::Principal;
    use crate::backend::platform::notified::{self, Forget, Ticket};
    use crate::domain::{Email, TokenScope};
    use sqlx::PgPool;
    use std::time::Instant;

    fn bearer(expires_at: DateTime<Utc>) -> Bearer {
        Bearer {
            principal: Principal::new(
                uuid::Uuid::from_u128(7),
                Email::parse("ada@example.com").expect("email"),
                "Ada".to_owned(),
                &["employee".to_owned()],
                false,
                false,
            ),
            scope: TokenScope::Read,
            expires_at,
        }
    }

    fn listening(ttl: Duration) -> Arc<TokenCache> {
        let cache = Cache::new(ttl, CAPACITY);
        cache.set_listening(true);
        cache
    }

    const HASH: [u8; 32] = [1; 32];

    fn now() -> DateTime<Utc> {
        "2026-12-06T10:00:00Z".parse().expect("time")
    }

    /// Looks `HASH` up in an empty `cache` at `at`: the ticket its answer would be kept with.
    fn miss(cache: &TokenCache, at: Instant) -> Ticket {
        cache
            .get(&HASH, at, unexpired(now()))
            .expect_err("not cached")
    }

    #[test]
    fn an_entry_is_used_until_its_ttl_or_the_token_expires() {
        let cache = listening(Duration::from_secs(1));
        let at = Instant::now();
        cache.put(
            miss(&cache, at),
            HASH,
            bearer(now() + chrono::Duration::seconds(30)),
        );
        assert!(cache
            .get(&HASH, at + Duration::from_millis(999), unexpired(now()))
            .is_ok());
        assert!(cache
            .get(&HASH, at + Duration::from_secs(1), unexpired(now()))
            .is_err());
        assert!(cache
            .get(&HASH, at, unexpired(now() + chrono::Duration::seconds(30)))
            .is_err());
    }

    #[test]
    fn a_lookup_that_began_before_a_change_is_not_kept() {
        let cache = listening(Duration::from_secs(60));
        let at = Instant::now();
        let ticket = miss(&cache, at);
        cache.forget_all();
        cache.put(ticket, HASH, bearer(now() + chrono::Duration::days(1)));
        assert!(cache.get(&HASH, at, unexpired(now())).is_err());
    }

    #[test]
    fn nothing_is_kept_while_not_listening() {
        let cache = Cache::new(Duration::from_secs(60), CAPACITY);
        let at = Instant::now();
        cache.put(
            miss(&cache, at),
            HASH,
            bearer(now() + chrono::Duration::days(1)),
        );
        assert!(cache.get(&HASH, at, unexpired(now())).is_err());
    }

    /// Through PostgreSQL: a revocation committed elsewhere clears the cache long before a
    /// minute's TTL would.
    #[sqlx::test(migrations = "../migrations")]
    async fn a_committed_revocation_clears_the_cache(pool: PgPool) {
        let cache = Cache::new(Duration::from_secs(60), CAPACITY);
        let task = notified::spawn_listener(&pool, vec![(CHANNEL, cache.clone())]);
        let stored = |cache: &TokenCache| match cache.get(&HASH, Instant::now(), unexpired(now())) {
            Ok(_) => true,
            Err(ticket) => {
                cache.put(ticket, HASH, bearer(now() + chrono::Duration::days(1)));
                false
            }
        };
        let deadline = Instant::now() + Duration::from_secs(10);
        while !{
            stored(&cache);
            stored(&cache)
        } {
            assert!(Instant::now() < deadline, "the listener never connected");
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        // Any statement touching a watched column notifies, even one that changes no row.
        sqlx::query("UPDATE api_tokens SET revoked_at = now() WHERE false")
            .execute(&pool)
            .await
            .expect("update");
        let deadline = Instant::now() + Duration::from_secs(1);
        while cache.get(&HASH, Instant::now(), unexpired(now())).is_ok() {
            assert!(Instant::now() < deadline, "still cached a second later");
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        // Bookkeeping of last use notifies nobody.
        assert!(!stored(&cache));
        sqlx::query("UPDATE api_tokens SET last_used_at = now() WHERE false")
            .execute(&pool)
            .await
            .expect("update");
        tokio::time::sleep(Duration::from_millis(200)).await;
        assert!(stored(&cache), "a last-use update cleared the cache");
        task.abort();
    }
}
