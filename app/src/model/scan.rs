//! The scanner on the wire: what a scan found, the verdict for a tool and team, the detectors
//! as reviewers see them and the rule set tools download.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::domain::scan::{DetectorKind, DetectorSpec};

/// One thing found in a scanned text. Offsets are bytes into the text as sent; the excerpt
/// shows only its first four and last two characters.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ScanFinding {
    /// The data class's slug.
    pub class: String,
    pub class_name: String,
    /// The detector's identifier and name.
    pub detector: String,
    pub detector_name: String,
    /// 1-based line, and column in characters.
    pub line: usize,
    pub column: usize,
    pub end_column: usize,
    pub start: usize,
    pub end: usize,
    pub excerpt: String,
    /// The class is prohibited by default.
    pub prohibited: bool,
}

/// How many findings of one class.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ClassCount {
    pub class: String,
    pub class_name: String,
    pub count: usize,
    pub prohibited: bool,
}

/// A class found that the tool may not receive, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct BlockedClass {
    pub class: String,
    pub class_name: String,
    pub reason: String,
}

/// Whether the text may go into the tool for the team: the policy check for every class found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ScanVerdict {
    pub allowed: bool,
    pub reason: String,
    pub tool: String,
    pub tool_name: String,
    pub team: String,
    pub blocked_classes: Vec<BlockedClass>,
}

/// What a scan found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ScanReport {
    /// The size of the text in bytes.
    pub size: usize,
    /// The rule set's version the text was scanned with.
    pub rules_version: i64,
    pub findings: Vec<ScanFinding>,
    pub classes: Vec<ClassCount>,
    /// Present when a tool and a team were given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub verdict: Option<ScanVerdict>,
}

/// The organization's detectors as tools that scan locally download them
/// (`GET /api/v1/scan/rules`; `server scan --rules FILE`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ScanRules {
    /// Grows with every saved detector version.
    pub version: i64,
    pub detectors: Vec<DetectorSpec>,
}

/// A detector as reviewers see and edit it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DetectorView {
    pub id: String,
    pub name: String,
    pub kind: DetectorKind,
    /// The built-in's label, the regular expression or the keywords.
    pub pattern: String,
    pub keywords: Vec<String>,
    pub case_sensitive: bool,
    pub must_match: Vec<String>,
    pub must_not_match: Vec<String>,
    pub version: i32,
    pub retired_at: Option<DateTime<Utc>>,
    pub updated_at: DateTime<Utc>,
    pub updated_by: Option<String>,
}

/// A built-in detector offered in the editor.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BuiltinOption {
    pub slug: String,
    pub label: String,
}

/// A data class's detectors, and what the editor offers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClassDetectors {
    pub detectors: Vec<DetectorView>,
    pub builtins: Vec<BuiltinOption>,
    /// May add, edit and retire detectors (reviewers).
    pub can_edit: bool,
}

/// What the scan page offers to check against.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScanChoices {
    pub tools: Vec<(String, String)>,
    pub teams: Vec<(String, String)>,
    /// The signed-in person's first team, chosen by default.
    pub my_team: Option<String>,
    pub detectors: usize,
}

/// The scan page's form as posted, and what scanning it gave (rendered on the page that sent
/// it; the text is never stored).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScanPosted {
    pub text: String,
    pub tool: String,
    pub team: String,
    pub outcome: Result<ScanReport, crate::error::AppError>,
}

/// Checklist item 3's evidence: each data class and how many detectors find it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ProhibitedDataEvidence {
    pub classes: Vec<ClassDetectorCount>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ClassDetectorCount {
    pub slug: String,
    pub name: String,
    pub prohibited_by_default: bool,
    pub detectors: i64,
}
