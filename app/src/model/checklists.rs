//! Team checklists, the checklist framework and the compliance dashboards.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::domain::checklist::{ChecklistCategory, Counts, ItemStatus};
use crate::domain::registry::policy::TeamRef;
use crate::domain::Day;

/// Completion of one category.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct CategoryProgress {
    pub category: ChecklistCategory,
    pub counts: Counts,
    /// Whole percent; `None` when nothing in it applies.
    pub percent: Option<i64>,
}

/// One item of a team's checklist, as the team and the API see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct TeamItem {
    pub number: i32,
    pub title: String,
    pub category: ChecklistCategory,
    pub guidance: String,
    pub evidence_required: bool,
    pub status: ItemStatus,
    pub na_reason: String,
    /// The owner's name.
    pub owner: Option<String>,
    pub owner_id: Option<String>,
    #[cfg_attr(feature = "ssr", schema(value_type = Option<String>, format = Date))]
    pub due_date: Option<Day>,
    /// Due before today and not done (nor not applicable).
    pub overdue: bool,
    pub evidence: String,
    pub links: Vec<String>,
    /// When the item last changed, and who changed it (`None`: the portal itself).
    pub updated_at: Option<DateTime<Utc>>,
    pub updated_by: Option<String>,
    /// Evidence the portal gathers itself (item 3: the data classes and their detectors; item
    /// 10: the incident-response plan).
    pub machine_evidence: Option<MachineEvidence>,
}

/// A team's figures: what `GET /api/v1/teams/{slug}/progress` returns.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct TeamProgress {
    pub team: String,
    pub team_name: String,
    pub framework_version: i32,
    pub counts: Counts,
    pub percent: Option<i64>,
    pub categories: Vec<CategoryProgress>,
    pub items: Vec<TeamItem>,
}

/// One week of the completion trend.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TrendPoint {
    /// The Monday the week starts.
    pub week: Day,
    pub percent: Option<i64>,
}

/// One change in a team's checklist history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChecklistChange {
    pub at: DateTime<Utc>,
    pub actor: String,
    pub item: i32,
    pub title: String,
    pub status: ItemStatus,
}

/// A request in the team's view.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TeamRequest {
    pub number: i64,
    pub tool_name: String,
    pub state: crate::domain::requests::state::RequestState,
}

/// A team's checklist page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TeamChecklist {
    /// Whoever may open it may change its items (members, managers of the team, admins).
    pub progress: TeamProgress,
    /// Possible owners: the team's people (id, name).
    pub people: Vec<(String, String)>,
    pub trend: Vec<TrendPoint>,
    pub history: Vec<ChecklistChange>,
    /// Registry entries approved for this team (by name).
    pub tools: Vec<TeamRef>,
    pub open_requests: Vec<TeamRequest>,
}

/// A column of the heat map.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ItemHeader {
    pub number: i32,
    pub title: String,
}

/// A row of the heat map: a team and its status per item (in the items' order).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HeatRow {
    pub team: String,
    pub team_name: String,
    pub percent: Option<i64>,
    pub cells: Vec<ItemStatus>,
}

/// An item across the teams in view.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ItemProgress {
    pub number: i32,
    pub title: String,
    pub counts: Counts,
    pub percent: Option<i64>,
}

/// An open item past its due date.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OverdueItem {
    pub team: String,
    pub team_name: String,
    pub number: i32,
    pub title: String,
    pub due_date: Day,
    pub owner: Option<String>,
}

/// The organization dashboard (for a manager: the teams they manage).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Dashboard {
    /// Every team (admins) or the teams the reader manages.
    pub scope_all: bool,
    pub teams: i64,
    pub counts: Counts,
    pub percent: Option<i64>,
    pub categories: Vec<CategoryProgress>,
    pub items: Vec<ItemHeader>,
    pub heat: Vec<HeatRow>,
    pub page: i64,
    pub pages: i64,
    pub trend: Vec<TrendPoint>,
    pub overdue: Vec<OverdueItem>,
    pub overdue_total: i64,
    pub least_advanced: Vec<ItemProgress>,
}

/// A checklist item as admins manage it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FrameworkItem {
    pub number: i32,
    pub title: String,
    pub category: ChecklistCategory,
    pub guidance: String,
    pub evidence_required: bool,
    pub added_in_version: i32,
    pub retired_in_version: Option<i32>,
}

/// The checklist framework with every item, retired ones included.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FrameworkView {
    pub name: String,
    pub version: i32,
    pub updated_at: DateTime<Utc>,
    pub items: Vec<FrameworkItem>,
}

/// Evidence the portal gathers for a checklist item, as the item's kind says.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(untagged)]
pub enum MachineEvidence {
    IncidentResponse(super::ResponseEvidence),
    ProhibitedData(super::ProhibitedDataEvidence),
}

impl MachineEvidence {
    /// The evidence is out of date: the item is due again.
    pub fn due(&self) -> bool {
        match self {
            Self::IncidentResponse(evidence) => evidence.due,
            Self::ProhibitedData(_) => false,
        }
    }
}
