//! The AI-tool registry as the browser and `/api/v1` see it.

use serde::{Deserialize, Serialize};

use crate::domain::policy::TeamRef;
use crate::domain::{ClassificationLevel, Day, Distribution, ToolCategory, ToolStatus};

/// A kind of data and whether it may go into AI tools.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
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
pub struct ToolSummary {
    pub slug: String,
    pub name: String,
    pub vendor: String,
    pub category: ToolCategory,
    pub status: ToolStatus,
    pub description: String,
    pub next_review: Option<Day>,
}

/// One page of tools matching a search.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ToolPage {
    pub tools: Vec<ToolSummary>,
    /// How many tools match in all.
    pub total: i64,
    pub page: i64,
    pub per_page: i64,
}

/// A data class as a tool's approval names it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DataClassRef {
    pub slug: String,
    pub name: String,
}

/// One of the five least-privilege requirements for AI coding tools (the article's lesson 3).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccessRequirement {
    pub key: String,
    pub label: String,
    pub required: bool,
    pub note: String,
}

/// Everything the registry holds about a tool.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ToolDetail {
    pub slug: String,
    pub name: String,
    pub vendor: String,
    pub category: ToolCategory,
    pub description: String,
    pub website: String,
    pub status: ToolStatus,
    pub status_reason: String,
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
    pub business_owner: String,
    pub next_review: Option<Day>,
    pub rollback_plan: String,
}

/// The answer of the policy check, with what it was asked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PolicyAnswer {
    pub allowed: bool,
    pub reason: String,
    pub tool: String,
    pub data_class: String,
    pub team: String,
}
