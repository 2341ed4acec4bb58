//! How times read, everywhere they are shown (pages, CSV exports): one format, always UTC.

use chrono::{DateTime, Utc};

/// `2026-11-24 10:00 UTC`.
pub fn minute(at: DateTime<Utc>) -> String {
    at.format("%Y-%m-%d %H:%M UTC").to_string()
}

/// `2026-11-24`.
pub fn day(at: DateTime<Utc>) -> String {
    at.format("%Y-%m-%d").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn times_read_to_the_minute_in_utc() {
        let at = Utc
            .with_ymd_and_hms(2026, 11, 24, 9, 5, 59)
            .single()
            .expect("a time");
        assert_eq!(minute(at), "2026-11-24 09:05 UTC");
        assert_eq!(day(at), "2026-11-24");
    }
}
