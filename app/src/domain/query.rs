//! Query strings the portal writes into its own links.

/// Percent-encodes `value` for a query string: everything but unreserved characters and `/`
/// (allowed in a query, and kept so a path travels readably).
pub fn query_value(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for byte in value.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' | b'/' => {
                out.push(char::from(byte))
            }
            other => out.push_str(&format!("%{other:02X}")),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reserved_and_non_ascii_bytes_are_escaped() {
        assert_eq!(query_value("a b&c=d/é"), "a%20b%26c%3Dd/%C3%A9");
        assert_eq!(query_value("Zephyr-1.0_~"), "Zephyr-1.0_~");
    }
}
