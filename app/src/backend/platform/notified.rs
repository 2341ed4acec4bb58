//! Caches in memory that a committed change must clear on every instance. Triggers notify a
//! channel when a watched table changes (see the migrations `auth_change_notifications` and
//! `cache_notifications`); one connection per instance listens to every channel and tells
//! the caches that watch it to forget. While that connection is down (at start, after a failure)
//! the caches are told they are not listening, and must not cache: a notification may be missed.

use std::collections::HashMap;
use std::future::Future;
use std::hash::Hash;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use sqlx::postgres::{PgListener, PgPoolOptions};
use sqlx::PgPool;

/// How long a kept answer may be used without a notification having cleared it, unless the
/// instance is configured otherwise (`serve --cache-ttl-ms`).
pub const TTL: Duration = Duration::from_millis(TTL_MS);
/// [`TTL`] in milliseconds.
pub const TTL_MS: u64 = 1000;

/// Pause before connecting again after the listening connection failed.
const RECONNECT_AFTER: Duration = Duration::from_secs(1);

/// A cache cleared by notifications.
pub trait Forget: Send + Sync {
    /// A change to what the cache holds has committed somewhere: drop everything.
    fn forget_all(&self);
    /// Whether notifications are being received; every switch also drops everything.
    fn set_listening(&self, listening: bool);
}

/// The cache generation a lookup began in, and when: its answer is stored only if no
/// generation ended since, and ages from the moment the lookup began (not from when it ended).
#[derive(Debug, Clone, Copy)]
pub struct Ticket {
    generation: u64,
    at: Instant,
}

/// Answers kept for at most `ttl`, forgotten whenever a watched change commits, and not kept at
/// all while notifications are not received. A lookup that began before a notification never
/// stores its (possibly stale) answer: it holds a [`Ticket`] of the generation it started in,
/// and every notification starts a new one.
pub struct Cache<K, V> {
    ttl: Duration,
    capacity: usize,
    state: Mutex<Entries<K, V>>,
    /// Keys being looked up by [`Cache::get_or_load`], each with the line its callers queue in.
    loading: Mutex<HashMap<K, Arc<Line>>>,
}

struct Entries<K, V> {
    listening: bool,
    generation: u64,
    entries: HashMap<K, (V, Instant)>,
}

impl<K, V> std::fmt::Debug for Cache<K, V> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // What is kept may be a principal: its size is enough.
        let state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        f.debug_struct("Cache")
            .field("ttl", &self.ttl)
            .field("listening", &state.listening)
            .field("entries", &state.entries.len())
            .finish()
    }
}

impl<K: Eq + Hash, V: Clone> Cache<K, V> {
    /// Keeps at most `capacity` entries: a fuller cache drops those past their TTL, then stops
    /// adding.
    pub fn new(ttl: Duration, capacity: usize) -> Arc<Self> {
        Arc::new(Self {
            ttl,
            capacity,
            state: Mutex::new(Entries {
                listening: false,
                generation: 0,
                entries: HashMap::new(),
            }),
            loading: Mutex::default(),
        })
    }

    fn state(&self) -> MutexGuard<'_, Entries<K, V>> {
        // A panic while holding the lock leaves only a map behind; it is still usable.
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Whether notifications are being received (and so anything is kept).
    pub fn is_listening(&self) -> bool {
        self.state().listening
    }

    /// The value kept for `key` if it is younger than the TTL at `at` and `usable` (say, not
    /// expired); otherwise the ticket to store the looked-up answer with.
    pub fn get(&self, key: &K, at: Instant, usable: impl Fn(&V) -> bool) -> Result<V, Ticket> {
        let state = self.state();
        match state.entries.get(key) {
            Some((value, stored))
                if at.saturating_duration_since(*stored) < self.ttl && usable(value) =>
            {
                Ok(value.clone())
            }
            _ => Err(Ticket {
                generation: state.generation,
                at,
            }),
        }
    }

    /// Keeps `value` for `key` unless a change was notified since `ticket` was issued, or the
    /// listener is not connected.
    pub fn put(&self, ticket: Ticket, key: K, value: V) {
        let mut state = self.state();
        if !state.listening || state.generation != ticket.generation {
            return;
        }
        let at = ticket.at;
        if state.entries.len() >= self.capacity {
            let ttl = self.ttl;
            state
                .entries
                .retain(|_, (_, stored)| at.saturating_duration_since(*stored) < ttl);
            if state.entries.len() >= self.capacity {
                return;
            }
        }
        state.entries.insert(key, (value, at));
    }
}

impl<K: Eq + Hash + Clone, V: Clone> Cache<K, V> {
    /// The value kept for `key` (as [`Cache::get`]), or else `load`'s answer, kept for the next
    /// callers. Callers that miss the same key at once wait for one load instead of each running
    /// it: when an answer a gateway asks for on every connection expires, one statement runs,
    /// not one per connection. A load that fails is not kept, and lets everyone in line load at
    /// once (as without the line) rather than one after another.
    pub async fn get_or_load<E, F>(
        &self,
        key: K,
        at: Instant,
        usable: impl Fn(&V) -> bool,
        load: impl FnOnce() -> F,
    ) -> Result<V, E>
    where
        F: Future<Output = Result<V, E>>,
    {
        if let Ok(value) = self.get(&key, at, &usable) {
            return Ok(value);
        }
        // Nothing would be kept for the callers in line: waiting would only serialize them.
        if !self.is_listening() {
            return load().await;
        }
        let turn = Turn::take(self, &key);
        let held = turn.line.lock.lock().await;
        // The caller ahead may have kept the answer meanwhile.
        let ticket = match self.get(&key, at, &usable) {
            Ok(value) => return Ok(value),
            Err(ticket) => ticket,
        };
        if turn.line.failed.load(Ordering::Acquire) {
            drop(held);
        }
        match load().await {
            Ok(value) => {
                turn.line.failed.store(false, Ordering::Release);
                self.put(ticket, key, value.clone());
                Ok(value)
            }
            Err(error) => {
                turn.line.failed.store(true, Ordering::Release);
                Err(error)
            }
        }
    }
}

/// The callers waiting for one key's lookup, and whether the last lookup failed.
#[derive(Default)]
struct Line {
    lock: tokio::sync::Mutex<()>,
    failed: AtomicBool,
}

/// A caller's place in line for one key; the last to leave removes the key's entry (also when
/// its future is dropped mid-load).
struct Turn<'c, K: Eq + Hash, V> {
    cache: &'c Cache<K, V>,
    key: K,
    line: Arc<Line>,
}

impl<'c, K: Eq + Hash + Clone, V> Turn<'c, K, V> {
    fn take(cache: &'c Cache<K, V>, key: &K) -> Self {
        let line = cache
            .loading
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .entry(key.clone())
            .or_default()
            .clone();
        Self {
            cache,
            key: key.clone(),
            line,
        }
    }
}

impl<K: Eq + Hash, V> Drop for Turn<'_, K, V> {
    fn drop(&mut self) {
        let mut loading = self
            .cache
            .loading
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        // Lines are cloned and let go only under this lock, so once ours is let go here a count
        // of one means the map's is the last: nobody else is in line.
        drop(std::mem::take(&mut self.line));
        if loading
            .get(&self.key)
            .is_some_and(|line| Arc::strong_count(line) == 1)
        {
            loading.remove(&self.key);
        }
    }
}

impl<K: Eq + Hash + Send, V: Clone + Send> Forget for Cache<K, V> {
    fn forget_all(&self) {
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
}

/// Not a cache: a task waiting for a channel's notifications (the job worker waits for new
/// jobs). A switch of the listening connection wakes it too, since notifications may have been
/// missed.
#[derive(Debug, Default)]
pub struct Wake(tokio::sync::Notify);

impl Wake {
    /// Returns at the next notification (or at once if one came since the last wait).
    pub async fn notified(&self) {
        self.0.notified().await;
    }
}

impl Forget for Wake {
    fn forget_all(&self) {
        self.0.notify_one();
    }

    fn set_listening(&self, _listening: bool) {
        self.0.notify_one();
    }
}

/// The caches to clear, each with the channel it watches.
pub type Watchers = Vec<(&'static str, Arc<dyn Forget>)>;

/// Listens, on a connection of its own (not one of `pool`'s), for every watcher's channel for as
/// long as the runtime runs, reconnecting after failures.
pub fn spawn_listener(pool: &PgPool, watchers: Watchers) -> tokio::task::JoinHandle<()> {
    let own = PgPoolOptions::new()
        .max_connections(1)
        .connect_lazy_with((*pool.connect_options()).clone());
    tokio::spawn(async move {
        loop {
            listen(&own, &watchers).await;
            tokio::time::sleep(RECONNECT_AFTER).await;
        }
    })
}

/// One connection's life: caches cache while it lasts and stop when it ends.
async fn listen(pool: &PgPool, watchers: &Watchers) {
    let mut listener = match PgListener::connect_with(pool).await {
        Ok(listener) => listener,
        Err(error) => {
            tracing::warn!(%error, "cannot connect to listen for changes; not caching");
            return;
        }
    };
    let mut channels: Vec<&str> = watchers.iter().map(|(channel, _)| *channel).collect();
    channels.sort_unstable();
    channels.dedup();
    if let Err(error) = listener.listen_all(channels).await {
        tracing::warn!(%error, "LISTEN failed; not caching");
        return;
    }
    let all = |listening: bool| {
        for (_, cache) in watchers {
            cache.set_listening(listening);
        }
    };
    all(true);
    loop {
        match listener.try_recv().await {
            Ok(Some(notification)) => {
                for (channel, cache) in watchers {
                    if *channel == notification.channel() {
                        cache.forget_all();
                    }
                }
            }
            // The connection ended: notifications may have been missed.
            Ok(None) => break,
            Err(error) => {
                tracing::warn!(%error, "listening for changes failed");
                break;
            }
        }
    }
    all(false);
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    fn runtime() -> tokio::runtime::Runtime {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_time()
            .build()
            .expect("runtime")
    }

    /// What 32 callers asking for key 1 at once saw.
    struct Asked {
        loads: usize,
        most_at_once: usize,
        answers: Vec<Result<u32, ()>>,
    }

    fn ask_together(cache: &Arc<Cache<u8, u32>>, fail: bool) -> Asked {
        let loads = Arc::new(AtomicUsize::new(0));
        let running = Arc::new(AtomicUsize::new(0));
        let most_at_once = Arc::new(AtomicUsize::new(0));
        let answers = runtime().block_on(async {
            let calls = (0..32).map(|_| {
                let (cache, loads) = (cache.clone(), loads.clone());
                let (running, most_at_once) = (running.clone(), most_at_once.clone());
                tokio::spawn(async move {
                    cache
                        .get_or_load(
                            1,
                            Instant::now(),
                            |_| true,
                            || async {
                                loads.fetch_add(1, Ordering::SeqCst);
                                let now = running.fetch_add(1, Ordering::SeqCst) + 1;
                                most_at_once.fetch_max(now, Ordering::SeqCst);
                                tokio::time::sleep(Duration::from_millis(20)).await;
                                running.fetch_sub(1, Ordering::SeqCst);
                                if fail {
                                    Err(())
                                } else {
                                    Ok(42)
                                }
                            },
                        )
                        .await
                })
            });
            let mut answers = Vec::new();
            for call in calls.collect::<Vec<_>>() {
                answers.push(call.await.expect("call"));
            }
            answers
        });
        Asked {
            loads: loads.load(Ordering::SeqCst),
            most_at_once: most_at_once.load(Ordering::SeqCst),
            answers,
        }
    }

    #[test]
    fn callers_missing_together_wait_for_one_load() {
        let cache = Cache::new(Duration::from_secs(60), 10);
        cache.set_listening(true);
        let asked = ask_together(&cache, false);
        assert_eq!(asked.loads, 1);
        assert!(asked.answers.iter().all(|answer| *answer == Ok(42)));
        // Nobody is left in line.
        assert!(cache.loading.lock().expect("lock").is_empty());
    }

    #[test]
    fn a_failed_load_is_not_kept_and_the_rest_of_the_line_loads_at_once() {
        let cache = Cache::new(Duration::from_secs(60), 10);
        cache.set_listening(true);
        let asked = ask_together(&cache, true);
        assert_eq!(asked.loads, 32);
        // After the first failure the rest do not wait for one another.
        assert!(asked.most_at_once > 1);
        assert!(asked.answers.iter().all(Result::is_err));
        assert!(cache.loading.lock().expect("lock").is_empty());
        assert!(cache.get(&1, Instant::now(), |_| true).is_err());
    }

    #[test]
    fn without_notifications_callers_do_not_queue() {
        let cache: Arc<Cache<u8, u32>> = Cache::new(Duration::from_secs(60), 10);
        let asked = ask_together(&cache, false);
        assert_eq!(asked.loads, 32);
        assert!(asked.most_at_once > 1);
        assert!(asked.answers.iter().all(|answer| *answer == Ok(42)));
    }
}
