//! How long someone must wait after failed sign-in attempts. Pure arithmetic; the counts come
//! from PostgreSQL so that the limits hold across every instance.

/// Failures older than this are forgotten, so a victim is never locked out for long.
pub const WINDOW_SECS: i64 = 15 * 60;
/// The longest wait ever imposed.
pub const MAX_DELAY_SECS: i64 = 15 * 60;

/// A limit on one kind of key (an account, or a client address).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limit {
    /// Failures allowed within the window before delays start.
    pub free_failures: i64,
}

/// Per account: a person mistyping a few times never waits.
pub const PER_ACCOUNT: Limit = Limit { free_failures: 5 };
/// Per client address: offices share addresses, so the allowance is larger.
pub const PER_ADDRESS: Limit = Limit { free_failures: 20 };

/// Wrong second factors (codes or recovery codes, on any path) an account may collect within
/// [`FACTOR_WINDOW_SECS`] before its second factor locks. A right password never clears them;
/// only a right second factor does.
pub const FACTOR_FAILURES_BEFORE_LOCK: i64 = 10;
/// How far back wrong second factors count.
pub const FACTOR_WINDOW_SECS: i64 = 24 * 60 * 60;
/// Codes one pending sign-in may try before the password step starts again.
pub const CODES_PER_PASSWORD: u8 = 5;
/// The first lock; each further lock doubles it, up to [`MAX_LOCK_SECS`].
pub const FIRST_LOCK_SECS: i64 = 15 * 60;
pub const MAX_LOCK_SECS: i64 = 24 * 60 * 60;

/// How long the `nth` lock in a row lasts (the first is `nth = 1`): 15 min, 30 min, 1 h, …
/// capped at a day.
pub fn lock_secs(nth: i32) -> i64 {
    let doublings = u32::try_from(nth.saturating_sub(1)).unwrap_or(0);
    FIRST_LOCK_SECS
        .checked_mul(1i64.checked_shl(doublings).unwrap_or(i64::MAX))
        .unwrap_or(MAX_LOCK_SECS)
        .min(MAX_LOCK_SECS)
}

impl Limit {
    /// The delay after `failures` recent failures: none within the allowance, then 1 s, 2 s, 4 s…
    /// doubling up to [`MAX_DELAY_SECS`].
    pub fn delay_secs(self, failures: i64) -> i64 {
        let over = failures - self.free_failures;
        if over <= 0 {
            return 0;
        }
        1i64.checked_shl(u32::try_from(over - 1).unwrap_or(u32::MAX))
            .unwrap_or(MAX_DELAY_SECS)
            .min(MAX_DELAY_SECS)
    }

    /// Seconds still to wait, given the recent failures and the age of the latest one.
    pub fn wait_secs(self, failures: i64, secs_since_last_failure: i64) -> i64 {
        (self.delay_secs(failures) - secs_since_last_failure).max(0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_delay_within_the_allowance() {
        for failures in 0..=5 {
            assert_eq!(PER_ACCOUNT.delay_secs(failures), 0);
        }
        assert_eq!(PER_ADDRESS.delay_secs(20), 0);
    }

    #[test]
    fn delays_double_and_are_capped() {
        let delays: Vec<i64> = (6..=12).map(|n| PER_ACCOUNT.delay_secs(n)).collect();
        assert_eq!(delays, [1, 2, 4, 8, 16, 32, 64]);
        assert_eq!(PER_ACCOUNT.delay_secs(15), 512);
        assert_eq!(PER_ACCOUNT.delay_secs(16), MAX_DELAY_SECS);
        assert_eq!(PER_ACCOUNT.delay_secs(10_000), MAX_DELAY_SECS);
        assert_eq!(PER_ADDRESS.delay_secs(21), 1);
    }

    #[test]
    fn second_factor_locks_double_and_are_capped_at_a_day() {
        let minutes: Vec<i64> = (1..=7).map(|n| lock_secs(n) / 60).collect();
        assert_eq!(minutes, [15, 30, 60, 120, 240, 480, 960]);
        assert_eq!(lock_secs(8), MAX_LOCK_SECS);
        assert_eq!(lock_secs(1000), MAX_LOCK_SECS);
        assert_eq!(lock_secs(0), FIRST_LOCK_SECS);
    }

    #[test]
    fn the_wait_shrinks_as_time_passes() {
        assert_eq!(PER_ACCOUNT.wait_secs(8, 0), 4);
        assert_eq!(PER_ACCOUNT.wait_secs(8, 3), 1);
        assert_eq!(PER_ACCOUNT.wait_secs(8, 10), 0);
        assert_eq!(PER_ACCOUNT.wait_secs(3, 0), 0);
    }
}
