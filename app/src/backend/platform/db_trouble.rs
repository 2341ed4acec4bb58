//! When a statement last failed. Pooled connections in steady use are handed out without a ping
//! (a round trip per query otherwise); for a while after any failure — PostgreSQL restarted,
//! connections terminated — every connection is pinged before use, so the dead ones left in the
//! pool are replaced instead of failing the requests that follow the recovery.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

/// Milliseconds since `origin()` at the last failure, plus one (0: none yet).
static LAST: AtomicU64 = AtomicU64::new(0);

fn origin() -> Instant {
    static ORIGIN: OnceLock<Instant> = OnceLock::new();
    *ORIGIN.get_or_init(Instant::now)
}

fn millis(at: Instant) -> u64 {
    u64::try_from(at.saturating_duration_since(origin()).as_millis()).unwrap_or(u64::MAX)
}

/// A statement failed at `at`.
pub fn noticed(at: Instant) {
    LAST.store(millis(at).saturating_add(1), Ordering::Relaxed);
}

/// Whether a statement failed within `window` before `at`.
pub fn within(window: Duration, at: Instant) -> bool {
    match LAST.load(Ordering::Relaxed) {
        0 => false,
        last => {
            millis(at).saturating_sub(last - 1)
                <= u64::try_from(window.as_millis()).unwrap_or(u64::MAX)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_failure_is_recent_for_its_window_only() {
        let start = origin();
        noticed(start + Duration::from_secs(100));
        assert!(within(
            Duration::from_secs(5),
            start + Duration::from_secs(104)
        ));
        assert!(!within(
            Duration::from_secs(5),
            start + Duration::from_secs(106)
        ));
    }
}
