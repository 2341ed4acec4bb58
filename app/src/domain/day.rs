use std::fmt;

use serde::{Deserialize, Serialize};

/// A calendar day (`YYYY-MM-DD`), for review dates and decisions. Days compare in calendar order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Day {
    year: i32,
    month: u8,
    day: u8,
}

impl Day {
    pub fn parse(input: &str) -> Result<Self, String> {
        let bad = || format!("must be a date like 2027-03-01, not {input:?}");
        let mut parts = input.trim().splitn(3, '-');
        let (Some(y), Some(m), Some(d)) = (parts.next(), parts.next(), parts.next()) else {
            return Err(bad());
        };
        if y.len() != 4 || m.len() != 2 || d.len() != 2 {
            return Err(bad());
        }
        let year: i32 = y.parse().map_err(|_| bad())?;
        let month: u8 = m.parse().map_err(|_| bad())?;
        let day: u8 = d.parse().map_err(|_| bad())?;
        if !(1..=12).contains(&month) || day == 0 || day > days_in_month(year, month) {
            return Err(bad());
        }
        Ok(Self { year, month, day })
    }

    pub fn from_ymd(year: i32, month: u8, day: u8) -> Result<Self, String> {
        Self::parse(&format!("{year:04}-{month:02}-{day:02}"))
    }

    /// The same day `months` later; the last day of the month when that month is shorter
    /// (2028-02-29 plus 12 months is 2029-02-28).
    pub fn plus_months(self, months: u32) -> Self {
        let months = i32::try_from(months).unwrap_or(i32::MAX);
        let index = (self.year * 12 + i32::from(self.month) - 1).saturating_add(months);
        let year = index.div_euclid(12);
        // rem_euclid(12) is 0..=11: the month always fits.
        let month = u8::try_from(index.rem_euclid(12) + 1).unwrap_or(12);
        Self {
            year,
            month,
            day: self.day.min(days_in_month(year, month)),
        }
    }
}

fn days_in_month(year: i32, month: u8) -> u8 {
    match month {
        4 | 6 | 9 | 11 => 30,
        2 if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        2 => 28,
        _ => 31,
    }
}

impl fmt::Display for Day {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

impl TryFrom<String> for Day {
    type Error = String;
    fn try_from(value: String) -> Result<Self, String> {
        Self::parse(&value)
    }
}

impl From<Day> for String {
    fn from(day: Day) -> Self {
        day.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn months_are_added_in_calendar_order_and_clamped_to_the_month() {
        let day = |text: &str| Day::parse(text).expect("day");
        assert_eq!(day("2026-11-25").plus_months(12), day("2027-11-25"));
        assert_eq!(day("2026-11-30").plus_months(3), day("2027-02-28"));
        assert_eq!(day("2028-02-29").plus_months(12), day("2029-02-28"));
        assert_eq!(day("2026-12-31").plus_months(1), day("2027-01-31"));
        assert_eq!(day("2026-01-15").plus_months(0), day("2026-01-15"));
    }

    #[test]
    fn parses_real_days_only() {
        assert_eq!(
            Day::parse("2027-03-01").expect("day").to_string(),
            "2027-03-01"
        );
        assert!(Day::parse("2028-02-29").is_ok(), "leap year");
        for bad in [
            "2027-02-29",
            "1900-02-29",
            "2027-13-01",
            "2027-00-10",
            "2027-04-31",
            "27-03-01",
            "2027/03/01",
            "",
            "2027-03-1",
        ] {
            assert!(Day::parse(bad).is_err(), "{bad}");
        }
        assert!(Day::parse("2000-02-29").is_ok());
    }

    #[test]
    fn days_compare_in_calendar_order() {
        let a = Day::parse("2026-12-31").expect("day");
        let b = Day::parse("2027-01-01").expect("day");
        assert!(a < b);
        assert_eq!(Day::from_ymd(2027, 1, 1), Ok(b));
    }
}
