use std::fmt;

/// A six-digit one-time code as typed: spaces are ignored ("123 456"), anything else must be a
/// digit. Not serializable, and `Debug` hides it.
#[derive(Clone, PartialEq, Eq)]
pub struct TotpCode(String);

impl TotpCode {
    pub fn parse(input: &str) -> Result<Self, String> {
        let code: String = input.chars().filter(|c| !c.is_whitespace()).collect();
        if code.len() != 6 || !code.chars().all(|c| c.is_ascii_digit()) {
            return Err("must be the 6 digits your authenticator app shows".into());
        }
        Ok(Self(code))
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for TotpCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("TotpCode(******)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_six_digits_with_spaces() {
        assert_eq!(
            TotpCode::parse(" 123 456 ").map(|c| c.expose().to_owned()),
            Ok("123456".into())
        );
    }

    #[test]
    fn rejects_anything_else() {
        for bad in ["", "12345", "1234567", "12345a", "١٢٣٤٥٦", "123-456"] {
            assert!(TotpCode::parse(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn debug_hides_the_code() {
        let code = TotpCode::parse("123456").expect("valid");
        assert!(!format!("{code:?}").contains("123"));
    }
}
