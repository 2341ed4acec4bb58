use serde::{Deserialize, Serialize};

/// A name people read (an organization, a person): 1 to 200 characters after trimming, no
/// control characters.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct DisplayName(String);

impl DisplayName {
    pub const MAX_CHARS: usize = 200;

    pub fn parse(input: &str) -> Result<Self, String> {
        let trimmed = input.trim();
        if trimmed.is_empty() {
            return Err("must not be empty".into());
        }
        if trimmed.chars().count() > Self::MAX_CHARS {
            return Err(format!("must be at most {} characters", Self::MAX_CHARS));
        }
        if trimmed.chars().any(char::is_control) {
            return Err("must not contain control characters".into());
        }
        Ok(Self(trimmed.to_owned()))
    }
}

validated_string!(DisplayName);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trims_and_accepts_ordinary_names() {
        assert_eq!(
            DisplayName::parse("  Acme Finance  ").map(String::from),
            Ok("Acme Finance".to_owned())
        );
        assert!(DisplayName::parse("Zürich Rückversicherung AG").is_ok());
    }

    #[test]
    fn rejects_empty_long_and_control_characters() {
        assert!(DisplayName::parse("   ").is_err());
        assert!(DisplayName::parse(&"x".repeat(DisplayName::MAX_CHARS + 1)).is_err());
        assert!(DisplayName::parse(&"é".repeat(DisplayName::MAX_CHARS)).is_ok());
        assert!(DisplayName::parse("Acme\u{0}Corp").is_err());
        assert!(DisplayName::parse("Acme\nCorp").is_err());
    }
}
