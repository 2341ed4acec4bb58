//! Tool requests, their sign-offs and receipts.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::{DataClassRef, DataClassView};
use crate::domain::registry::policy::TeamRef;
use crate::domain::requests::receipt::{ReceiptDocument, SignedReceipt, StopDocument};
use crate::domain::requests::risk::RiskAssessment;
use crate::domain::requests::state::{Decision, Party, RequestAction, RequestKind, RequestState};
use crate::domain::{Distribution, FieldChange, ToolCategory};

/// One request as a person allowed to see it reads it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct RequestDetail {
    pub request_id: String,
    pub number: i64,
    pub kind: RequestKind,
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
    pub data_classes: Vec<DataClassRef>,
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
    pub created_at: DateTime<Utc>,
    /// Opened by the portal because an approved tool's supply chain changed.
    pub re_review: bool,
    /// Its tool was stopped by the kill switch: no decision until the tool is reinstated.
    pub on_hold: bool,
    /// The registry entry its final approval wrote or widened.
    pub granted_tool: Option<String>,
    /// A registry change: field by field, what it makes of the entry.
    pub changes: Vec<FieldChange>,
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
    pub decided_at: DateTime<Utc>,
    pub conditions: String,
    /// Signed on the request as it stands (an earlier version's sign-off no longer counts).
    pub current: bool,
}

/// One step on a request's timeline.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct TimelineEntry {
    pub at: DateTime<Utc>,
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
    /// Waiting for a reviewer longer than the organization's review target.
    pub late: bool,
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
    pub data_classes: Vec<DataClassView>,
}

/// A receipt with the portal's own check of it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReceiptView {
    pub receipt: SignedReceipt,
    /// The signed decision, when the receipt is a decision's and verifies.
    pub document: Option<ReceiptDocument>,
    /// The signed kill switch, when the receipt is a stop's and verifies.
    pub stop: Option<StopDocument>,
    /// Why it does not verify.
    pub problem: Option<String>,
    /// The decided request's number; `None` for a kill switch.
    pub request_number: Option<i64>,
    /// The receipt as a file, exactly as `GET /api/v1/receipts/{id}` returns it.
    pub json: String,
}

/// A step on a request other than editing it or deciding, as the request page's buttons send it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RequestStep {
    Submit,
    Assign,
    RequestChanges,
    Resubmit,
    Withdraw,
    Comment,
}

impl RequestStep {
    pub const ALL: [RequestStep; 6] = [
        Self::Submit,
        Self::Assign,
        Self::RequestChanges,
        Self::Resubmit,
        Self::Withdraw,
        Self::Comment,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Submit => "submit",
            Self::Assign => "assign",
            Self::RequestChanges => "request_changes",
            Self::Resubmit => "resubmit",
            Self::Withdraw => "withdraw",
            Self::Comment => "comment",
        }
    }
}

impl From<RequestStep> for RequestAction {
    fn from(step: RequestStep) -> Self {
        match step {
            RequestStep::Submit => Self::Submit,
            RequestStep::Assign => Self::Assign,
            RequestStep::RequestChanges => Self::RequestChanges,
            RequestStep::Resubmit => Self::Resubmit,
            RequestStep::Withdraw => Self::Withdraw,
            RequestStep::Comment => Self::Comment,
        }
    }
}

// By name, as a form sends it; an unknown name is refused naming the `action` field (see
// `AppError::from_server_fn_error`).
impl Serialize for RequestStep {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for RequestStep {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let name = String::deserialize(deserializer)?;
        Self::ALL
            .into_iter()
            .find(|step| step.as_str() == name)
            .ok_or_else(|| {
                serde::de::Error::custom(
                    "action: must be submit, assign, request_changes, resubmit, withdraw or comment",
                )
            })
    }
}
