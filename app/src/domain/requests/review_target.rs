//! The organization's review target: how many working days (Monday to Friday) a submitted request
//! may wait for a decision before it is late.

use chrono::{Datelike, NaiveDate, Weekday};

/// The target when the organization has not set one.
pub const DEFAULT_TARGET_DAYS: i32 = 3;

/// The targets an organization may set.
pub const TARGET_RANGE: std::ops::RangeInclusive<i32> = 1..=30;

fn working(day: NaiveDate) -> bool {
    !matches!(day.weekday(), Weekday::Sat | Weekday::Sun)
}

/// Working days after `since` up to and including `today` (0 when `today` is not later).
pub fn working_days_waited(since: NaiveDate, today: NaiveDate) -> i64 {
    let days = (today - since).num_days();
    if days <= 0 {
        return 0;
    }
    let weeks = days / 7;
    let rest = (1..=days % 7)
        .filter_map(|offset| since.checked_add_signed(chrono::TimeDelta::days(weeks * 7 + offset)))
        .filter(|day| working(*day))
        .count();
    weeks * 5 + i64::try_from(rest).unwrap_or(0)
}

/// A request waiting since `since` is late on `today`: it has waited more working days than
/// `target`.
pub fn late(since: NaiveDate, today: NaiveDate, target: i32) -> bool {
    working_days_waited(since, today) > i64::from(target)
}

/// `today` is the working day on which a request waiting since `since` became late (its
/// reviewers are reminded once, that day).
pub fn became_late(since: NaiveDate, today: NaiveDate, target: i32) -> bool {
    working(today) && working_days_waited(since, today) == i64::from(target) + 1
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(text: &str) -> NaiveDate {
        NaiveDate::parse_from_str(text, "%Y-%m-%d").expect("a date")
    }

    #[test]
    fn weekends_do_not_count() {
        // 2026-12-04 is a Friday.
        assert_eq!(working_days_waited(day("2026-12-04"), day("2026-12-04")), 0);
        assert_eq!(working_days_waited(day("2026-12-04"), day("2026-12-06")), 0);
        assert_eq!(working_days_waited(day("2026-12-04"), day("2026-12-07")), 1);
        assert_eq!(working_days_waited(day("2026-12-04"), day("2026-12-09")), 3);
        assert_eq!(
            working_days_waited(day("2026-12-04"), day("2026-12-18")),
            10
        );
        // Submitted on a Saturday: Monday is the first working day waited.
        assert_eq!(working_days_waited(day("2026-12-05"), day("2026-12-07")), 1);
        assert_eq!(working_days_waited(day("2026-12-09"), day("2026-12-01")), 0);
    }

    #[test]
    fn a_request_is_late_past_its_target_and_becomes_late_once() {
        // Friday's request with a 3-day target: Mon, Tue, Wed are within it; Thursday it is late.
        let since = day("2026-12-04");
        assert!(!late(since, day("2026-12-09"), 3));
        assert!(late(since, day("2026-12-10"), 3));
        let became: Vec<NaiveDate> = (0..30)
            .filter_map(|n| since.checked_add_signed(chrono::TimeDelta::days(n)))
            .filter(|today| became_late(since, *today, 3))
            .collect();
        assert_eq!(became, [day("2026-12-10")]);
    }

    #[test]
    fn counting_agrees_with_walking_day_by_day() {
        let since = day("2026-11-25");
        for n in 0..60 {
            let today = since + chrono::TimeDelta::days(n);
            let walked = (1..=n)
                .map(|k| since + chrono::TimeDelta::days(k))
                .filter(|d| working(*d))
                .count();
            assert_eq!(
                working_days_waited(since, today),
                i64::try_from(walked).expect("small"),
                "{today}"
            );
        }
    }
}
