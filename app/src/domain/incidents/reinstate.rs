//! Reinstating a tool the kill switch stopped: a reviewer proposes it with a written
//! justification and the facts that changed; two other reviewers decide it like any registry
//! change, each with a fresh code.

use serde::{Deserialize, Serialize};

use crate::domain::form::text;
use crate::domain::Sha256Checksum;
use crate::error::AppError;

/// The longest justification, and the longest account of what changed: together they are the
/// request's use case, which holds at most 4,000 characters.
pub const MAX_REASON: usize = 1800;

/// The form as submitted (`reinstate[justification]`, …).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ReinstateForm {
    /// Why the tool may be used again.
    pub justification: String,
    /// What is different from when it was stopped: a patched release, a rotated key, the
    /// vendor's findings.
    pub facts_changed: String,
    /// The version to pin from now on; empty keeps the pinned one.
    pub pinned_version: String,
    /// Its SHA-256 checksum; empty keeps the stored one.
    pub checksum: String,
}

/// A reinstatement that passed every rule that needs no database.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidReinstatement {
    pub justification: String,
    pub facts_changed: String,
    pub pinned_version: Option<String>,
    pub checksum: Option<Sha256Checksum>,
}

impl ReinstateForm {
    pub fn validate(&self) -> Result<ValidReinstatement, AppError> {
        let justification = text("justification", &self.justification, MAX_REASON, true)?;
        if justification.chars().count() < 20 {
            return Err(AppError::invalid(
                "justification",
                "say in a sentence or more why the tool may be used again",
            ));
        }
        let facts_changed = text("facts_changed", &self.facts_changed, MAX_REASON, true)?;
        if facts_changed.is_empty() {
            return Err(AppError::invalid(
                "facts_changed",
                "say what changed since the stop (a patched version, rotated keys, the vendor's findings)",
            ));
        }
        let pinned_version = text("pinned_version", &self.pinned_version, 100, false)?;
        let checksum = match self.checksum.trim() {
            "" => None,
            checksum => Some(
                Sha256Checksum::parse(checksum).map_err(|m| AppError::invalid("checksum", m))?,
            ),
        };
        Ok(ValidReinstatement {
            justification,
            facts_changed,
            pinned_version: (!pinned_version.is_empty()).then_some(pinned_version),
            checksum,
        })
    }
}

impl ValidReinstatement {
    /// The proposal's use case, which its receipts' request hash covers.
    pub fn use_case(&self, tool_name: &str, incident: Option<i64>) -> String {
        let after = match incident {
            Some(number) => format!(" (incident #{number})"),
            None => String::new(),
        };
        format!(
            "Reinstate {tool_name} after the kill switch{after}.\n\nJustification: {}\n\nWhat changed: {}",
            self.justification, self.facts_changed
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Breaks one rule of a valid form.
    type Breaks = fn(&mut ReinstateForm);

    fn form() -> ReinstateForm {
        ReinstateForm {
            justification: "The vendor shipped a fixed release and rotated its signing keys."
                .into(),
            facts_changed: "Pinned to 2.1.4 with its checksum; tokens rotated.".into(),
            pinned_version: " 2.1.4 ".into(),
            checksum: "CD".repeat(32),
        }
    }

    #[test]
    fn a_reinstatement_keeps_what_changed_and_blank_fields_keep_the_stored_ones() {
        let valid = form().validate().expect("valid");
        assert_eq!(valid.pinned_version.as_deref(), Some("2.1.4"));
        assert_eq!(
            valid.checksum.as_ref().map(|c| c.as_str().to_owned()),
            Some("cd".repeat(32))
        );
        let blank = ReinstateForm {
            pinned_version: " ".into(),
            checksum: String::new(),
            ..form()
        };
        let valid = blank.validate().expect("valid");
        assert_eq!((valid.pinned_version, valid.checksum), (None, None));
        let use_case = form()
            .validate()
            .expect("valid")
            .use_case("Cursor", Some(4));
        assert!(use_case.starts_with("Reinstate Cursor after the kill switch (incident #4)."));
        assert!(use_case.contains("What changed: Pinned to 2.1.4"));
    }

    #[test]
    fn the_longest_reinstatement_fits_the_request_it_files() {
        let longest = ReinstateForm {
            justification: "j".repeat(MAX_REASON),
            facts_changed: "f".repeat(MAX_REASON),
            ..form()
        };
        let use_case = longest
            .validate()
            .expect("valid")
            .use_case(&"n".repeat(120), Some(i64::MAX));
        assert!(use_case.chars().count() <= 4000, "{}", use_case.len());
    }

    #[test]
    fn each_broken_rule_names_its_field() {
        let cases: [(&str, Breaks); 5] = [
            ("justification", |f| f.justification = "Fixed.".into()),
            ("justification", |f| {
                f.justification = "x".repeat(MAX_REASON + 1)
            }),
            ("facts_changed", |f| f.facts_changed = "  ".into()),
            ("pinned_version", |f| f.pinned_version = "v".repeat(101)),
            ("checksum", |f| f.checksum = "abc".into()),
        ];
        for (field, breaks) in cases {
            let mut broken = form();
            breaks(&mut broken);
            let error = broken.validate().expect_err(field);
            assert_eq!(error.field(), Some(field), "{field}");
        }
    }
}
