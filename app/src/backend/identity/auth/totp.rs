//! Time-based one-time codes (RFC 6238: SHA-1, 6 digits, 30-second steps).
//!
//! - Secrets are 160 random bits from the OS, stored sealed with ChaCha20-Poly1305 under a key
//!   that lives outside the database (a 0600 key file or configuration), bound to their user.
//! - A code is accepted for the current or the previous step only.
//! - A step, once accepted for a user, is never accepted again on any path (sign-in, enrollment,
//!   decision sign-off): acceptance is an INSERT into `totp_used_steps` whose primary key lets
//!   exactly one of any number of concurrent attempts succeed, on one instance or many.

use std::path::Path;

use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{ChaCha20Poly1305, Key, Nonce};
use chrono::{DateTime, Utc};
use rand::RngCore;
use sqlx::PgConnection;
use totp_rs::{Algorithm, Builder, Totp};
use uuid::Uuid;

use crate::domain::{Email, TotpCode};
use crate::error::{AppError, OrInternal};

pub const ISSUER: &str = "AI Governance Portal";
pub const STEP_SECONDS: u64 = 30;
const SECRET_LEN: usize = 20;
const NONCE_LEN: usize = 12;

/// A TOTP secret in the clear. Never logged: `Debug` hides it.
#[derive(Clone, PartialEq, Eq)]
pub struct TotpSecret([u8; SECRET_LEN]);

impl std::fmt::Debug for TotpSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TotpSecret(…)")
    }
}

impl TotpSecret {
    /// 160 bits from the operating system's random number generator.
    pub fn generate() -> Self {
        let mut bytes = [0; SECRET_LEN];
        rand::rngs::OsRng.fill_bytes(&mut bytes);
        Self(bytes)
    }

    fn totp(&self, account: &str) -> Result<Totp, AppError> {
        Builder::new()
            .with_algorithm(Algorithm::SHA1)
            .with_digits(6)
            .with_step_duration(STEP_SECONDS)
            .with_skew(0)
            .with_secret(self.0)
            .with_issuer(Some(ISSUER))
            .with_account_name(account)
            .build()
            .or_internal("setting the TOTP parameters")
    }

    /// The `otpauth://` URL an authenticator app imports (also the QR code's content).
    pub fn otpauth_url(&self, account: &Email) -> Result<String, AppError> {
        self.totp(account.as_str())?
            .to_url()
            .or_internal("making the otpauth URL")
    }

    /// A secret from its base32 form (as an authenticator app reads it from the URL).
    pub fn from_base32(encoded: &str) -> Option<Self> {
        let secret = totp_rs::Secret::try_from_base32(encoded).ok()?;
        <[u8; SECRET_LEN]>::try_from(secret.as_ref()).ok().map(Self)
    }

    /// The secret in base32, for typing into an authenticator app by hand.
    pub fn base32(&self) -> Result<String, AppError> {
        Ok(totp_rs::Secret::from(self.0).to_base32())
    }

    /// The step `code` belongs to, if it is the code of the current or the previous step.
    pub fn matching_step(&self, code: &TotpCode, now: DateTime<Utc>) -> Option<i64> {
        let totp = self.totp("").ok()?;
        let now = u64::try_from(now.timestamp()).ok()?;
        [now, now.saturating_sub(STEP_SECONDS)]
            .into_iter()
            .find_map(|time| totp.check(code.expose(), time))
            .and_then(|step| i64::try_from(step).ok())
    }

    /// The code for the step containing `time` (for tests and the demo's printed codes).
    pub fn code_at(&self, time: DateTime<Utc>) -> Result<String, AppError> {
        let time = u64::try_from(time.timestamp()).or_internal("a TOTP step before 1970")?;
        Ok(self.totp("")?.generate(time).to_string())
    }
}

/// The key that seals TOTP secrets at rest.
#[derive(Clone)]
pub struct SealingKey(Key);

impl std::fmt::Debug for SealingKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SealingKey(…)")
    }
}

pub use crate::backend::platform::key_file::KeyFileError;

impl SealingKey {
    pub fn from_bytes(bytes: [u8; 32]) -> Self {
        Self(Key::from(bytes))
    }

    /// Reads the key from `path`, creating it (32 random bytes, mode 0600) on first use.
    pub fn load_or_create(path: &Path) -> Result<Self, KeyFileError> {
        crate::backend::platform::key_file::load_or_create(path).map(Self::from_bytes)
    }

    /// `nonce ‖ ciphertext`, authenticated together with the owner's id so a sealed secret
    /// copied to another account does not open.
    pub fn seal(&self, secret: &TotpSecret, owner: Uuid) -> Result<Vec<u8>, AppError> {
        self.seal_bytes(&secret.0, owner.as_bytes())
    }

    pub fn open(&self, sealed: &[u8], owner: Uuid) -> Result<TotpSecret, AppError> {
        let plain = self.open_bytes(sealed, owner.as_bytes()).ok_or_else(|| {
            tracing::error!(%owner, "a sealed TOTP secret does not open: wrong key or tampered");
            AppError::Internal
        })?;
        <[u8; SECRET_LEN]>::try_from(plain.as_slice())
            .map(TotpSecret)
            .map_err(|_| {
                tracing::error!(%owner, "a sealed TOTP secret has the wrong length");
                AppError::Internal
            })
    }

    /// `nonce ‖ ciphertext` of `plain`, authenticated together with `context`: what it belongs
    /// to, so that it opens nowhere else.
    pub fn seal_bytes(&self, plain: &[u8], context: &[u8]) -> Result<Vec<u8>, AppError> {
        let mut nonce = [0u8; NONCE_LEN];
        rand::rngs::OsRng.fill_bytes(&mut nonce);
        let ciphertext = ChaCha20Poly1305::new(&self.0)
            .encrypt(
                Nonce::from_slice(&nonce),
                Payload {
                    msg: plain,
                    aad: context,
                },
            )
            .or_internal("sealing a secret")?;
        Ok([nonce.as_slice(), &ciphertext].concat())
    }

    /// What [`seal_bytes`](Self::seal_bytes) sealed with this key and `context`; `None` for
    /// anything else (another key, another context, a changed byte).
    pub fn open_bytes(&self, sealed: &[u8], context: &[u8]) -> Option<Vec<u8>> {
        if sealed.len() <= NONCE_LEN {
            return None;
        }
        let (nonce, ciphertext) = sealed.split_at(NONCE_LEN);
        ChaCha20Poly1305::new(&self.0)
            .decrypt(
                Nonce::from_slice(nonce),
                Payload {
                    msg: ciphertext,
                    aad: context,
                },
            )
            .ok()
    }
}

/// Stores `secret` for `user_id` as already confirmed (the demo's people; enrollment by a person
/// confirms with a code first).
pub async fn store_confirmed(
    conn: &mut PgConnection,
    key: &SealingKey,
    user_id: Uuid,
    secret: &TotpSecret,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    let sealed = key.seal(secret, user_id)?;
    sqlx::query!(
        "INSERT INTO user_totp (user_id, secret_sealed, confirmed_at, created_at)
         VALUES ($1, $2, $3, $3)",
        user_id,
        sealed,
        now
    )
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Marks time step `step` used for `user_id`; `false` when it was used already. The primary key
/// makes this atomic: of two parallel calls for one step exactly one returns `true`.
pub async fn use_step(
    conn: &mut PgConnection,
    user_id: Uuid,
    step: i64,
    now: DateTime<Utc>,
) -> Result<bool, AppError> {
    let inserted = sqlx::query!(
        "INSERT INTO totp_used_steps (user_id, step, used_at) VALUES ($1, $2, $3)
         ON CONFLICT ON CONSTRAINT totp_used_steps_pkey DO NOTHING",
        user_id,
        step,
        now
    )
    .execute(&mut *conn)
    .await?
    .rows_affected();
    Ok(inserted == 1)
}

/// What checking a code found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CodeCheck {
    /// Accepted; the step is now used up.
    Accepted { step: i64 },
    /// Not the code of the current or previous step.
    Wrong,
    /// The right code, but its step was already accepted once.
    Replayed { step: i64 },
}

/// Checks `code` against `secret` and, when it matches, uses its step up — in the caller's
/// transaction, so the step is spent only if whatever it authorises commits.
#[tracing::instrument(skip_all, fields(%user_id))]
pub async fn check_and_consume(
    conn: &mut PgConnection,
    user_id: Uuid,
    secret: &TotpSecret,
    code: &TotpCode,
    now: DateTime<Utc>,
) -> Result<CodeCheck, AppError> {
    let Some(step) = secret.matching_step(code, now) else {
        return Ok(CodeCheck::Wrong);
    };
    Ok(if use_step(conn, user_id, step, now).await? {
        CodeCheck::Accepted { step }
    } else {
        CodeCheck::Replayed { step }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn at(seconds: i64) -> DateTime<Utc> {
        Utc.timestamp_opt(seconds, 0).single().expect("valid time")
    }

    fn code(secret: &TotpSecret, time: DateTime<Utc>) -> TotpCode {
        TotpCode::parse(&secret.code_at(time).expect("code")).expect("six digits")
    }

    #[test]
    fn rfc_6238_test_vector() {
        // RFC 6238 appendix B, SHA-1, T = 59 s: 94287082 (8 digits); the 6-digit code is its tail.
        let secret = TotpSecret(*b"12345678901234567890");
        assert_eq!(secret.code_at(at(59)).expect("code"), "287082");
        assert_eq!(secret.code_at(at(1_111_111_109)).expect("code"), "081804");
    }

    #[test]
    fn accepts_the_current_and_previous_step_only() {
        let secret = TotpSecret::generate();
        let now = at(1_800_000_015); // step 60_000_000
        let step = 60_000_000;
        assert_eq!(secret.matching_step(&code(&secret, now), now), Some(step));
        let previous = code(&secret, at(1_800_000_015 - 30));
        assert_eq!(secret.matching_step(&previous, now), Some(step - 1));
        let older = code(&secret, at(1_800_000_015 - 60));
        assert_eq!(secret.matching_step(&older, now), None);
        let next = code(&secret, at(1_800_000_015 + 30));
        assert_eq!(secret.matching_step(&next, now), None);
    }

    #[test]
    fn base32_round_trips() {
        let secret = TotpSecret::generate();
        let encoded = secret.base32().expect("base32");
        assert_eq!(encoded.len(), 32);
        assert_eq!(TotpSecret::from_base32(&encoded), Some(secret));
        assert_eq!(TotpSecret::from_base32("AAAA"), None, "too short");
    }

    #[test]
    fn secrets_are_160_bits_and_differ() {
        let a = TotpSecret::generate();
        let b = TotpSecret::generate();
        assert_eq!(a.0.len(), 20);
        assert_ne!(a, b);
    }

    #[test]
    fn otpauth_urls_carry_what_authenticator_apps_need() {
        let secret = TotpSecret(*b"12345678901234567890");
        let email = Email::parse("ada@example.com").expect("email");
        let url = secret.otpauth_url(&email).expect("url");
        assert!(
            url.starts_with("otpauth://totp/AI%20Governance%20Portal:ada%40example.com?"),
            "{url}"
        );
        assert!(
            url.contains("secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"),
            "{url}"
        );
        assert!(url.contains("issuer=AI%20Governance%20Portal"), "{url}");
    }

    #[test]
    fn sealed_secrets_open_only_with_the_key_and_for_their_owner() {
        let key = SealingKey::from_bytes([7; 32]);
        let owner = Uuid::new_v4();
        let secret = TotpSecret::generate();
        let sealed = key.seal(&secret, owner).expect("seal");
        assert_eq!(sealed.len(), 12 + 20 + 16);
        assert_eq!(key.open(&sealed, owner).expect("open"), secret);
        assert!(
            key.open(&sealed, Uuid::new_v4()).is_err(),
            "bound to its owner"
        );
        assert!(SealingKey::from_bytes([8; 32])
            .open(&sealed, owner)
            .is_err());
        let mut tampered = sealed.clone();
        tampered[20] ^= 1;
        assert!(key.open(&tampered, owner).is_err());
        assert_ne!(
            key.seal(&secret, owner).expect("seal"),
            sealed,
            "fresh nonce"
        );
    }

    #[test]
    fn the_key_file_is_created_private_and_reused() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("keys/totp.key");
        let first = SealingKey::load_or_create(&path).expect("created");
        let mode = std::fs::metadata(&path).expect("meta").permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
        let again = SealingKey::load_or_create(&path).expect("loaded");
        assert_eq!(first.0, again.0);
        std::fs::write(&path, b"short").expect("write");
        assert!(matches!(
            SealingKey::load_or_create(&path),
            Err(KeyFileError::WrongLength(_))
        ));
    }
}
