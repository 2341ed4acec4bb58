//! What a request asks for: everything a reviewer judges and nothing that changes while they do
//! (state, assignee, timeline). A decision signs the SHA-256 of its canonical JSON, so a
//! sign-off counts only for the exact version the reviewer read.

use serde::Serialize;

use crate::domain::canonical::to_canonical;
use crate::domain::{Distribution, ToolCategory};

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AskedRequest {
    pub request_id: String,
    pub number: i64,
    /// The team's identifier.
    pub team: String,
    /// The registry entry it widens, if any.
    pub tool: Option<String>,
    pub tool_name: String,
    pub vendor: String,
    pub category: ToolCategory,
    pub website: String,
    pub use_case: String,
    pub justification: String,
    pub users: i32,
    /// Keys of the access kinds, sorted.
    pub access: Vec<String>,
    /// Identifiers of the data classes, sorted.
    pub data_classes: Vec<String>,
    pub distribution: Distribution,
    pub package_name: String,
    pub pinned_version: String,
    pub checksum: String,
    pub vendor_trains_on_data: bool,
    pub alternatives: String,
    /// A registry change's proposed entry (the tool form): what its decision writes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub proposal: Option<serde_json::Value>,
}

impl AskedRequest {
    /// The canonical JSON that is hashed. Lists are sorted first, so the order they were
    /// chosen in does not change the version.
    pub fn canonical(&self) -> Result<String, String> {
        let mut sorted = self.clone();
        sorted.access.sort();
        sorted.data_classes.sort();
        let value = serde_json::to_value(&sorted).map_err(|e| e.to_string())?;
        to_canonical(&value).map_err(|e| e.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> AskedRequest {
        AskedRequest {
            request_id: "7d0c1b9e-5a8e-4a51-9d0b-0f7f3c4f1a00".into(),
            number: 7,
            team: "payments".into(),
            tool: None,
            tool_name: "Cursor".into(),
            vendor: "Anysphere".into(),
            category: ToolCategory::AiCoding,
            website: String::new(),
            use_case: "Refactoring".into(),
            justification: "Faster reviews".into(),
            users: 4,
            access: vec!["terminal".into(), "git".into()],
            data_classes: vec!["source-code".into(), "credentials".into()],
            distribution: Distribution::Binary,
            package_name: String::new(),
            pinned_version: "0.42.3".into(),
            checksum: String::new(),
            vendor_trains_on_data: false,
            alternatives: String::new(),
            proposal: None,
        }
    }

    #[test]
    fn the_order_of_choices_does_not_change_the_version() {
        let mut reordered = sample();
        reordered.access.reverse();
        reordered.data_classes.reverse();
        assert_eq!(sample().canonical(), reordered.canonical());
    }

    #[test]
    fn a_registry_change_signs_its_proposal_and_a_tool_request_has_none() {
        assert!(!sample()
            .canonical()
            .expect("canonical")
            .contains("proposal"));
        let mut change = sample();
        change.proposal = Some(serde_json::json!({ "status": "approved" }));
        let canonical = change.canonical().expect("canonical");
        assert!(canonical.contains(r#""proposal":{"status":"approved"}"#));
    }

    #[test]
    fn every_asked_fact_is_in_the_signed_form() {
        let mut changed = sample();
        changed.pinned_version = "0.42.4".into();
        assert_ne!(sample().canonical(), changed.canonical());
        let canonical = sample().canonical().expect("canonical");
        assert!(canonical.starts_with(r#"{"access":["git","terminal"],"alternatives":"""#));
        assert!(canonical.contains(r#""team":"payments""#));
    }
}
