//! What changed between two versions of a record, for the history a person reads (a tool's
//! page shows its audit events this way).

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// One field that differs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct FieldChange {
    pub field: String,
    pub before: String,
    pub after: String,
}

const SHOWN_MAX: usize = 160;
/// How nothing reads.
const BLANK: &str = "—";

/// How a stored value reads: text as is, lists joined, nothing as a dash; long values cut.
fn shown(value: Option<&Value>) -> String {
    let text = match value {
        None | Some(Value::Null) => BLANK.to_owned(),
        Some(Value::String(text)) if text.is_empty() => BLANK.to_owned(),
        Some(Value::String(text)) => text.clone(),
        Some(Value::Array(items)) if items.is_empty() => BLANK.to_owned(),
        Some(Value::Array(items)) => items
            .iter()
            .map(|item| match item {
                Value::String(text) => text.clone(),
                other => other.to_string(),
            })
            .collect::<Vec<_>>()
            .join(", "),
        Some(other) => other.to_string(),
    };
    if text.chars().count() > SHOWN_MAX {
        let cut: String = text.chars().take(SHOWN_MAX).collect();
        format!("{cut}…")
    } else {
        text
    }
}

/// A JSON null reads as a missing field.
fn present(value: Option<&Value>) -> Option<&Value> {
    value.filter(|value| !value.is_null())
}

/// The top-level fields of two JSON objects that differ, in the order of `after` (then fields
/// only `before` had). A missing `before` (a creation) lists every field of `after`.
pub fn field_changes(before: Option<&Value>, after: &Value) -> Vec<FieldChange> {
    let empty = serde_json::Map::new();
    let before = before.and_then(Value::as_object).unwrap_or(&empty);
    let after = after.as_object().unwrap_or(&empty);
    let mut keys: Vec<&String> = after.keys().collect();
    keys.extend(before.keys().filter(|key| !after.contains_key(*key)));
    keys.into_iter()
        .filter(|key| present(before.get(*key)) != present(after.get(*key)))
        .map(|key| FieldChange {
            field: key.clone(),
            before: shown(before.get(key)),
            after: shown(after.get(key)),
        })
        // Empty on both sides ("" where there was nothing) is no change to a reader.
        .filter(|change| !(change.before == BLANK && change.after == BLANK))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn lists_only_what_differs_and_reads_values_plainly() {
        let before = json!({"status": "approved", "teams": ["payments"], "note": "", "same": 1});
        let after =
            json!({"status": "suspended", "teams": ["payments", "web"], "note": "x", "same": 1});
        let mut changes = field_changes(Some(&before), &after);
        // The order is the record's own (insertion order or sorted, as serde_json keeps maps).
        changes.sort_by(|a, b| a.field.cmp(&b.field));
        let fields: Vec<&str> = changes.iter().map(|c| c.field.as_str()).collect();
        assert_eq!(fields, ["note", "status", "teams"]);
        let created = field_changes(None, &json!({"name": "Cursor", "website": "", "teams": []}));
        let fields: Vec<&str> = created.iter().map(|c| c.field.as_str()).collect();
        assert_eq!(
            fields,
            ["name"],
            "empty fields of a new record are not changes"
        );
        assert_eq!(changes[0].before, "—");
        assert_eq!(changes[1].after, "suspended");
        assert_eq!(changes[2].after, "payments, web");
    }

    #[test]
    fn a_creation_lists_every_field_and_removed_fields_show_a_dash() {
        let after = json!({"name": "Cursor", "teams": null});
        assert_eq!(field_changes(None, &after).len(), 1, "null equals missing");
        let changes = field_changes(Some(&json!({"old": true})), &json!({}));
        assert_eq!(
            changes,
            [FieldChange {
                field: "old".into(),
                before: "true".into(),
                after: "—".into()
            }]
        );
        let long = json!({"text": "x".repeat(500)});
        let shown = &field_changes(None, &long)[0].after;
        assert_eq!(shown.chars().count(), SHOWN_MAX + 1);
    }
}
