use serde::{Deserialize, Serialize};

/// A URL-safe identifier: lowercase ASCII letters and digits in words joined by single hyphens.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Slug(String);

impl Slug {
    pub const MAX_LEN: usize = 64;

    /// Parses `input` as given; it does not lowercase or trim, so what is stored is what was typed.
    pub fn parse(input: &str) -> Result<Self, String> {
        if input.is_empty() {
            return Err("must not be empty".into());
        }
        if input.len() > Self::MAX_LEN {
            return Err(format!("must be at most {} characters", Self::MAX_LEN));
        }
        let valid_chars = input
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
        if !valid_chars || input.starts_with('-') || input.ends_with('-') || input.contains("--") {
            return Err(
                "may contain only lowercase letters, digits and single hyphens between words"
                    .into(),
            );
        }
        Ok(Self(input.to_owned()))
    }

    /// Derives a slug from a display name: "Payments & Billing" → "payments-billing".
    pub fn from_name(name: &str) -> Result<Self, String> {
        let mut out = String::with_capacity(name.len());
        for c in name.chars().flat_map(char::to_lowercase) {
            if c.is_ascii_alphanumeric() {
                out.push(c);
            } else if !out.is_empty() && !out.ends_with('-') {
                out.push('-');
            }
        }
        while out.ends_with('-') {
            out.pop();
        }
        out.truncate(Self::MAX_LEN);
        Self::parse(out.trim_end_matches('-'))
    }
}

validated_string!(Slug);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_lowercase_words_joined_by_hyphens() {
        for ok in ["a", "payments", "data-platform", "team-42", "x1-y2-z3"] {
            assert_eq!(Slug::parse(ok).map(String::from), Ok(ok.to_owned()));
        }
    }

    #[test]
    fn rejects_everything_else() {
        for bad in [
            "", "-a", "a-", "a--b", "A", "a b", "a_b", "é", "a/b", "a.b", "ä",
        ] {
            assert!(Slug::parse(bad).is_err(), "{bad:?} should be rejected");
        }
    }

    #[test]
    fn enforces_the_length_limit() {
        assert!(Slug::parse(&"a".repeat(Slug::MAX_LEN)).is_ok());
        assert!(Slug::parse(&"a".repeat(Slug::MAX_LEN + 1)).is_err());
    }

    #[test]
    fn derives_from_names() {
        let cases = [
            ("Payments & Billing", "payments-billing"),
            ("  Data Platform  ", "data-platform"),
            ("R&D", "r-d"),
            ("Team 42!", "team-42"),
        ];
        for (name, slug) in cases {
            assert_eq!(Slug::from_name(name).map(String::from), Ok(slug.to_owned()));
        }
        assert!(Slug::from_name("!!!").is_err());
        let long = Slug::from_name(&"word ".repeat(40)).map(String::from);
        assert!(long.is_ok_and(|s| s.len() <= Slug::MAX_LEN && !s.ends_with('-')));
    }

    #[test]
    fn deserializing_validates() {
        assert!(serde_json::from_str::<Slug>("\"ok-slug\"").is_ok());
        assert!(serde_json::from_str::<Slug>("\"Not OK\"").is_err());
    }
}
