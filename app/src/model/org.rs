//! The organization: its overview, teams and settings.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::domain::registry::policy::{OverduePolicy, StalePolicy};

/// What the overview page shows: the organization and its teams.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Overview {
    /// `None` until an operator sets the portal up (or loads the demo).
    pub organization: Option<OrganizationSummary>,
    pub teams: Vec<TeamSummary>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrganizationSummary {
    pub name: String,
    pub is_demo: bool,
    /// When the organization was set up.
    pub since: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TeamSummary {
    pub slug: String,
    pub name: String,
    pub description: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TeamRow {
    pub slug: String,
    pub name: String,
    pub description: String,
    pub members: i64,
    pub managers: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TeamMemberRow {
    pub user_id: String,
    pub email: String,
    pub name: String,
    pub membership: String,
    pub disabled: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TeamDetail {
    pub slug: String,
    pub name: String,
    pub description: String,
    pub members: Vec<TeamMemberRow>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Settings {
    pub name: String,
    pub require_totp_for_all: bool,
    /// The longest an approval may go without a review.
    pub max_review_months: i32,
    /// What the policy check answers while an approval is being re-reviewed.
    pub stale_policy: StalePolicy,
    /// How old playbook reviews and the last tabletop exercise may get before checklist item
    /// 10 is due again.
    pub response_review_months: i32,
    /// Working days a submitted request may wait for a decision before it is late.
    pub review_target_days: i32,
    /// Whether a tool past its review date is only flagged or suspended.
    pub overdue_policy: OverduePolicy,
}
