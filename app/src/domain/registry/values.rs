//! The vocabulary of the AI-tool registry: statuses, categories, classification levels, how a
//! tool is distributed, and the SHA-256 checksum of a pinned package.

use serde::{Deserialize, Serialize};

named_values! {
    /// Where a tool stands in the registry.
    ToolStatus, "tool status" {
        Approved => "approved", "Approved",
        ApprovedWithConditions => "approved_with_conditions", "Approved with conditions",
        Suspended => "suspended", "Suspended",
        Retired => "retired", "Retired",
        Prohibited => "prohibited", "Prohibited",
    }
}

impl ToolStatus {
    /// Suspending or prohibiting a tool must say why.
    pub fn requires_reason(self) -> bool {
        matches!(self, Self::Suspended | Self::Prohibited)
    }
}

named_values! {
    /// What kind of AI tool it is.
    ToolCategory, "tool category" {
        AiCoding => "ai_coding", "AI coding",
        AiChatbot => "ai_chatbot", "AI chatbot",
        AiDocument => "ai_document", "AI document",
        Other => "other", "Other",
    }
}

named_values! {
    /// How sensitive a data class is.
    ClassificationLevel, "classification level" {
        Public => "public", "Public",
        Internal => "internal", "Internal",
        Confidential => "confidential", "Confidential",
        Restricted => "restricted", "Restricted",
    }
}

named_values! {
    /// How a tool reaches people's machines.
    Distribution, "distribution" {
        Saas => "saas", "SaaS",
        Npm => "npm", "npm package",
        Pypi => "pypi", "PyPI package",
        Binary => "binary", "Binary",
        IdeExtension => "ide_extension", "IDE extension",
    }
}

/// The five least-privilege requirements for AI coding tools (the article's lesson 3): a stable
/// key each, and how people read it.
pub const ACCESS_REQUIREMENTS: [(&str, &str); 5] = [
    (
        "project_directory_only",
        "Access to the project directory only",
    ),
    ("no_production_credentials", "No production credentials"),
    ("separate_ssh_keys", "Separate SSH keys"),
    ("commands_logged", "Every command logged"),
    ("code_reviewed", "AI-generated code reviewed before merge"),
];

/// A SHA-256 checksum: exactly 64 hexadecimal characters, kept in lower case.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Sha256Checksum(String);

impl Sha256Checksum {
    pub fn parse(input: &str) -> Result<Self, String> {
        let input = input.trim();
        if input.len() == 64 && input.bytes().all(|b| b.is_ascii_hexdigit()) {
            Ok(Self(input.to_ascii_lowercase()))
        } else {
            Err("must be a SHA-256 checksum: 64 hexadecimal characters".into())
        }
    }
}

validated_string!(Sha256Checksum);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_unknown_ones_are_refused() {
        for status in ToolStatus::ALL {
            assert_eq!(ToolStatus::parse(status.as_str()), Ok(*status));
            let json = serde_json::to_string(status).expect("json");
            assert_eq!(json, format!("\"{}\"", status.as_str()));
        }
        let error = ToolStatus::parse("banned").expect_err("unknown");
        assert!(error.contains("approved_with_conditions"), "{error}");
        assert_eq!(ToolCategory::parse("ai_coding"), Ok(ToolCategory::AiCoding));
        assert_eq!(
            Distribution::parse("ide_extension"),
            Ok(Distribution::IdeExtension)
        );
        assert!(ClassificationLevel::parse("secret").is_err());
        assert!(ClassificationLevel::Restricted > ClassificationLevel::Confidential);
    }

    #[test]
    fn suspending_and_prohibiting_need_a_reason() {
        let needing: Vec<_> = ToolStatus::ALL
            .iter()
            .filter(|s| s.requires_reason())
            .collect();
        assert_eq!(needing, [&ToolStatus::Suspended, &ToolStatus::Prohibited]);
    }

    #[test]
    fn checksums_are_64_hex_characters() {
        let hex = "A".repeat(64);
        assert_eq!(
            Sha256Checksum::parse(&format!(" {hex} "))
                .expect("valid")
                .as_str(),
            "a".repeat(64)
        );
        for bad in ["", "abc", &"g".repeat(64), &"a".repeat(63), &"a".repeat(65)] {
            assert!(Sha256Checksum::parse(bad).is_err(), "{bad}");
        }
    }
}
