//! What a new API token may do and how long it lives.

use serde::{Deserialize, Serialize};

use crate::error::AppError;

named_values! {
    /// What a personal API token may do.
    TokenScope, "What the token may do" {
        Read => "read", "Read",
        ReadWrite => "read-write", "Read and write",
        Metrics => "metrics", "Metrics only",
    }
}

impl TokenScope {
    /// May call the `/api/v1` routes that only read.
    pub fn reads(self) -> bool {
        matches!(self, Self::Read | Self::ReadWrite)
    }

    /// May call the `/api/v1` routes that change something.
    pub fn writes(self) -> bool {
        self == Self::ReadWrite
    }
}

/// Days a token lives when nobody says otherwise.
pub const DEFAULT_DAYS: u16 = 90;
/// The longest a token may live: no token lives for ever.
pub const MAX_DAYS: u16 = 365;

/// A token's lifetime in days, as a form, the API or the CLI gives it (empty: the default).
pub fn parse_days(input: &str) -> Result<u16, AppError> {
    let input = input.trim();
    if input.is_empty() {
        return Ok(DEFAULT_DAYS);
    }
    match input.parse::<u16>() {
        Ok(days) if (1..=MAX_DAYS).contains(&days) => Ok(days),
        _ => Err(AppError::invalid(
            "expires_in_days",
            format!("must be a whole number of days from 1 to {MAX_DAYS}"),
        )),
    }
}

/// A scope by its name (empty: read and write).
pub fn parse_scope(input: &str) -> Result<TokenScope, AppError> {
    match input.trim() {
        "" => Ok(TokenScope::ReadWrite),
        name => TokenScope::parse(name).map_err(|m| AppError::invalid("scope", m)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_live_ninety_days_unless_told_and_never_more_than_a_year() {
        assert_eq!(parse_days(""), Ok(90));
        assert_eq!(parse_days(" 7 "), Ok(7));
        assert_eq!(parse_days("365"), Ok(365));
        for bad in ["0", "366", "-1", "never", "1.5"] {
            assert_eq!(
                parse_days(bad).expect_err(bad).field(),
                Some("expires_in_days")
            );
        }
    }

    #[test]
    fn scopes_say_what_a_token_may_do() {
        assert_eq!(parse_scope(""), Ok(TokenScope::ReadWrite));
        assert_eq!(parse_scope("read"), Ok(TokenScope::Read));
        assert!(TokenScope::Read.reads() && !TokenScope::Read.writes());
        assert!(TokenScope::ReadWrite.writes());
        assert!(!TokenScope::Metrics.reads() && !TokenScope::Metrics.writes());
        assert_eq!(
            parse_scope("admin").expect_err("unknown").field(),
            Some("scope")
        );
    }
}
