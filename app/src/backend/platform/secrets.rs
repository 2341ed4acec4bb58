//! Random bearer secrets (API tokens, invitation links) and their stored digests. They carry 256
//! random bits, so a fast hash is enough: there is nothing to guess.

use rand::RngCore;
use sha2::{Digest, Sha256};

/// `prefix` followed by 256 bits from the OS in unpadded base64url.
pub fn random_token(prefix: &str) -> String {
    let mut random = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut random);
    format!("{prefix}{}", base64url(&random))
}

/// What is stored in place of a secret.
pub fn digest(secret: &str) -> [u8; 32] {
    Sha256::digest(secret.as_bytes()).into()
}

pub fn base64url(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut out = String::with_capacity(bytes.len() * 4 / 3 + 1);
    for chunk in bytes.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |acc, (i, b)| acc | (u32::from(*b) << (16 - 8 * i)));
        for i in 0..=chunk.len() {
            out.push(char::from(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize]));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_encode_256_bits_url_safely() {
        let text = base64url(&[0xff; 32]);
        assert_eq!(text.len(), 43);
        assert!(text
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_'));
        assert_eq!(base64url(b"Man"), "TWFu");
        assert_eq!(base64url(b"Ma"), "TWE");
        assert_eq!(base64url(b"M"), "TQ");
        let token = random_token("x_");
        assert!(token.starts_with("x_") && token.len() == 45);
        assert_ne!(token, random_token("x_"));
    }
}
