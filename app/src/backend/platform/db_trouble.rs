//! When a statement last failed. Pooled connections in steady use are handed out without a ping
//! (a round trip per query otherwise); for a while after any failure — PostgreSQL restarted,
//! connections terminated — every connection is pinged before use, so the dead ones left in the
//! pool are replaced instead of failing the requests that follow the recovery.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

/// The last failure, as milliseconds since the first `Instant` asked about, plus one (0: none).
pub struct Trouble {
    origin: OnceLock<Instant>,
    last: AtomicU64,
}

/// The process's record: the pool and every statement share one.
static TROUBLE: Trouble = Trouble::new();

impl Trouble {
    const fn new() -> Self {
        Self {
            origin: OnceLock::new(),
            last: AtomicU64::new(0),
        }
    }

    fn millis(&self, at: Instant) -> u64 {
        let origin = *self.origin.get_or_init(|| at);
        u64::try_from(at.saturating_duration_since(origin).as_millis()).unwrap_or(u64::MAX)
    }

    fn noticed(&self, at: Instant) {
        self.last
            .store(self.millis(at).saturating_add(1), Ordering::Relaxed);
    }

    fn within(&self, window: Duration, at: Instant) -> bool {
        let window = u64::try_from(window.as_millis()).unwrap_or(u64::MAX);
        match self.last.load(Ordering::Relaxed) {
            0 => false,
            last => self.millis(at).saturating_sub(last - 1) <= window,
        }
    }
}

/// A statement failed at `at`.
pub fn noticed(at: Instant) {
    TROUBLE.noticed(at);
}

/// Whether a statement failed within `window` before `at`.
pub fn within(window: Duration, at: Instant) -> bool {
    TROUBLE.within(window, at)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_failure_is_recent_for_its_window_only() {
        let trouble = Trouble::new();
        let start = Instant::now();
        assert!(!trouble.within(Duration::from_secs(5), start));
        trouble.noticed(start + Duration::from_secs(100));
        let five = Duration::from_secs(5);
        assert!(trouble.within(five, start + Duration::from_secs(104)));
        assert!(!trouble.within(five, start + Duration::from_secs(106)));
    }
}
