//! The AI-tool registry: tools, data classes, the policy check and their histories.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::domain::registry::policy::TeamRef;
use crate::domain::{
    ClassificationLevel, Day, Distribution, FieldChange, ToolCategory, ToolStatus,
};

/// A kind of data and whether it may go into AI tools.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct DataClassView {
    pub slug: String,
    pub name: String,
    pub level: ClassificationLevel,
    /// May not be sent to any AI tool unless a tool's approval names it.
    pub prohibited_by_default: bool,
    pub description: String,
    pub examples: String,
}

/// A tool in a list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ToolSummary {
    pub slug: String,
    pub name: String,
    pub vendor: String,
    pub category: ToolCategory,
    pub status: ToolStatus,
    pub description: String,
    #[cfg_attr(feature = "ssr", schema(value_type = Option<String>, format = Date))]
    pub next_review: Option<Day>,
    /// The next review date has passed.
    pub review_overdue: bool,
}

/// One page of tools matching a search.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ToolPage {
    pub tools: Vec<ToolSummary>,
    /// How many tools match in all.
    pub total: i64,
    pub page: i64,
    pub per_page: i64,
}

/// A data class as a tool's approval names it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct DataClassRef {
    pub slug: String,
    pub name: String,
}

/// One of the five least-privilege requirements for AI coding tools (the article's lesson 3).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct AccessRequirement {
    pub key: String,
    pub label: String,
    pub required: bool,
    pub note: String,
}

/// Everything the registry holds about a tool.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ToolDetail {
    pub slug: String,
    pub name: String,
    pub vendor: String,
    pub category: ToolCategory,
    pub description: String,
    pub website: String,
    pub status: ToolStatus,
    pub status_reason: String,
    #[cfg_attr(feature = "ssr", schema(value_type = String, format = Date))]
    pub status_since: Day,
    pub conditions: String,
    /// `None`: approved for every team.
    pub teams: Option<Vec<TeamRef>>,
    pub data_classes: Vec<DataClassRef>,
    pub access_requirements: Vec<AccessRequirement>,
    pub distribution: Distribution,
    pub package_name: String,
    pub pinned_version: String,
    pub checksum: String,
    pub vendor_trains_on_data: bool,
    pub business_owner: String,
    #[cfg_attr(feature = "ssr", schema(value_type = Option<String>, format = Date))]
    pub next_review: Option<Day>,
    pub rollback_plan: String,
    pub approval: ApprovalState,
}

/// Where a tool's approval stands in the workflow.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ApprovalState {
    /// Number of the request whose final approval the entry carries; `None` when the entry
    /// was written directly by a reviewer.
    pub request: Option<i64>,
    /// When a reviewer changed the pinned version, checksum or "trains on data" after the
    /// approval; `None` while it is current.
    pub stale_since: Option<DateTime<Utc>>,
    /// What changed, in words (`pinned version 1.0 → 1.1`).
    pub stale_changes: String,
    /// The re-review request opened when the approval went stale.
    pub re_review_request: Option<i64>,
}

/// The answer of the policy check, with what it was asked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct PolicyAnswer {
    pub allowed: bool,
    pub reason: String,
    pub tool: String,
    pub data_class: String,
    pub team: String,
    /// The signed receipt of the decision that granted a "yes" (see `GET /api/v1/receipts/{id}`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub receipt_id: Option<String>,
    /// The re-review request open on the tool's approval, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub re_review_request: Option<i64>,
}

/// One change in a tool's or data class's history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HistoryEntry {
    pub seq: i64,
    pub at: DateTime<Utc>,
    pub actor: String,
    pub action: String,
    pub changes: Vec<FieldChange>,
}

/// The registry page: one page of matching tools and what the filters offer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RegistryPage {
    pub results: ToolPage,
    pub data_classes: Vec<DataClassRef>,
    pub teams: Vec<TeamRef>,
    /// May add and edit tools (reviewers).
    pub can_edit: bool,
}

/// A tool's page: the tool, its history, and what the policy widget offers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ToolPageData {
    pub tool: ToolDetail,
    pub history: Vec<HistoryEntry>,
    pub data_classes: Vec<DataClassRef>,
    pub teams: Vec<TeamRef>,
    /// The asker's own teams, to preselect in the widget.
    pub my_teams: Vec<String>,
    pub can_edit: bool,
    /// The kill switch's stop in force, if any.
    pub stop: Option<super::ToolStop>,
}

/// The tool form: the tool being changed (none when adding) and the choices it offers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ToolEditor {
    pub tool: Option<ToolDetail>,
    pub data_classes: Vec<DataClassView>,
    pub teams: Vec<TeamRef>,
}

/// The data classes page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DataClassesPage {
    pub classes: Vec<DataClassView>,
    pub can_edit: bool,
}

/// A data class with its history, for its edit page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DataClassEditor {
    pub class: DataClassView,
    pub history: Vec<HistoryEntry>,
}

/// What saving the tool form did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum ToolSaved {
    /// In the registry now.
    Applied { slug: String },
    /// It widens what the tool allows: filed as a registry change request for reviewers.
    Proposed { number: i64 },
}
