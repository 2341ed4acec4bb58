use chrono::{DateTime, SecondsFormat, Utc};
use leptos::prelude::*;

use crate::domain::when;

/// A moment as people read it (`2026-11-24 10:00 UTC`), machine-readable in `datetime`.
#[component]
pub fn When(at: DateTime<Utc>) -> impl IntoView {
    view! { <time datetime=at.to_rfc3339_opts(SecondsFormat::Secs, true)>{when::minute(at)}</time> }
}

/// The day of a moment (`2026-11-24`).
#[component]
pub fn OnDay(at: DateTime<Utc>) -> impl IntoView {
    view! { <time datetime=at.to_rfc3339_opts(SecondsFormat::Secs, true)>{when::day(at)}</time> }
}
