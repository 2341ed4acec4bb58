//! Decision receipts: what a reviewer decided, on exactly which version of a request, with
//! which TOTP time step, as a canonical JSON document signed with the portal's Ed25519 key.
//!
//! A signed receipt carries the signed bytes themselves (`payload`, canonical JSON as a
//! string) next to the signature, so anyone can check it with standard tools:
//!
//! ```text
//! jq -j .payload receipt.json > payload.json
//! jq -r .signature receipt.json | base64 -d > payload.sig
//! openssl pkeyutl -verify -pubin -inkey key.pem -rawin -in payload.json -sigfile payload.sig
//! ```

use serde::{Deserialize, Serialize};

use crate::domain::canonical::to_canonical;

/// The format of [`ReceiptDocument`]; bumped on any change of its fields.
pub const RECEIPT_VERSION: u32 = 1;

/// The reviewer who signed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReceiptReviewer {
    pub user_id: String,
    pub email: String,
    pub name: String,
}

/// What is signed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReceiptDocument {
    pub receipt_version: u32,
    pub receipt_id: String,
    pub request_id: String,
    pub request_number: i64,
    /// SHA-256 (hex) of the canonical request as the reviewer saw it.
    pub request_sha256: String,
    /// `approve`, `approve_with_conditions` or `reject`.
    pub decision: String,
    pub rationale: String,
    pub conditions: String,
    pub reviewer: ReceiptReviewer,
    /// The TOTP time step (Unix time / 30) the reviewer's code consumed.
    pub totp_step: i64,
    /// RFC 3339, UTC.
    pub decided_at: String,
    /// The audit event recording the decision.
    pub audit_seq: i64,
    /// Where the decision left the request (a first of two sign-offs stays `in_review`).
    pub request_state: String,
}

impl ReceiptDocument {
    /// The bytes that are signed.
    pub fn canonical(&self) -> Result<String, String> {
        let value = serde_json::to_value(self).map_err(|e| e.to_string())?;
        to_canonical(&value).map_err(|e| e.0)
    }
}

/// A receipt as handed out: the signed bytes, which key signed them, and the signature.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct SignedReceipt {
    /// Always `Ed25519`.
    pub algorithm: String,
    /// Id of the portal key that signed (see `GET /api/v1/signing-key`).
    pub key_id: String,
    /// The canonical JSON of the [`ReceiptDocument`], exactly as signed.
    pub payload: String,
    /// The Ed25519 signature over `payload`'s UTF-8 bytes, base64.
    pub signature: String,
}

/// Why a receipt's payload is not a receipt this portal would have signed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReceiptFormatError {
    #[error("the payload is not a receipt document: {0}")]
    NotADocument(String),
    #[error("the payload is not in canonical form")]
    NotCanonical,
    #[error("receipt version {0} is not supported")]
    UnknownVersion(u32),
    #[error("the algorithm must be Ed25519")]
    UnknownAlgorithm,
}

impl SignedReceipt {
    /// The decision in the payload. Only the canonical spelling is accepted, so one document
    /// has exactly one signed form.
    pub fn document(&self) -> Result<ReceiptDocument, ReceiptFormatError> {
        let document: ReceiptDocument = self.parsed()?;
        if document.receipt_version != RECEIPT_VERSION {
            return Err(ReceiptFormatError::UnknownVersion(document.receipt_version));
        }
        self.canonical_form_of(document, ReceiptDocument::canonical)
    }

    /// The kill switch in the payload, under the same rules as [`document`](Self::document).
    pub fn stop_document(&self) -> Result<StopDocument, ReceiptFormatError> {
        let document: StopDocument = self.parsed()?;
        if document.receipt_version != RECEIPT_VERSION {
            return Err(ReceiptFormatError::UnknownVersion(document.receipt_version));
        }
        // A kill switch names its reviewer and code; an automatic suspension names the review
        // date that passed, and neither.
        let whole = match document.receipt_kind.as_str() {
            STOP_KIND => {
                document.reviewer.is_some()
                    && document.totp_step.is_some()
                    && document.review_due_on.is_none()
            }
            AUTOMATIC_STOP_KIND => {
                document.reviewer.is_none()
                    && document.totp_step.is_none()
                    && document.incident_number.is_none()
                    && document.review_due_on.is_some()
            }
            other => {
                return Err(ReceiptFormatError::NotADocument(format!(
                    "unknown receipt kind {other}"
                )))
            }
        };
        if !whole {
            return Err(ReceiptFormatError::NotADocument(format!(
                "a {} receipt with the wrong signer",
                document.receipt_kind
            )));
        }
        self.canonical_form_of(document, StopDocument::canonical)
    }

    fn parsed<D: serde::de::DeserializeOwned>(&self) -> Result<D, ReceiptFormatError> {
        if self.algorithm != "Ed25519" {
            return Err(ReceiptFormatError::UnknownAlgorithm);
        }
        serde_json::from_str(&self.payload)
            .map_err(|e| ReceiptFormatError::NotADocument(e.to_string()))
    }

    fn canonical_form_of<D>(
        &self,
        document: D,
        canonical: fn(&D) -> Result<String, String>,
    ) -> Result<D, ReceiptFormatError> {
        match canonical(&document) {
            Ok(text) if text == self.payload => Ok(document),
            _ => Err(ReceiptFormatError::NotCanonical),
        }
    }
}

/// What a kill-switch receipt's `receipt_kind` says.
pub const STOP_KIND: &str = "kill_switch";

/// What the receipt of a suspension the portal made itself, the day after a tool's review date
/// passed, says in `receipt_kind`.
pub const AUTOMATIC_STOP_KIND: &str = "review_overdue";

/// What is signed when a tool is stopped for the whole organization: which tool, why, what to
/// use instead, under which incident, by whom with which TOTP time step — or, for an automatic
/// suspension, which review date passed (and no reviewer or code: the portal's key signs it).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StopDocument {
    pub receipt_version: u32,
    /// Always [`STOP_KIND`]: tells it apart from a decision on a request.
    pub receipt_kind: String,
    pub receipt_id: String,
    /// The tool's identifier and name.
    pub tool: String,
    pub tool_name: String,
    /// The incident it was stopped under, if any.
    pub incident_number: Option<i64>,
    pub reason: String,
    /// What people use instead (the rollback plan).
    pub instead: String,
    /// Who pulled the kill switch; absent for an automatic suspension.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reviewer: Option<ReceiptReviewer>,
    /// The TOTP time step (Unix time / 30) the reviewer's code consumed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub totp_step: Option<i64>,
    /// The review date (`YYYY-MM-DD`) whose passing suspended the tool automatically.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub review_due_on: Option<String>,
    /// RFC 3339, UTC.
    pub stopped_at: String,
    /// The audit event recording the stop.
    pub audit_seq: i64,
    /// Open requests for the tool put on hold, by number.
    pub held_requests: Vec<i64>,
}

impl StopDocument {
    /// The bytes that are signed.
    pub fn canonical(&self) -> Result<String, String> {
        let value = serde_json::to_value(self).map_err(|e| e.to_string())?;
        to_canonical(&value).map_err(|e| e.0)
    }
}

#[cfg(test)]
pub(crate) fn sample_document() -> ReceiptDocument {
    ReceiptDocument {
        receipt_version: RECEIPT_VERSION,
        receipt_id: "5c2b1c1e-0f5e-4c0e-9d55-3f2f0d3c9a11".into(),
        request_id: "7d0c1b9e-5a8e-4a51-9d0b-0f7f3c4f1a00".into(),
        request_number: 12,
        request_sha256: "ab".repeat(32),
        decision: "approve_with_conditions".into(),
        rationale: "Pinned, checksummed, least privilege documented.".into(),
        conditions: "Project directory only; commands logged.".into(),
        reviewer: ReceiptReviewer {
            user_id: "0b8f6a52-8a3c-4f7e-9b42-6a1d2c3e4f50".into(),
            email: "ravi.reviewer@northwind.example".into(),
            name: "Ravi Menon".into(),
        },
        totp_step: 59_833_333,
        decided_at: "2026-11-25T07:30:00Z".into(),
        audit_seq: 4711,
        request_state: "approved_with_conditions".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn receipt(payload: String) -> SignedReceipt {
        SignedReceipt {
            algorithm: "Ed25519".into(),
            key_id: "0011223344556677".into(),
            payload,
            signature: String::new(),
        }
    }

    #[test]
    fn the_canonical_form_is_stable_and_round_trips() {
        let document = sample_document();
        let canonical = document.canonical().expect("canonical");
        assert!(canonical.starts_with(r#"{"audit_seq":4711,"conditions":"Project directory only; commands logged.","decided_at":"2026-11-25T07:30:00Z","decision":"approve_with_conditions","#), "{canonical}");
        assert!(canonical.contains(r#""reviewer":{"email":"ravi.reviewer@northwind.example","name":"Ravi Menon","user_id":"#));
        assert_eq!(receipt(canonical).document(), Ok(document));
    }

    #[test]
    fn non_canonical_unknown_or_foreign_payloads_are_refused() {
        let document = sample_document();
        let pretty = serde_json::to_string_pretty(&document).expect("json");
        assert_eq!(
            receipt(pretty).document(),
            Err(ReceiptFormatError::NotCanonical)
        );
        let mut newer = document.clone();
        newer.receipt_version = 2;
        assert_eq!(
            receipt(newer.canonical().expect("canonical")).document(),
            Err(ReceiptFormatError::UnknownVersion(2))
        );
        let extra = document.canonical().expect("canonical").replacen(
            '{',
            r#"{"approved_by_ceo":true,"#,
            1,
        );
        assert!(matches!(
            receipt(extra).document(),
            Err(ReceiptFormatError::NotADocument(_))
        ));
        let mut other = receipt(document.canonical().expect("canonical"));
        other.algorithm = "RS256".into();
        assert_eq!(other.document(), Err(ReceiptFormatError::UnknownAlgorithm));
    }

    fn stop(kind: &str) -> StopDocument {
        let automatic = kind == AUTOMATIC_STOP_KIND;
        StopDocument {
            receipt_version: RECEIPT_VERSION,
            receipt_kind: kind.into(),
            receipt_id: "5c2b1c1e-0f5e-4c0e-9d55-3f2f0d3c9a11".into(),
            tool: "cursor".into(),
            tool_name: "Cursor".into(),
            incident_number: None,
            reason: "Review overdue".into(),
            instead: String::new(),
            reviewer: (!automatic).then(|| sample_document().reviewer),
            totp_step: (!automatic).then_some(59_833_333),
            review_due_on: automatic.then(|| "2026-12-01".into()),
            stopped_at: "2026-12-02T00:00:00Z".into(),
            audit_seq: 12,
            held_requests: vec![],
        }
    }

    #[test]
    fn a_stop_is_signed_off_by_a_reviewer_or_names_the_review_that_passed_never_both() {
        for kind in [STOP_KIND, AUTOMATIC_STOP_KIND] {
            let document = stop(kind);
            let canonical = document.canonical().expect("canonical");
            assert_eq!(receipt(canonical).stop_document(), Ok(document));
        }
        let automatic = stop(AUTOMATIC_STOP_KIND).canonical().expect("canonical");
        assert!(!automatic.contains("reviewer") && !automatic.contains("totp_step"));
        type Change = fn(&mut StopDocument);
        let broken: [Change; 5] = [
            |d| d.receipt_kind = STOP_KIND.into(),
            |d| d.totp_step = Some(1),
            |d| d.reviewer = Some(sample_document().reviewer),
            |d| d.incident_number = Some(3),
            |d| d.review_due_on = None,
        ];
        for change in broken {
            let mut document = stop(AUTOMATIC_STOP_KIND);
            change(&mut document);
            let canonical = document.canonical().expect("canonical");
            assert!(matches!(
                receipt(canonical).stop_document(),
                Err(ReceiptFormatError::NotADocument(_))
            ));
        }
        let mut killed = stop(STOP_KIND);
        killed.review_due_on = Some("2026-12-01".into());
        let canonical = killed.canonical().expect("canonical");
        assert!(receipt(canonical).stop_document().is_err());
        let mut foreign = stop(STOP_KIND);
        foreign.receipt_kind = "decision".into();
        let canonical = foreign.canonical().expect("canonical");
        assert!(receipt(canonical).stop_document().is_err());
    }
}
