//! Signed audit checkpoints: the portal signs {sequence, head hash, time, key id} of its audit
//! chain now and then, and keeps copies outside the database. A chain rewritten and fully
//! re-hashed afterwards no longer matches a checkpoint taken before. Like receipts, a signed
//! checkpoint carries the exact canonical JSON it signs.

use serde::{Deserialize, Serialize};

use crate::domain::canonical::to_canonical;

pub const CHECKPOINT_VERSION: u32 = 1;

/// What is signed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CheckpointDocument {
    pub checkpoint_version: u32,
    /// The last event's sequence number.
    pub seq: i64,
    /// Its entry hash, hex.
    pub head_hash: String,
    /// RFC 3339, UTC.
    pub taken_at: String,
    pub key_id: String,
}

impl CheckpointDocument {
    /// The bytes that are signed.
    pub fn canonical(&self) -> Result<String, String> {
        let value = serde_json::to_value(self).map_err(|e| e.to_string())?;
        to_canonical(&value).map_err(|e| e.0)
    }
}

/// A checkpoint as kept and handed out: one JSON object per line in a checkpoint file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct SignedCheckpoint {
    /// Always `Ed25519`.
    pub algorithm: String,
    pub key_id: String,
    /// The canonical JSON of the checkpoint document, exactly as signed.
    pub payload: String,
    /// Ed25519 over `payload`, base64.
    pub signature: String,
}

impl SignedCheckpoint {
    /// The document, if the payload is one in its canonical spelling.
    pub fn document(&self) -> Result<CheckpointDocument, String> {
        if self.algorithm != "Ed25519" {
            return Err("the algorithm must be Ed25519".into());
        }
        let document: CheckpointDocument = serde_json::from_str(&self.payload)
            .map_err(|e| format!("the payload is not a checkpoint: {e}"))?;
        if document.checkpoint_version != CHECKPOINT_VERSION {
            return Err(format!(
                "checkpoint version {} is not supported",
                document.checkpoint_version
            ));
        }
        match document.canonical() {
            Ok(canonical) if canonical == self.payload => Ok(document),
            _ => Err("the payload is not in canonical form".into()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_canonical_spelling_is_a_checkpoint() {
        let document = CheckpointDocument {
            checkpoint_version: CHECKPOINT_VERSION,
            seq: 1000,
            head_hash: "ab".repeat(32),
            taken_at: "2026-12-02T10:00:00Z".into(),
            key_id: "k1".into(),
        };
        let payload = document.canonical().expect("canonical");
        let signed = SignedCheckpoint {
            algorithm: "Ed25519".into(),
            key_id: "k1".into(),
            payload: payload.clone(),
            signature: String::new(),
        };
        assert_eq!(signed.document(), Ok(document));
        let spaced = SignedCheckpoint {
            payload: payload.replace(':', ": "),
            ..signed
        };
        assert!(spaced.document().is_err());
    }
}
