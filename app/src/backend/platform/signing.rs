//! The portal's Ed25519 keys for signing decision receipts.
//!
//! Each key is a 32-byte seed in its own file (`<UTC time>.key`, mode 0600) in one folder outside
//! the database; the newest signs, every older one still verifies what it signed (rotation).
//! A key's id is the first 8 bytes of the SHA-256 of its public key, in hex; a receipt names
//! the id of the key that signed it. Public keys are published as raw bytes (base64) and as
//! PEM (SubjectPublicKeyInfo), which `openssl pkeyutl -verify -rawin` reads. A key can be
//! revoked from a date on (`revocations`): what it signed from then on no longer verifies.

use std::path::{Path, PathBuf};

use base64::Engine;
use chrono::{DateTime, Utc};
use ed25519_dalek::{Signature, Signer, SigningKey, VerifyingKey};
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::backend::platform::key_file::{self, KeyFileError};
use crate::backend::platform::revocations::{self, Revocation};
use crate::domain::checkpoint::{CheckpointDocument, SignedCheckpoint};
use crate::domain::requests::receipt::{
    ReceiptDocument, ReceiptFormatError, SignedReceipt, StopDocument,
};
use crate::error::{AppError, OrInternal};

/// DER prefix of an Ed25519 SubjectPublicKeyInfo (RFC 8410): the 32 key bytes follow.
const SPKI_PREFIX: [u8; 12] = [
    0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00,
];

/// One signing key and its id.
#[derive(Clone)]
pub struct KeyPair {
    pub id: String,
    key: SigningKey,
}

impl std::fmt::Debug for KeyPair {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "KeyPair({})", self.id)
    }
}

impl KeyPair {
    pub fn from_seed(seed: [u8; 32]) -> Self {
        let key = SigningKey::from_bytes(&seed);
        Self {
            id: key_id(&key.verifying_key()),
            key,
        }
    }

    pub fn public(&self) -> VerifyingKey {
        self.key.verifying_key()
    }
}

fn key_id(public: &VerifyingKey) -> String {
    Sha256::digest(public.as_bytes())[..8]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// A public key as published.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct PublicKeyView {
    /// Named by receipts signed with this key.
    pub key_id: String,
    /// Always `Ed25519`.
    pub algorithm: String,
    /// The 32 raw public-key bytes, base64.
    pub public_key: String,
    /// The same key as a PEM SubjectPublicKeyInfo, for `openssl`.
    pub public_key_pem: String,
    /// Signs new receipts (the others only verify old ones).
    pub active: bool,
    /// Revoked from this time on: nothing it signed since verifies.
    pub revoked_since: Option<DateTime<Utc>>,
}

/// The PEM form of `public`.
pub fn public_key_pem(public: &VerifyingKey) -> String {
    let der = [SPKI_PREFIX.as_slice(), public.as_bytes()].concat();
    let body = base64::engine::general_purpose::STANDARD.encode(der);
    format!("-----BEGIN PUBLIC KEY-----\n{body}\n-----END PUBLIC KEY-----\n")
}

/// Why a signature does not verify.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VerifyError {
    #[error("no key with id {0} is known to this portal")]
    UnknownKey(String),
    #[error("the signature is not valid base64 of 64 bytes")]
    Malformed,
    #[error("the signature does not match the document")]
    Mismatch,
    #[error("key {key_id} was revoked on {since}: nothing it signed from then on is valid")]
    Revoked { key_id: String, since: String },
}

/// Why a receipt does not check out.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReceiptError {
    #[error(transparent)]
    Format(#[from] ReceiptFormatError),
    #[error(transparent)]
    Signature(#[from] VerifyError),
}

/// Every key of the portal: the one that signs, and the older ones that still verify.
#[derive(Clone, Debug)]
pub struct SigningKeys {
    older: Vec<KeyPair>,
    active: KeyPair,
    revoked: Vec<Revocation>,
}

fn key_files(dir: &Path) -> Result<Vec<PathBuf>, KeyFileError> {
    let io = |source| KeyFileError::Io {
        path: dir.display().to_string(),
        source,
    };
    let mut files = vec![];
    match std::fs::read_dir(dir) {
        Ok(entries) => {
            for entry in entries {
                let path = entry.map_err(io)?.path();
                if path.extension().is_some_and(|ext| ext == "key") {
                    files.push(path);
                }
            }
        }
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => {}
        Err(error) => return Err(io(error)),
    }
    // Named by creation time, so the name orders them.
    files.sort();
    Ok(files)
}

fn file_name(now: DateTime<Utc>) -> String {
    format!("{}.key", now.format("%Y%m%dT%H%M%S%.6fZ"))
}

impl SigningKeys {
    /// `keys` oldest first; the last one signs.
    pub fn from_pairs(mut keys: Vec<KeyPair>) -> Option<Self> {
        let active = keys.pop()?;
        Some(Self {
            older: keys,
            active,
            revoked: vec![],
        })
    }

    fn all(&self) -> impl Iterator<Item = &KeyPair> {
        self.older.iter().chain(std::iter::once(&self.active))
    }

    /// The keys in `dir`, which must hold at least one (verifying never creates a key), with
    /// their revocations. The folder and every file in it must be the portal user's alone; the
    /// newest key must not be revoked (it would sign).
    pub fn load(dir: &Path) -> Result<Self, KeyFileError> {
        if dir.exists() {
            key_file::check_private(dir)?;
        }
        let keys = key_files(dir)?
            .iter()
            .map(|path| key_file::read(path).map(KeyPair::from_seed))
            .collect::<Result<Vec<_>, _>>()?;
        let mut keys = Self::from_pairs(keys).ok_or_else(|| KeyFileError::Io {
            path: dir.display().to_string(),
            source: std::io::Error::other("no signing key here"),
        })?;
        keys.revoked = revocations::read(dir)?;
        if keys.revocation(&keys.active.id).is_some() {
            return Err(KeyFileError::Io {
                path: dir.display().to_string(),
                source: std::io::Error::other(format!(
                    "the newest signing key {} is revoked; run `server keys rotate`",
                    keys.active.id
                )),
            });
        }
        Ok(keys)
    }

    /// The keys in `dir`; on first start (none there yet) one is created.
    pub fn load_or_create(dir: &Path, now: DateTime<Utc>) -> Result<Self, KeyFileError> {
        if key_files(dir)?.is_empty() {
            key_file::create(&dir.join(file_name(now)))?;
        }
        Self::load(dir)
    }

    /// Adds a new key to `dir`, which signs from now on; returns its id.
    pub fn rotate(dir: &Path, now: DateTime<Utc>) -> Result<String, KeyFileError> {
        let seed = key_file::create(&dir.join(file_name(now)))?;
        Ok(KeyPair::from_seed(seed).id)
    }

    /// Revokes key `key_id` of `dir` from `since` on. Revoking the key that signs first adds a
    /// new one, whose id is returned.
    pub fn revoke(
        dir: &Path,
        key_id: &str,
        since: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Result<Option<String>, KeyFileError> {
        let keys = Self::load(dir)?;
        if !keys.all().any(|pair| pair.id == key_id) {
            return Err(KeyFileError::Io {
                path: dir.display().to_string(),
                source: std::io::Error::other(format!("no signing key {key_id} here")),
            });
        }
        let replacement = if keys.active.id == key_id {
            Some(Self::rotate(dir, now)?)
        } else {
            None
        };
        revocations::append(dir, key_id, since)?;
        Ok(replacement)
    }

    fn revocation(&self, key_id: &str) -> Option<&Revocation> {
        self.revoked.iter().find(|revoked| revoked.key_id == key_id)
    }

    /// Refuses what `key_id` signed at `signed_at` (RFC 3339) if the key was revoked by then.
    fn check_not_revoked(&self, key_id: &str, signed_at: &str) -> Result<(), VerifyError> {
        let Some(revoked) = self.revocation(key_id) else {
            return Ok(());
        };
        let refused = || VerifyError::Revoked {
            key_id: key_id.to_owned(),
            since: revoked.since.to_rfc3339(),
        };
        // A time that does not parse cannot show it came before the revocation.
        let signed_at = DateTime::parse_from_rfc3339(signed_at).map_err(|_| refused())?;
        if signed_at >= revoked.since {
            return Err(refused());
        }
        Ok(())
    }

    /// The key that signs.
    pub fn active(&self) -> &KeyPair {
        &self.active
    }

    /// Signs `message` with the active key: its id and the signature, base64.
    pub fn sign(&self, message: &[u8]) -> (String, String) {
        let active = self.active();
        let signature = active.key.sign(message);
        (
            active.id.clone(),
            base64::engine::general_purpose::STANDARD.encode(signature.to_bytes()),
        )
    }

    /// Checks `signature` (base64) over `message` with the key `key_id`.
    pub fn verify(&self, key_id: &str, message: &[u8], signature: &str) -> Result<(), VerifyError> {
        let pair = self
            .all()
            .find(|pair| pair.id == key_id)
            .ok_or_else(|| VerifyError::UnknownKey(key_id.to_owned()))?;
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(signature.trim())
            .map_err(|_| VerifyError::Malformed)?;
        let bytes = <[u8; 64]>::try_from(bytes.as_slice()).map_err(|_| VerifyError::Malformed)?;
        pair.public()
            .verify_strict(message, &Signature::from_bytes(&bytes))
            .map_err(|_| VerifyError::Mismatch)
    }

    /// Signs `payload` (a document's canonical JSON) with the active key.
    fn sign_payload(&self, payload: String) -> SignedReceipt {
        let (key_id, signature) = self.sign(payload.as_bytes());
        SignedReceipt {
            algorithm: "Ed25519".to_owned(),
            key_id,
            payload,
            signature,
        }
    }

    /// Signs `document` with the active key.
    pub fn sign_receipt(&self, document: &ReceiptDocument) -> Result<SignedReceipt, AppError> {
        let payload = document
            .canonical()
            .or_internal("the canonical form of a receipt")?;
        Ok(self.sign_payload(payload))
    }

    /// Signs a kill switch's `document` with the active key.
    pub fn sign_stop(&self, document: &StopDocument) -> Result<SignedReceipt, AppError> {
        let payload = document
            .canonical()
            .or_internal("the canonical form of a kill-switch receipt")?;
        Ok(self.sign_payload(payload))
    }

    /// Whether this portal signed exactly these bytes with a key not revoked at `signed_at`.
    fn verify_signed(&self, receipt: &SignedReceipt, signed_at: &str) -> Result<(), ReceiptError> {
        self.verify(
            &receipt.key_id,
            receipt.payload.as_bytes(),
            &receipt.signature,
        )?;
        self.check_not_revoked(&receipt.key_id, signed_at)?;
        Ok(())
    }

    /// The document of `receipt` if this portal signed exactly these bytes.
    pub fn verify_receipt(&self, receipt: &SignedReceipt) -> Result<ReceiptDocument, ReceiptError> {
        let document = receipt.document()?;
        self.verify_signed(receipt, &document.decided_at)?;
        Ok(document)
    }

    /// The kill switch `receipt` records, if this portal signed exactly these bytes.
    pub fn verify_stop(&self, receipt: &SignedReceipt) -> Result<StopDocument, ReceiptError> {
        let document = receipt.stop_document()?;
        self.verify_signed(receipt, &document.stopped_at)?;
        Ok(document)
    }

    /// Signs an audit checkpoint with the active key.
    pub fn sign_checkpoint(
        &self,
        document: &CheckpointDocument,
    ) -> Result<SignedCheckpoint, AppError> {
        let payload = document
            .canonical()
            .or_internal("the canonical form of a checkpoint")?;
        let (key_id, signature) = self.sign(payload.as_bytes());
        Ok(SignedCheckpoint {
            algorithm: "Ed25519".to_owned(),
            key_id,
            payload,
            signature,
        })
    }

    /// The document of `checkpoint` if this portal signed exactly these bytes.
    pub fn verify_checkpoint(
        &self,
        checkpoint: &SignedCheckpoint,
    ) -> Result<CheckpointDocument, String> {
        let document = checkpoint.document()?;
        self.verify(
            &checkpoint.key_id,
            checkpoint.payload.as_bytes(),
            &checkpoint.signature,
        )
        .and_then(|()| self.check_not_revoked(&checkpoint.key_id, &document.taken_at))
        .map_err(|e| e.to_string())?;
        Ok(document)
    }

    /// Every public key, oldest first.
    pub fn public_keys(&self) -> Vec<PublicKeyView> {
        let active = self.active.id.clone();
        self.all()
            .map(|pair| PublicKeyView {
                key_id: pair.id.clone(),
                algorithm: "Ed25519".to_owned(),
                public_key: base64::engine::general_purpose::STANDARD
                    .encode(pair.public().as_bytes()),
                public_key_pem: public_key_pem(&pair.public()),
                active: pair.id == active,
                revoked_since: self.revocation(&pair.id).map(|revoked| revoked.since),
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use std::os::unix::fs::PermissionsExt;

    /// A key folder the portal creates itself (0700), inside a temporary one.
    struct KeyFolder(PathBuf);

    impl KeyFolder {
        fn path(&self) -> &Path {
            &self.0
        }
    }

    fn at(seconds: i64) -> DateTime<Utc> {
        Utc.timestamp_opt(1_795_000_000 + seconds, 0)
            .single()
            .expect("time")
    }

    #[test]
    fn the_first_key_is_created_once_and_rotation_keeps_old_signatures_valid() {
        let temp = tempfile::tempdir().expect("dir");
        let dir = KeyFolder(temp.path().join("signing"));
        let keys = SigningKeys::load_or_create(dir.path(), at(0)).expect("keys");
        let again = SigningKeys::load_or_create(dir.path(), at(5)).expect("keys");
        assert_eq!(keys.active().id, again.active().id, "created once");
        assert_eq!(keys.active().id.len(), 16);
        let file = key_files(dir.path()).expect("files").remove(0);
        let mode = std::fs::metadata(file).expect("meta").permissions().mode();
        assert_eq!(mode & 0o777, 0o600);

        let (old_id, old_signature) = keys.sign(b"receipt one");
        let new_id = SigningKeys::rotate(dir.path(), at(60)).expect("rotated");
        let rotated = SigningKeys::load_or_create(dir.path(), at(61)).expect("keys");
        assert_eq!(rotated.active().id, new_id);
        assert_ne!(new_id, old_id);
        assert_eq!(
            rotated.verify(&old_id, b"receipt one", &old_signature),
            Ok(())
        );
        let views = rotated.public_keys();
        assert_eq!(views.len(), 2);
        assert_eq!(
            views.iter().map(|v| v.active).collect::<Vec<_>>(),
            [false, true]
        );
        let (id, signature) = rotated.sign(b"receipt two");
        assert_eq!(id, new_id);
        assert!(rotated.verify(&id, b"receipt two", &signature).is_ok());
    }

    #[test]
    fn a_revoked_key_verifies_what_it_signed_before_and_nothing_after() {
        use crate::domain::requests::receipt::sample_document as document;
        let temp = tempfile::tempdir().expect("dir");
        let dir = KeyFolder(temp.path().join("signing"));
        let keys = SigningKeys::load_or_create(dir.path(), at(0)).expect("keys");
        let receipt_at = |time: &str| {
            let mut signed = document();
            signed.decided_at = time.to_owned();
            keys.sign_receipt(&signed).expect("signed")
        };
        let before = receipt_at("2026-11-30T23:59:59Z");
        let after = receipt_at("2026-12-01T00:00:00Z");
        let revoked_since = "2026-12-01T00:00:00Z".parse().expect("time");
        let replacement = SigningKeys::revoke(dir.path(), &keys.active().id, revoked_since, at(60))
            .expect("revoked")
            .expect("the active key is replaced first");
        let reloaded = SigningKeys::load(dir.path()).expect("keys");
        assert_eq!(reloaded.active().id, replacement);
        assert!(reloaded.verify_receipt(&before).is_ok());
        assert!(matches!(
            reloaded.verify_receipt(&after),
            Err(ReceiptError::Signature(VerifyError::Revoked { .. }))
        ));
        let views = reloaded.public_keys();
        assert_eq!(views[0].revoked_since, Some(revoked_since));
        assert_eq!(views[1].revoked_since, None);
        assert!(
            SigningKeys::revoke(dir.path(), "0000000000000000", revoked_since, at(61)).is_err()
        );
    }

    #[test]
    fn any_changed_byte_or_unknown_key_fails_verification() {
        let keys = SigningKeys::from_pairs(vec![KeyPair::from_seed([7; 32])]).expect("keys");
        let message = b"{\"decision\":\"approve\"}".to_vec();
        let (id, signature) = keys.sign(&message);
        for i in 0..message.len() {
            let mut tampered = message.clone();
            tampered[i] ^= 0x01;
            assert_eq!(
                keys.verify(&id, &tampered, &signature),
                Err(VerifyError::Mismatch),
                "byte {i}"
            );
        }
        assert_eq!(
            keys.verify("0000000000000000", &message, &signature),
            Err(VerifyError::UnknownKey("0000000000000000".into()))
        );
        assert_eq!(
            keys.verify(&id, &message, "not base64!"),
            Err(VerifyError::Malformed)
        );
    }

    #[test]
    fn a_signed_receipt_verifies_and_any_changed_byte_does_not() {
        let keys = SigningKeys::from_pairs(vec![KeyPair::from_seed([3; 32])]).expect("keys");
        let document = crate::domain::requests::receipt::sample_document();
        let receipt = keys.sign_receipt(&document).expect("signed");
        assert_eq!(keys.verify_receipt(&receipt), Ok(document));
        let bytes = receipt.payload.as_bytes();
        for i in 0..bytes.len() {
            let mut tampered = bytes.to_vec();
            tampered[i] = if tampered[i] == b'0' { b'1' } else { b'0' };
            let Ok(payload) = String::from_utf8(tampered) else {
                continue;
            };
            let forged = SignedReceipt {
                payload,
                ..receipt.clone()
            };
            assert!(keys.verify_receipt(&forged).is_err(), "byte {i}");
        }
        let mut signature = base64::engine::general_purpose::STANDARD
            .decode(&receipt.signature)
            .expect("base64");
        signature[0] ^= 1;
        let forged = SignedReceipt {
            signature: base64::engine::general_purpose::STANDARD.encode(signature),
            ..receipt.clone()
        };
        assert_eq!(
            keys.verify_receipt(&forged),
            Err(ReceiptError::Signature(VerifyError::Mismatch))
        );
        let other = SigningKeys::from_pairs(vec![KeyPair::from_seed([4; 32])]).expect("keys");
        assert!(matches!(
            other.verify_receipt(&receipt),
            Err(ReceiptError::Signature(VerifyError::UnknownKey(_)))
        ));
    }

    /// The documented standard command verifies our signatures with our published PEM.
    #[test]
    fn openssl_verifies_a_signature_with_the_published_pem() {
        // `scripts/test` installs openssl (ensure_openssl); without it this fails, not skips.
        let temp = tempfile::tempdir().expect("dir");
        let dir = temp;
        let keys = SigningKeys::from_pairs(vec![KeyPair::from_seed([9; 32])]).expect("keys");
        let message = b"{\"audit_seq\":42,\"decision\":\"approve\"}";
        let (_, signature) = keys.sign(message);
        let raw = base64::engine::general_purpose::STANDARD
            .decode(signature)
            .expect("base64");
        let pem = &keys.public_keys()[0].public_key_pem;
        std::fs::write(dir.path().join("key.pem"), pem).expect("pem");
        std::fs::write(dir.path().join("doc.json"), message).expect("doc");
        std::fs::write(dir.path().join("doc.sig"), &raw).expect("sig");
        let verify = |document: &str| {
            std::process::Command::new("openssl")
                .args([
                    "pkeyutl", "-verify", "-pubin", "-inkey", "key.pem", "-rawin",
                ])
                .args(["-in", document, "-sigfile", "doc.sig"])
                .current_dir(dir.path())
                .output()
                .expect("openssl runs")
        };
        let output = verify("doc.json");
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        std::fs::write(dir.path().join("other.json"), b"{\"decision\":\"reject\"}").expect("doc");
        assert!(!verify("other.json").status.success());
    }
}
