use chrono::{DateTime, Utc};
use leptos::prelude::*;

use super::When;

/// One entry of a record's timeline: who did what, when, and what they wrote.
pub struct TimelineItem {
    pub actor: String,
    pub what: String,
    pub at: DateTime<Utc>,
    pub body: String,
}

/// A record's timeline (a request's, an incident's), oldest first.
#[component]
pub fn Timeline(entries: Vec<TimelineItem>) -> impl IntoView {
    view! {
        <ol class="history" data-testid="timeline">
            {entries
                .into_iter()
                .map(|entry| {
                    view! {
                        <li class="history__entry">
                            <p class="history__meta">
                                <strong>{entry.actor}</strong>
                                " "
                                {entry.what}
                                " · "
                                <When at=entry.at />
                            </p>
                            {(!entry.body.is_empty())
                                .then(|| view! { <p class="prose">{entry.body}</p> })}
                        </li>
                    }
                })
                .collect_view()}
        </ol>
    }
}
