use std::fmt;

/// A password as typed. Never serialized, never printed: `Debug` shows only its length.
///
/// Rules follow NIST SP 800-63B: at least 12 characters, at most 1024 (never truncated), no
/// composition rules, and not one of the passwords attackers try first.
#[derive(Clone, PartialEq, Eq)]
pub struct Password(String);

impl Password {
    pub const MIN_CHARS: usize = 12;
    pub const MAX_CHARS: usize = 1024;

    pub fn parse(input: &str) -> Result<Self, String> {
        let chars = input.chars().count();
        if chars < Self::MIN_CHARS {
            return Err(format!("must be at least {} characters", Self::MIN_CHARS));
        }
        if chars > Self::MAX_CHARS {
            return Err(format!("must be at most {} characters", Self::MAX_CHARS));
        }
        if is_common(input) {
            return Err("is too common: attackers try it first; choose another".into());
        }
        Ok(Self(input.to_owned()))
    }

    /// A password typed to sign in: only its length is checked, since it is compared, not chosen
    /// (and the strength rules could change after it was set).
    pub fn candidate(input: &str) -> Result<Self, String> {
        match input.chars().count() {
            0 => Err("must not be empty".into()),
            n if n > Self::MAX_CHARS => {
                Err(format!("must be at most {} characters", Self::MAX_CHARS))
            }
            _ => Ok(Self(input.to_owned())),
        }
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Password({} chars)", self.0.chars().count())
    }
}

/// Passwords of 12 or more characters found at the top of public breach lists, compared
/// case-insensitively, plus the patterns those lists are full of (one repeated character, a run
/// of consecutive keys or digits).
fn is_common(password: &str) -> bool {
    const COMMON: &[&str] = &[
        "123456789012",
        "1234567890123",
        "12345678901234",
        "123456789123",
        "password1234",
        "password12345",
        "password123456",
        "passwordpassword",
        "qwertyuiopasdfgh",
        "qwertyuiop123",
        "qwerty123456",
        "1q2w3e4r5t6y",
        "1qaz2wsx3edc",
        "iloveyou1234",
        "administrator",
        "administrator1",
        "adminadminadmin",
        "letmein12345",
        "welcome12345",
        "changeme1234",
        "football1234",
        "baseball1234",
        "superman1234",
        "princess1234",
        "sunshine1234",
        "trustno1trustno1",
        "correcthorsebatterystaple",
        "abcdefghijkl",
        "abc123abc123",
        "123123123123",
        "987654321098",
        "zaq12wsxcde3",
        "monkey123456",
        "dragon123456",
    ];
    let lower = password.to_lowercase();
    if COMMON.contains(&lower.as_str()) {
        return true;
    }
    let chars: Vec<char> = lower.chars().collect();
    let one_char = chars.iter().all(|c| *c == chars[0]);
    let ascending = chars
        .windows(2)
        .all(|w| (w[1] as u32).wrapping_sub(w[0] as u32) == 1);
    let descending = chars
        .windows(2)
        .all(|w| (w[0] as u32).wrapping_sub(w[1] as u32) == 1);
    one_char || ascending || descending
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn length_limits_count_characters_not_bytes() {
        assert!(Password::parse("short-pass1").is_err());
        assert!(Password::parse("twelve chars").is_ok());
        assert!(Password::parse("ääääääääääöü").is_ok());
        assert!(Password::parse(&"xy".repeat(512)).is_ok());
        assert!(Password::parse(&"xy".repeat(513)).is_err());
    }

    #[test]
    fn sign_in_candidates_only_check_length() {
        assert!(Password::candidate("short").is_ok());
        assert!(Password::candidate("").is_err());
        assert!(Password::candidate(&"x".repeat(1025)).is_err());
    }

    #[test]
    fn no_composition_rules() {
        assert!(Password::parse("all lowercase words here").is_ok());
    }

    #[test]
    fn common_passwords_and_patterns_are_refused() {
        for bad in [
            "Password1234",
            "123456789012",
            "aaaaaaaaaaaaaaa",
            "abcdefghijklmnop",
            "zyxwvutsrqponm",
            "CorrectHorseBatteryStaple",
        ] {
            let error = Password::parse(bad).expect_err(bad);
            assert!(error.contains("too common"), "{bad}: {error}");
        }
    }

    #[test]
    fn debug_never_shows_the_password() {
        let password = Password::parse("a very secret phrase").expect("valid");
        let shown = format!("{password:?}");
        assert!(!shown.contains("secret"));
        assert_eq!(shown, "Password(20 chars)");
    }
}
