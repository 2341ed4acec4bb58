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

/// An incident's severity as a badge; "Not triaged" before it has one.
#[component]
pub fn SeverityBadge(severity: Option<crate::domain::incidents::Severity>) -> impl IntoView {
    use crate::domain::incidents::Severity;
    let (tone, label) = match severity {
        None => ("badge badge--neutral", "Not triaged".to_owned()),
        Some(s) => (
            match s {
                Severity::Low => "badge badge--ok",
                Severity::Medium => "badge badge--warn",
                Severity::High | Severity::Critical => "badge badge--danger",
            },
            format!("{} severity", s.label()),
        ),
    };
    view! {
        <span class=tone data-severity=severity.map(|s| s.as_str())>
            {label}
        </span>
    }
}

/// An incident's status as a badge.
#[component]
pub fn IncidentStatusBadge(status: crate::domain::incidents::IncidentStatus) -> impl IntoView {
    use crate::domain::incidents::IncidentStatus as S;
    let tone = match status {
        S::Reported => "badge badge--warn",
        S::Triaged | S::Contained => "badge badge--info",
        S::Resolved | S::Closed => "badge badge--ok",
        S::Dismissed => "badge badge--neutral",
    };
    view! {
        <span class=tone data-status=status.as_str()>
            {status.label()}
        </span>
    }
}
