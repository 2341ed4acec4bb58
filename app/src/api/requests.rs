//! Tool requests: drafts, the life-cycle steps, lists and the request page. Which request a
//! person may see or act on is decided per request in `backend::requests`.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::domain::policy::TeamRef;
use crate::error::AppError;

pub use crate::domain::request_state::{Decision, Party, RequestState};

use crate::domain::risk::RiskAssessment;
use crate::domain::{Distribution, ToolCategory};

/// One request as a person allowed to see it reads it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct RequestDetail {
    pub request_id: String,
    pub number: i64,
    pub state: RequestState,
    /// How the reader stands to it: `requester`, `reviewer`, `observer`.
    pub party: Party,
    pub requester: String,
    pub team_slug: String,
    pub team_name: String,
    /// The registry entry it widens, if any.
    pub tool: Option<String>,
    pub tool_name: String,
    pub vendor: String,
    pub category: ToolCategory,
    pub website: String,
    pub use_case: String,
    pub justification: String,
    pub users: i32,
    /// Keys of `ACCESS_KINDS`.
    pub access: Vec<String>,
    pub data_classes: Vec<super::DataClassRef>,
    pub distribution: Distribution,
    pub package_name: String,
    pub pinned_version: String,
    pub checksum: String,
    pub vendor_trains_on_data: bool,
    pub alternatives: String,
    pub assignee: Option<String>,
    /// The reader is the assigned reviewer.
    pub assigned_to_me: bool,
    pub risk: Option<RiskAssessment>,
    pub required_approvals: i16,
    pub created_at: String,
    /// Opened by the portal because an approved tool's supply chain changed.
    pub re_review: bool,
    /// The registry entry its final approval wrote or widened.
    pub granted_tool: Option<String>,
    pub timeline: Vec<TimelineEntry>,
    /// SHA-256 of the request as it stands: what a decision signs.
    pub version: String,
    /// Every sign-off, oldest first.
    pub signoffs: Vec<SignoffView>,
    /// Approvals of this version so far.
    pub approvals: i64,
    /// The reader has signed this version.
    pub signed_by_me: bool,
}

/// One reviewer's signed decision.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct SignoffView {
    pub receipt_id: String,
    pub reviewer: String,
    pub decision: Decision,
    pub decided_at: String,
    pub conditions: String,
    /// Signed on the request as it stands (an earlier version's sign-off no longer counts).
    pub current: bool,
}

/// One step on a request's timeline.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct TimelineEntry {
    pub at: String,
    pub actor: String,
    pub kind: String,
    pub from_state: Option<String>,
    pub to_state: Option<String>,
    pub body: String,
}

/// A request in a list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RequestSummary {
    pub number: i64,
    pub tool_name: String,
    pub team_name: String,
    pub requester: String,
    pub state: RequestState,
    /// `low`, `medium`, `high` once submitted.
    pub risk_level: Option<String>,
    pub assignee: Option<String>,
    /// Days since submission (or creation, for drafts).
    pub age_days: i64,
}

/// Which requests a list shows.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RequestQuery {
    /// `mine` (default), `queue` (reviewers: everything awaiting review) or `teams` (the teams
    /// the reader manages).
    #[serde(default)]
    pub scope: String,
    #[serde(default)]
    pub state: String,
    #[serde(default)]
    pub risk: String,
    #[serde(default)]
    pub team: String,
    /// Only requests assigned to the reader.
    #[serde(default)]
    pub assigned_to_me: bool,
    /// Only requests waiting at least this many days (`1`, `3`, `7`, `30`); empty: any age.
    #[serde(default)]
    pub age: String,
}

/// The choices of the age filter: (days, label).
pub const AGE_FILTERS: [(&str, &str); 4] = [
    ("1", "1 day or more"),
    ("3", "3 days or more"),
    ("7", "A week or more"),
    ("30", "30 days or more"),
];

/// A list of requests and what its filters offer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RequestList {
    pub requests: Vec<RequestSummary>,
    /// May see the review queue.
    pub reviewer: bool,
    /// The teams the team filter offers.
    pub teams: Vec<TeamRef>,
}

/// What the request form needs: the request being changed (if any) and the choices.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RequestEditor {
    pub request: Option<RequestDetail>,
    /// The reader's teams (admins: every team).
    pub teams: Vec<TeamRef>,
    /// Registry entries a request may widen (slug and name).
    pub tools: Vec<TeamRef>,
    pub data_classes: Vec<super::DataClassView>,
}

#[server(endpoint = "request_editor")]
pub async fn get_request_editor(number: Option<i64>) -> Result<RequestEditor, AppError> {
    use super::context::{authorized, respond};
    use crate::backend::{data_classes, requests, teams, tools};
    use crate::domain::{Permission, Role};
    respond(
        async {
            let caller = authorized(Permission::RequestTools).await?;
            let pool = &caller.services.pool;
            let request = match number {
                Some(number) => Some(requests::detail(pool, &caller.principal, number).await?),
                None => None,
            };
            let mine = teams::of_user(pool, caller.principal.user_id).await?;
            let admin = caller.principal.roles.contains(&Role::Admin);
            let teams = teams::names(pool)
                .await?
                .into_iter()
                .filter(|t| admin || mine.contains(&t.slug))
                .collect();
            let tools = tools::names(pool).await?;
            Ok(RequestEditor {
                request,
                teams,
                tools,
                data_classes: data_classes::list(pool).await?,
            })
        }
        .await,
    )
}

#[server(endpoint = "requests")]
pub async fn get_requests(query: RequestQuery) -> Result<RequestList, AppError> {
    use super::context::{authorized, respond};
    use crate::backend::requests;
    use crate::domain::{Permission, Role};
    respond(
        async {
            let request = authorized(Permission::RequestTools).await?;
            let roles = &request.principal.roles;
            Ok(RequestList {
                requests: requests::list(
                    &request.services.pool,
                    &request.principal,
                    &query,
                    request.now,
                )
                .await?,
                reviewer: roles.contains(&Role::Reviewer) || roles.contains(&Role::Admin),
                teams: crate::backend::teams::names(&request.services.pool).await?,
            })
        }
        .await,
    )
}

#[server(endpoint = "request")]
pub async fn get_request(number: i64) -> Result<RequestDetail, AppError> {
    use super::context::{authorized, respond};
    use crate::domain::Permission;
    respond(
        async {
            let request = authorized(Permission::RequestTools).await?;
            crate::backend::requests::detail(&request.services.pool, &request.principal, number)
                .await
        }
        .await,
    )
}

/// Saves a draft (`number` empty: a new request) and shows it.
#[server(endpoint = "save_request")]
pub async fn save_request(
    number: Option<i64>,
    request: crate::domain::RequestForm,
) -> Result<i64, AppError> {
    use super::context::{authorized, respond};
    use crate::domain::Permission;
    respond(
        async {
            let caller = authorized(Permission::RequestTools).await?;
            let number = crate::backend::requests::save_draft(
                &caller.services.pool,
                &caller.principal,
                number,
                &request,
                caller.now,
            )
            .await?;
            leptos_axum::redirect(&format!("/requests/{number}"));
            Ok(number)
        }
        .await,
    )
}

/// A step on request `number`: `submit`, `assign`, `request_changes`, `resubmit`, `withdraw` or
/// `comment` (with `body`).
#[server(endpoint = "request_action")]
pub async fn request_action(
    number: i64,
    action: String,
    body: Option<String>,
) -> Result<RequestState, AppError> {
    use super::context::{authorized, respond};
    use crate::domain::request_state::RequestAction;
    use crate::domain::Permission;
    respond(
        async {
            let caller = authorized(Permission::RequestTools).await?;
            let action =
                match action.as_str() {
                    "submit" => RequestAction::Submit,
                    "assign" => RequestAction::Assign,
                    "request_changes" => RequestAction::RequestChanges,
                    "resubmit" => RequestAction::Resubmit,
                    "withdraw" => RequestAction::Withdraw,
                    "comment" => RequestAction::Comment,
                    _ => return Err(AppError::invalid(
                        "action",
                        "must be submit, assign, request_changes, resubmit, withdraw or comment",
                    )),
                };
            let state = crate::backend::requests::act(
                &caller.services.pool,
                &caller.principal,
                number,
                action,
                body.as_deref().unwrap_or(""),
                caller.now,
            )
            .await?;
            leptos_axum::redirect(&format!("/requests/{number}"));
            Ok(state)
        }
        .await,
    )
}
