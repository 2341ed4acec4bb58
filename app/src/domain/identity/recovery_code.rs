use std::fmt;

/// A single-use recovery code: 16 characters of RFC 4648 base32 (80 bits), shown in groups of
/// four. Typing is forgiving: case, spaces and dashes do not matter.
#[derive(Clone, PartialEq, Eq)]
pub struct RecoveryCode(String);

const LEN: usize = 16;
const ALPHABET: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

impl RecoveryCode {
    pub fn parse(input: &str) -> Result<Self, String> {
        if input.len() > 64 {
            return Err("is not a recovery code".into());
        }
        let normalized: String = input
            .chars()
            .filter(|c| !c.is_whitespace() && *c != '-')
            .map(|c| c.to_ascii_uppercase())
            .collect();
        if normalized.len() == LEN && normalized.bytes().all(|b| ALPHABET.contains(&b)) {
            Ok(Self(normalized))
        } else {
            Err("is not a recovery code (16 letters and digits, like ABCD-EFGH-2345-6789)".into())
        }
    }

    /// A code from 10 random bytes (the caller draws them from the OS).
    pub fn from_random(bytes: [u8; 10]) -> Self {
        let mut bits = bytes
            .iter()
            .fold(0u128, |acc, byte| (acc << 8) | u128::from(*byte));
        let mut out = [0u8; LEN];
        for slot in out.iter_mut().rev() {
            *slot = ALPHABET[(bits & 31) as usize];
            bits >>= 5;
        }
        Self(out.iter().map(|b| char::from(*b)).collect())
    }

    /// The normalized form that is hashed.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// Grouped for reading: `ABCD-EFGH-2345-6789`.
    pub fn display(&self) -> String {
        self.0
            .as_bytes()
            .chunks(4)
            .map(|chunk| String::from_utf8_lossy(chunk).into_owned())
            .collect::<Vec<_>>()
            .join("-")
    }
}

impl fmt::Debug for RecoveryCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("RecoveryCode(…)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typing_is_forgiving() {
        let code = RecoveryCode::from_random([0xA5; 10]);
        let shown = code.display();
        assert_eq!(shown.len(), 19);
        assert_eq!(RecoveryCode::parse(&shown), Ok(code.clone()));
        assert_eq!(
            RecoveryCode::parse(&format!(" {} ", shown.to_lowercase().replace('-', " "))),
            Ok(code)
        );
    }

    #[test]
    fn refuses_what_is_not_a_code() {
        for bad in [
            "",
            "123456",
            "ABCD-EFGH-2345-678",
            "ABCD-EFGH-2345-6781",
            &"A".repeat(100),
        ] {
            assert!(RecoveryCode::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn encodes_all_80_bits() {
        assert_eq!(
            RecoveryCode::from_random([0; 10]).expose(),
            "AAAAAAAAAAAAAAAA"
        );
        assert_eq!(
            RecoveryCode::from_random([0xff; 10]).expose(),
            "7777777777777777"
        );
        assert_ne!(
            RecoveryCode::from_random([0; 10]),
            RecoveryCode::from_random([0, 0, 0, 0, 0, 0, 0, 0, 0, 1])
        );
    }

    #[test]
    fn debug_hides_the_code() {
        let code = RecoveryCode::from_random([7; 10]);
        assert!(!format!("{code:?}").contains(code.expose()));
    }
}
