//! Who changes something, from where and when; and the calendar days the registry keeps.

use crate::domain::Actor;
use crate::domain::Day;
use crate::error::{AppError, OrInternal};
use chrono::NaiveDate;
use chrono::{DateTime, Utc};
use uuid::Uuid;

pub(crate) fn day(date: NaiveDate) -> Result<Day, AppError> {
    Day::parse(&date.to_string()).or_internal("reading a stored date")
}

/// The day `now` falls on (UTC): what review dates are compared with.
pub fn today(now: chrono::DateTime<chrono::Utc>) -> Result<Day, AppError> {
    day(now.date_naive())
}

/// The calendar date of a [`Day`], for the database.
pub(crate) fn date(day: Day) -> Result<NaiveDate, AppError> {
    NaiveDate::parse_from_str(&day.to_string(), "%Y-%m-%d").or_internal("converting a calendar day")
}

/// Who saves, and when.
pub struct Change {
    pub actor: Actor,
    /// The person saving; `None` for the operator or the portal itself.
    pub by: Option<Uuid>,
    pub source: Option<std::net::IpAddr>,
    pub now: DateTime<Utc>,
    pub today: Day,
}

impl Change {
    /// `principal` changing something from `source` at `now`.
    pub fn by(
        principal: &crate::backend::identity::users::Principal,
        source: Option<std::net::IpAddr>,
        now: DateTime<Utc>,
    ) -> Result<Self, AppError> {
        Ok(Self {
            actor: principal.actor(),
            by: Some(principal.user_id),
            source,
            now,
            today: today(now)?,
        })
    }
}
