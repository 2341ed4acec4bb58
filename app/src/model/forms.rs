//! What came back with a form the server refused.

use serde::{Deserialize, Serialize};

/// What someone typed into a form a server function refused, given back to the page that shows
/// the error so nothing has to be typed again. Secrets (passwords, codes, tokens) are never kept.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReturnedInput {
    /// The server function that refused it (the `__path` of the error's address).
    pub path: String,
    pairs: Vec<(String, String)>,
}

/// Field names whose values are never kept or sent back.
const SECRET_PARTS: [&str; 6] = [
    "password",
    "code",
    "token",
    "secret",
    "passphrase",
    "recovery",
];

impl ReturnedInput {
    /// The submitted `pairs` of `path`'s form, less every secret field.
    pub fn new(path: impl Into<String>, pairs: impl IntoIterator<Item = (String, String)>) -> Self {
        Self {
            path: path.into(),
            pairs: pairs
                .into_iter()
                .filter(|(name, _)| !Self::is_secret(name))
                .collect(),
        }
    }

    fn is_secret(name: &str) -> bool {
        let name = name.to_ascii_lowercase();
        SECRET_PARTS.iter().any(|part| name.contains(part))
    }

    /// The value submitted for `name` (the first, for a name sent more than once).
    pub fn value(&self, name: &str) -> Option<&str> {
        self.pairs
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// Whether `name` was sent with `value` (a ticked box, a chosen radio button).
    pub fn has(&self, name: &str, value: &str) -> bool {
        self.pairs.iter().any(|(n, v)| n == name && v == value)
    }

    /// Whether the form held `name` at all.
    pub fn sent(&self, name: &str) -> bool {
        self.pairs.iter().any(|(n, _)| n == name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_never_kept_and_the_rest_is_given_back() {
        let pairs = [
            ("tool[name]", "Cursor"),
            ("current_password", "hunter2 hunter2"),
            ("code", "123456"),
            ("recovery_code", "abcd-efgh"),
            ("tool[teams][]", "payments"),
            ("tool[teams][]", "platform"),
        ]
        .map(|(n, v)| (n.to_owned(), v.to_owned()));
        let input = ReturnedInput::new("/api/save_tool", pairs);
        assert_eq!(input.value("tool[name]"), Some("Cursor"));
        assert_eq!(input.value("current_password"), None);
        assert!(!input.sent("code") && !input.sent("recovery_code"));
        assert!(input.has("tool[teams][]", "platform"));
        assert!(!input.has("tool[teams][]", "legal"));
    }
}
