//! API tokens and their principals, kept in memory for at most `TTL` so a busy gateway's calls
//! do not each look their token up. Staleness is bounded twice over:
//! - every change that can take access away notifies `portal_auth` when it commits (triggers in
//!   the migration `auth_change_notifications`), and the listener forgets everything at once;
//! - an entry older than `TTL` is not used, should a notification ever be missed;
//! - while the listener is not connected (at start, after a lost connection) nothing is cached.
//!
//! A lookup that began before a notification never stores its (possibly stale) answer: it holds
//! a `Ticket` of the generation it started in, and every notification starts a new one.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use sqlx::postgres::{PgListener, PgPoolOptions};
use sqlx::PgPool;

use super::tokens::Bearer;

/// How long an entry may be used without a notification having cleared it.
pub const TTL: Duration = Duration::from_secs(1);
/// The channel the triggers notify.
pub const CHANNEL: &str = "portal_auth";
/// Tokens kept at most; a fuller cache drops entries past their TTL, then stops adding.
const CAPACITY: usize = 10_000;
/// Pause before connecting again after the listener's connection failed.
const RECONNECT_AFTER: Duration = Duration::from_secs(1);

/// The cache generation a lookup began in, and when: its answer is stored only if no
/// generation ended since, and ages from the moment the lookup began (not from when it ended).
#[derive(Debug, Clone, Copy)]
pub struct Ticket {
    generation: u64,
    at: Instant,
}

pub struct TokenCache {
    ttl: Duration,
    state: Mutex<State>,
}

#[derive(Default)]
struct State {
    listening: bool,
    generation: u64,
    entries: HashMap<[u8; 32], (Bearer, Instant)>,
}

impl TokenCache {
    pub fn new(ttl: Duration) -> Arc<Self> {
        Arc::new(Self {
            ttl,
            state: Mutex::new(State::default()),
        })
    }

    fn state(&self) -> MutexGuard<'_, State> {
        // A panic while holding the lock leaves only a map behind; it is still usable.
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The cached bearer for `hash`, if fresh and not expired at `now`; otherwise the ticket to
    /// store the looked-up answer with.
    pub fn get(&self, hash: &[u8; 32], now: DateTime<Utc>, at: Instant) -> Result<Bearer, Ticket> {
        let state = self.state();
        match state.entries.get(hash) {
            Some((bearer, stored))
                if at.saturating_duration_since(*stored) < self.ttl && bearer.expires_at > now =>
            {
                Ok(bearer.clone())
            }
            _ => Err(Ticket {
                generation: state.generation,
                at,
            }),
        }
    }

    /// Keeps `bearer` for `hash` unless a change was notified since `ticket` was issued, or the
    /// listener is not connected.
    pub fn put(&self, ticket: Ticket, hash: [u8; 32], bearer: Bearer) {
        let mut state = self.state();
        if !state.listening || state.generation != ticket.generation {
            return;
        }
        let at = ticket.at;
        if state.entries.len() >= CAPACITY {
            let ttl = self.ttl;
            state
                .entries
                .retain(|_, (_, stored)| at.saturating_duration_since(*stored) < ttl);
            if state.entries.len() >= CAPACITY {
                return;
            }
        }
        state.entries.insert(hash, (bearer, at));
    }

    /// Forgets everything and ends the current generation.
    pub fn forget_all(&self) {
        let mut state = self.state();
        state.generation += 1;
        state.entries.clear();
    }

    fn set_listening(&self, listening: bool) {
        let mut state = self.state();
        state.listening = listening;
        state.generation += 1;
        state.entries.clear();
    }

    /// Listens for `portal_auth` on a connection of its own (not one of `pool`'s) for as long as
    /// the runtime runs, reconnecting after failures.
    pub fn spawn_listener(self: &Arc<Self>, pool: &PgPool) -> tokio::task::JoinHandle<()> {
        let cache = self.clone();
        let own = PgPoolOptions::new()
            .max_connections(1)
            .connect_lazy_with((*pool.connect_options()).clone());
        tokio::spawn(async move {
            loop {
                cache.listen(&own).await;
                tokio::time::sleep(RECONNECT_AFTER).await;
            }
        })
    }

    /// One connection's life: cache while it lasts, stop caching when it ends.
    async fn listen(&self, pool: &PgPool) {
        let mut listener = match PgListener::connect_with(pool).await {
            Ok(listener) => listener,
            Err(error) => {
                tracing::warn!(%error, "token cache: cannot connect to listen; not caching");
                return;
            }
        };
        if let Err(error) = listener.listen(CHANNEL).await {
            tracing::warn!(%error, "token cache: LISTEN failed; not caching");
            return;
        }
        self.set_listening(true);
        loop {
            match listener.try_recv().await {
                Ok(Some(_)) => self.forget_all(),
                // The connection ended: notifications may have been missed.
                Ok(None) => break,
                Err(error) => {
                    tracing::warn!(%error, "token cache: listening failed");
                    break;
                }
            }
        }
        self.set_listening(false);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::backend::identity::users::Principal;
    use crate::domain::{Email, TokenScope};

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
        let cache = TokenCache::new(ttl);
        cache.set_listening(true);
        cache
    }

    const HASH: [u8; 32] = [1; 32];

    fn now() -> DateTime<Utc> {
        "2026-12-06T10:00:00Z".parse().expect("time")
    }

    /// Looks `HASH` up in an empty `cache` at `at`: the ticket its answer would be kept with.
    fn miss(cache: &TokenCache, at: Instant) -> Ticket {
        cache.get(&HASH, now(), at).expect_err("not cached")
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
            .get(&HASH, now(), at + Duration::from_millis(999))
            .is_ok());
        assert!(cache
            .get(&HASH, now(), at + Duration::from_secs(1))
            .is_err());
        assert!(cache
            .get(&HASH, now() + chrono::Duration::seconds(30), at)
            .is_err());
    }

    #[test]
    fn a_lookup_that_began_before_a_change_is_not_kept() {
        let cache = listening(Duration::from_secs(60));
        let at = Instant::now();
        let ticket = miss(&cache, at);
        cache.forget_all();
        cache.put(ticket, HASH, bearer(now() + chrono::Duration::days(1)));
        assert!(cache.get(&HASH, now(), at).is_err());
    }

    #[test]
    fn nothing_is_kept_while_not_listening() {
        let cache = TokenCache::new(Duration::from_secs(60));
        let at = Instant::now();
        cache.put(
            miss(&cache, at),
            HASH,
            bearer(now() + chrono::Duration::days(1)),
        );
        assert!(cache.get(&HASH, now(), at).is_err());
    }

    /// Through PostgreSQL: a revocation committed elsewhere clears the cache long before a
    /// minute's TTL would.
    #[sqlx::test(migrations = "../migrations")]
    async fn a_committed_revocation_clears_the_cache(pool: PgPool) {
        let cache = TokenCache::new(Duration::from_secs(60));
        let task = cache.spawn_listener(&pool);
        let stored = |cache: &TokenCache| match cache.get(&HASH, now(), Instant::now()) {
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
        while cache.get(&HASH, now(), Instant::now()).is_ok() {
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
