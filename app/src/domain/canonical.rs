//! Canonical JSON: one byte sequence per document, whatever order its fields were built in, so
//! a signature over it can be checked by anyone who re-serializes the same data.
//!
//! The rules are those of RFC 8785 (JCS) for the documents we sign: object keys sorted, no
//! insignificant whitespace, strings escaped as `serde_json` does (which matches JCS), integers
//! only. Floating-point numbers are refused rather than risk two spellings of one number.

use serde_json::Value;

/// Why a value has no canonical form here.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotCanonical(pub String);

/// The canonical bytes of `value`.
pub fn to_canonical(value: &Value) -> Result<String, NotCanonical> {
    let mut out = String::new();
    write(value, &mut out)?;
    Ok(out)
}

fn write(value: &Value, out: &mut String) -> Result<(), NotCanonical> {
    match value {
        Value::Null | Value::Bool(_) | Value::String(_) => out.push_str(&value.to_string()),
        Value::Number(number) => {
            if !(number.is_i64() || number.is_u64()) {
                return Err(NotCanonical(format!(
                    "{number} is not an integer; signed documents carry integers only"
                )));
            }
            out.push_str(&number.to_string());
        }
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write(item, out)?;
            }
            out.push(']');
        }
        Value::Object(map) => {
            // JCS orders keys by UTF-16 code units; for keys without characters beyond the
            // Basic Multilingual Plane that equals ordering by chars.
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort_by(|a, b| a.encode_utf16().cmp(b.encode_utf16()));
            out.push('{');
            for (i, key) in keys.into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                out.push_str(&Value::String(key.clone()).to_string());
                out.push(':');
                write(&map[key], out)?;
            }
            out.push('}');
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn key_order_and_whitespace_do_not_change_the_bytes() {
        let a: Value = serde_json::from_str(r#"{ "b": 1, "a": {"y": [true, null], "x": "é\n"} }"#)
            .expect("json");
        let b: Value =
            serde_json::from_str(r#"{"a":{"x":"é\n","y":[true,null]},"b":1}"#).expect("json");
        let canonical = to_canonical(&a).expect("canonical");
        assert_eq!(canonical, to_canonical(&b).expect("canonical"));
        assert_eq!(canonical, r#"{"a":{"x":"é\n","y":[true,null]},"b":1}"#);
    }

    #[test]
    fn the_bytes_are_stable_across_releases() {
        // A receipt signed today must verify after any upgrade: pin the exact output.
        let document = json!({
            "request_id": "7d0c1b9e-5a8e-4a51-9d0b-0f7f3c4f1a00",
            "decision": "approve",
            "totp_step": 59_000_000u64,
            "conditions": "Project directory only",
            "reviewers": ["ravi.reviewer@northwind.example"],
            "audit_seq": 42,
        });
        assert_eq!(
            to_canonical(&document).expect("canonical"),
            r#"{"audit_seq":42,"conditions":"Project directory only","decision":"approve","request_id":"7d0c1b9e-5a8e-4a51-9d0b-0f7f3c4f1a00","reviewers":["ravi.reviewer@northwind.example"],"totp_step":59000000}"#
        );
    }

    #[test]
    fn keys_sort_by_utf16_code_units() {
        // U+FF21 (fullwidth A) sorts after U+1F600 in UTF-16 (surrogates start at 0xD800) but
        // before it by code point; JCS says UTF-16.
        let document = json!({"\u{ff21}": 1, "\u{1f600}": 2, "a": 3});
        assert_eq!(
            to_canonical(&document).expect("canonical"),
            "{\"a\":3,\"\u{1f600}\":2,\"\u{ff21}\":1}"
        );
    }

    #[test]
    fn floating_point_numbers_are_refused() {
        assert!(to_canonical(&json!({"x": 1.5})).is_err());
        assert!(to_canonical(&json!([-3, 0, 18446744073709551615u64])).is_ok());
    }
}
