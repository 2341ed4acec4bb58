//! The audit log as admins read and verify it.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// Audit log filters, as the filter form sends them (all optional).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditQuery {
    #[serde(default)]
    pub action: String,
    #[serde(default)]
    pub actor: String,
    #[serde(default)]
    pub target: String,
    #[serde(default)]
    pub from: String,
    #[serde(default)]
    pub to: String,
    /// Only events before this sequence number (the next page).
    #[serde(default)]
    pub before: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditEntry {
    pub seq: i64,
    pub at: DateTime<Utc>,
    pub action: String,
    pub actor: String,
    pub target: String,
    pub source: String,
    pub details: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditPage {
    pub entries: Vec<AuditEntry>,
    /// Where the next (older) page starts, if there is one.
    pub next_before: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChainCheck {
    pub intact: bool,
    pub events: i64,
    pub first_bad_seq: Option<i64>,
    pub problem: Option<String>,
}

/// One audit event as exported to a SIEM: the exact payload that was hashed, and the hashes
/// that chain it (hex), so the chain can be verified outside the portal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ExportedEvent {
    pub seq: i64,
    pub occurred_at: DateTime<Utc>,
    pub action: String,
    pub actor: String,
    pub target: Option<String>,
    /// The event's JSON exactly as hashed.
    pub payload: String,
    pub prev_hash: String,
    pub entry_hash: String,
}

/// A page of exported events, oldest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ExportPage {
    pub events: Vec<ExportedEvent>,
    /// Ask again with `after` = this for the next page; `None` at the end.
    pub next_after: Option<i64>,
}

/// The chain re-computed from its first event, and held against the signed checkpoints the
/// portal keeps.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct AuditVerification {
    pub intact: bool,
    pub events: i64,
    pub first_bad_seq: Option<i64>,
    pub problem: Option<String>,
    pub checkpoints_checked: i64,
    pub checkpoint_problems: Vec<String>,
}
