use leptos::prelude::*;

use crate::domain::requests::risk::RiskLevel;
use crate::domain::requests::state::RequestState;

/// A request's state as a badge.
#[component]
pub fn RequestStateBadge(state: RequestState) -> impl IntoView {
    let tone = match state {
        RequestState::Draft | RequestState::Withdrawn => "badge badge--neutral",
        RequestState::Submitted | RequestState::InReview => "badge badge--info",
        RequestState::ChangesRequested => "badge badge--warn",
        RequestState::Approved | RequestState::ApprovedWithConditions => "badge badge--ok",
        RequestState::Rejected => "badge badge--danger",
    };
    view! {
        <span class=tone data-state=state.as_str()>
            {state.label()}
        </span>
    }
}

/// A risk level as a badge.
#[component]
pub fn RiskBadge(level: RiskLevel) -> impl IntoView {
    let tone = match level {
        RiskLevel::Low => "badge badge--ok",
        RiskLevel::Medium => "badge badge--warn",
        RiskLevel::High => "badge badge--danger",
    };
    view! {
        <span class=tone data-risk=level.as_str()>
            {format!("{} risk", level.label())}
        </span>
    }
}
