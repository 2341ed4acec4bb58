//! Field rules every form shares: trimmed text without control characters, web addresses,
//! checkboxes, multi-selects. Each error names its field.

use crate::error::AppError;

/// Trims `input` and checks it is at most `max` characters without control characters
/// (line breaks allowed where `multiline`).
pub(crate) fn text(
    field: &str,
    input: &str,
    max: usize,
    multiline: bool,
) -> Result<String, AppError> {
    let value = input.trim();
    if value.chars().count() > max {
        return Err(AppError::invalid(
            field,
            format!("must be at most {max} characters"),
        ));
    }
    let allowed = |c: char| multiline && matches!(c, '\n' | '\r' | '\t');
    if value.chars().any(|c| c.is_control() && !allowed(c)) {
        return Err(AppError::invalid(
            field,
            "must not contain control characters",
        ));
    }
    Ok(value.to_owned())
}

/// An optional web address: empty, or `http(s)://` without spaces.
pub(crate) fn web_address(field: &str, input: &str) -> Result<String, AppError> {
    let address = text(field, input, 2000, false)?;
    let web = address.starts_with("https://") || address.starts_with("http://");
    if (!address.is_empty() && !web) || address.contains(char::is_whitespace) {
        return Err(AppError::invalid(
            field,
            "must be a web address starting with https://",
        ));
    }
    Ok(address)
}

/// A checkbox as a form or JSON sends it: absent, empty or `false` is off; `on` or `true` is on.
pub(crate) fn checkbox(field: &str, input: Option<&str>) -> Result<bool, AppError> {
    match input.map(str::trim) {
        None | Some("") | Some("false") => Ok(false),
        Some("on") | Some("true") => Ok(true),
        Some(_) => Err(AppError::invalid(field, "must be true or false")),
    }
}

pub(crate) fn required_text(field: &str, input: &str, max: usize) -> Result<String, AppError> {
    let value = text(field, input, max, false)?;
    if value.is_empty() {
        return Err(AppError::invalid(field, "must not be empty"));
    }
    Ok(value)
}

/// The distinct values of a multi-select, in the order given.
pub(crate) fn distinct(values: &[String]) -> Vec<String> {
    let mut out: Vec<String> = vec![];
    for value in values.iter().map(|v| v.trim()).filter(|v| !v.is_empty()) {
        if !out.iter().any(|seen| seen == value) {
            out.push(value.to_owned());
        }
    }
    out
}
