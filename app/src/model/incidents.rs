//! Incidents as their readers see them.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::{DataClassRef, DataClassView};
use crate::domain::incidents::{Channel, IncidentKind, IncidentStatus, PlaybookStep, Severity};
use crate::domain::registry::policy::TeamRef;
use crate::domain::Day;

/// Someone who can own an incident or a follow-up: a reviewer or an admin.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct PersonRef {
    pub user_id: String,
    pub name: String,
}

/// A tool request an incident concerns.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct LinkedRequest {
    pub number: i64,
    pub tool_name: String,
}

/// One step on an incident's timeline.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct IncidentEvent {
    pub at: DateTime<Utc>,
    /// Who did it; empty for the portal itself.
    pub actor: String,
    /// `reported`, `triaged`, `status_changed`, `commented`, `reviewed`, `action_added`,
    /// `action_done`.
    pub kind: String,
    pub from_status: Option<IncidentStatus>,
    pub to_status: Option<IncidentStatus>,
    pub body: String,
}

/// A follow-up action of the post-incident review.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct FollowUp {
    pub id: String,
    pub what: String,
    pub owner: PersonRef,
    #[cfg_attr(feature = "ssr", schema(value_type = String, format = Date))]
    pub due: Day,
    pub done_at: Option<DateTime<Utc>>,
    /// Past its due day and not done.
    pub overdue: bool,
}

/// One incident as a person allowed to see it reads it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct IncidentDetail {
    pub number: i64,
    pub title: String,
    pub kind: IncidentKind,
    pub description: String,
    pub occurred_at: DateTime<Utc>,
    pub reported_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub reporter: String,
    pub severity: Option<Severity>,
    pub status: IncidentStatus,
    pub owner: Option<PersonRef>,
    /// Why it was dismissed (empty unless it was).
    pub dismissed_reason: String,
    pub tools: Vec<TeamRef>,
    pub data_classes: Vec<DataClassRef>,
    pub teams: Vec<TeamRef>,
    pub requests: Vec<LinkedRequest>,
    /// The post-incident review: what happened, in order, and the root cause.
    pub review_summary: String,
    pub root_cause: String,
    pub follow_ups: Vec<FollowUp>,
    pub timeline: Vec<IncidentEvent>,
    /// The reader may triage it (reviewers and admins).
    pub may_triage: bool,
    /// Who may own it or a follow-up (filled for triagers only).
    pub owners: Vec<PersonRef>,
    /// The tools stopped under it, with who has read the banner, team by team.
    pub stops: Vec<StopTally>,
    /// Its tools the reader may stop with the kill switch now (reviewers, while it is open and
    /// the tool is in use).
    pub stoppable: Vec<TeamRef>,
    /// Its checklist: the steps of its kind's playbook (version `playbook_version`) when it was
    /// reported, ticked with timestamps.
    pub steps: Vec<IncidentStep>,
    pub playbook_version: Option<i32>,
    /// Who tells whom, when and how, from the same playbook version.
    pub channels: Vec<Channel>,
}

/// One step of an incident's checklist.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct IncidentStep {
    pub position: i32,
    pub what: String,
    pub who: String,
    pub done_at: Option<DateTime<Utc>>,
    /// Who ticked it.
    pub done_by: Option<String>,
}

/// A playbook in the list: its kind, and its version in force (`None`: none written yet).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlaybookSummary {
    pub kind: IncidentKind,
    pub version: Option<i32>,
    pub steps: i64,
    pub channels: i64,
    pub edited_at: Option<DateTime<Utc>>,
    /// `None` with a version: shipped with the portal.
    pub edited_by: Option<String>,
}

/// One saved version of a playbook.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlaybookVersion {
    pub version: i32,
    pub steps: Vec<PlaybookStep>,
    pub channels: Vec<Channel>,
    pub note: String,
    pub edited_at: DateTime<Utc>,
    pub edited_by: Option<String>,
}

/// A playbook's page: every version, newest (the one in force) first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlaybookPage {
    pub kind: IncidentKind,
    pub versions: Vec<PlaybookVersion>,
    /// The reader may edit it (admins).
    pub may_edit: bool,
}

/// An incident in a list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct IncidentSummary {
    pub number: i64,
    pub title: String,
    pub kind: IncidentKind,
    pub severity: Option<Severity>,
    pub status: IncidentStatus,
    pub reporter: String,
    pub owner: Option<String>,
    /// The tools' names.
    pub tools: Vec<String>,
    pub reported_at: DateTime<Utc>,
}

/// Which incidents a list shows (`?status=&tool=`): empty means any.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::IntoParams))]
#[serde(default)]
pub struct IncidentQuery {
    /// An incident status, or `open` for reported, triaged and contained.
    pub status: String,
    /// A tool's slug.
    pub tool: String,
}

/// The incident list page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IncidentList {
    pub incidents: Vec<IncidentSummary>,
    /// The reader sees every incident (reviewers and admins).
    pub sees_all: bool,
    /// Tools to filter by.
    pub tools: Vec<TeamRef>,
}

/// What the report form offers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IncidentReportForm {
    pub tools: Vec<TeamRef>,
    pub data_classes: Vec<DataClassView>,
    pub teams: Vec<TeamRef>,
    /// The reporter's own teams, ticked to start with.
    pub my_teams: Vec<String>,
}

/// A tool stopped by the kill switch, as the banner on every page of someone it concerns says.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StopBanner {
    pub stop_id: String,
    pub tool: TeamRef,
    pub reason: String,
    /// What to use instead (the rollback plan); may be empty.
    pub instead: String,
    pub incident: Option<i64>,
    pub stopped_at: DateTime<Utc>,
}

/// How far the word of a stop has gone in one team.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct TeamAcknowledgements {
    pub team: TeamRef,
    pub members: i64,
    pub acknowledged: i64,
    /// Who has not acknowledged it yet.
    pub waiting: Vec<String>,
}

/// A kill switch pulled under an incident.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct StopTally {
    pub receipt_id: String,
    pub tool: TeamRef,
    pub reason: String,
    pub stopped_at: DateTime<Utc>,
    pub stopped_by: String,
    /// When the policy check first answered no because of it.
    pub first_no_at: Option<DateTime<Utc>>,
    /// Reinstated.
    pub lifted_at: Option<DateTime<Utc>>,
    pub teams: Vec<TeamAcknowledgements>,
}

/// A kill switch's stop in force on a tool, as its page shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ToolStop {
    pub receipt_id: String,
    pub reason: String,
    pub stopped_at: DateTime<Utc>,
    /// The reviewer who pulled the kill switch; `None` when the portal suspended the tool
    /// because its review date passed.
    pub stopped_by: Option<String>,
    pub incident: Option<i64>,
    /// The open registry change request that would reinstate the tool.
    pub reinstatement: Option<i64>,
}

/// A tabletop exercise in the list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExerciseSummary {
    pub number: i64,
    pub title: String,
    pub kind: IncidentKind,
    pub held_on: Day,
    /// Its outcome is recorded.
    pub held: bool,
    pub open_follow_ups: i64,
}

/// The exercises, and whether the reader may schedule and record them (admins).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExerciseList {
    pub exercises: Vec<ExerciseSummary>,
    pub may_edit: bool,
}

/// One tabletop exercise.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExerciseDetail {
    pub number: i64,
    pub title: String,
    pub kind: IncidentKind,
    /// The playbook version rehearsed.
    pub playbook_version: Option<i32>,
    pub scenario: String,
    pub held_on: Day,
    pub participants: String,
    pub went_well: String,
    pub gaps: String,
    pub recorded_at: Option<DateTime<Utc>>,
    pub scheduled_by: String,
    pub follow_ups: Vec<FollowUp>,
    pub may_edit: bool,
    /// The reader's user id: owners complete their own follow-ups.
    pub viewer: String,
    /// Who may own a follow-up (filled for admins).
    pub owners: Vec<PersonRef>,
    /// The tools a dry kill switch can be pulled on.
    pub tools: Vec<TeamRef>,
}

/// What the kill switch would do to a tool now, changing nothing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DryRun {
    pub tool: TeamRef,
    /// The tool is in use now: a real stop would suspend it.
    pub in_use: bool,
    /// The teams that use it, with their active members.
    pub teams: Vec<(TeamRef, i64)>,
    /// Everyone who would be told and see the banner.
    pub people: i64,
    /// The open requests it would put on hold.
    pub open_requests: Vec<DryRunRequest>,
    /// What people would be told to use instead: the tool's rollback plan.
    pub rollback_plan: String,
}

/// An open request a stop would hold.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DryRunRequest {
    pub number: i64,
    pub tool_name: String,
    pub requester: String,
}

/// Checklist item 10's evidence, gathered by the portal: the playbooks and their last review,
/// the last exercise and its open follow-ups.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ResponseEvidence {
    /// (incident kind, version in force, when it was last saved).
    pub playbooks: Vec<PlaybookEvidence>,
    pub last_exercise: Option<ExerciseEvidence>,
    /// Follow-ups of exercises and incidents not done yet.
    pub open_follow_ups: i64,
    /// The organization's interval, in months.
    pub interval_months: i32,
    /// Some of it is older than the interval (or missing): the item is due.
    pub due: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct PlaybookEvidence {
    pub kind: IncidentKind,
    pub version: i32,
    /// When an admin last saved it; `None`: as shipped with the portal, never reviewed.
    pub reviewed_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ExerciseEvidence {
    #[cfg_attr(feature = "ssr", schema(value_type = String, format = Date))]
    pub held_on: Day,
}
