//! The receipt-signing keys: published without a token over `/api/v1/signing-key`, printed and
//! rotated by `server keys`; receipts checked by `server receipt verify` and by openssl.

use std::process::{Command, Output};

use app::backend::platform::signing::SigningKeys;
use app::domain::requests::receipt::{
    ReceiptDocument, ReceiptReviewer, SignedReceipt, RECEIPT_VERSION,
};
use base64::Engine;
use serde_json::Value;

use crate::helpers::spawn_app;

#[tokio::test]
async fn the_public_keys_are_published_without_a_token() {
    let app = spawn_app().await;
    let response = app.get("/api/v1/signing-key").await;
    assert_eq!(response.status(), 200);
    let body: Value = response.json().await.expect("json");
    let keys = body["keys"].as_array().expect("keys");
    assert_eq!(keys.len(), 1);
    assert_eq!(keys[0]["key_id"], body["active"]);
    assert_eq!(keys[0]["algorithm"], "Ed25519");
    assert_eq!(keys[0]["active"], true);
    assert!(keys[0]["public_key_pem"]
        .as_str()
        .expect("pem")
        .starts_with("-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VwAyEA"));
    assert_eq!(body["active"].as_str().expect("id").len(), 16);
}

fn keys(dir: &std::path::Path, action: &str) -> Output {
    Command::new(env!("CARGO_BIN_EXE_server"))
        .args([
            "--signing-key-dir",
            &dir.display().to_string(),
            "keys",
            action,
        ])
        .output()
        .expect("server keys runs")
}

#[test]
fn keys_are_created_on_first_use_printed_and_rotated() {
    let dir = tempfile::tempdir().expect("dir");
    let signing = dir.path().join("signing");
    let first = keys(&signing, "public");
    assert!(
        first.status.success(),
        "{}",
        String::from_utf8_lossy(&first.stderr)
    );
    let printed = String::from_utf8_lossy(&first.stdout).into_owned();
    assert_eq!(printed.matches("BEGIN PUBLIC KEY").count(), 1);
    assert!(printed.contains("(Ed25519, active)"), "{printed}");
    assert_eq!(
        keys(&signing, "public").stdout,
        first.stdout,
        "created once"
    );

    let rotated = keys(&signing, "rotate");
    assert!(rotated.status.success());
    let new_id = String::from_utf8_lossy(&rotated.stdout).trim().to_owned();
    assert_eq!(new_id.len(), 16);
    let printed = String::from_utf8_lossy(&keys(&signing, "public").stdout).into_owned();
    assert_eq!(printed.matches("BEGIN PUBLIC KEY").count(), 2);
    assert!(
        printed.contains(&format!("# key id {new_id} (Ed25519, active)")),
        "{printed}"
    );
    assert!(printed.contains("verifies older receipts"), "{printed}");
}

fn receipt_document() -> ReceiptDocument {
    ReceiptDocument {
        receipt_version: RECEIPT_VERSION,
        receipt_id: "5c2b1c1e-0f5e-4c0e-9d55-3f2f0d3c9a11".into(),
        request_id: "7d0c1b9e-5a8e-4a51-9d0b-0f7f3c4f1a00".into(),
        request_number: 12,
        request_sha256: "ab".repeat(32),
        decision: "approve_with_conditions".into(),
        rationale: "Pinned and checksummed.".into(),
        conditions: "Project directory only.".into(),
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

fn verify(dir: &std::path::Path, file: &std::path::Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_server"))
        .args([
            "--signing-key-dir",
            &dir.display().to_string(),
            "receipt",
            "verify",
        ])
        .arg(file)
        .output()
        .expect("server receipt verify runs")
}

#[test]
fn a_receipt_verifies_with_the_cli_and_with_openssl_and_a_forged_one_does_not() {
    let dir = tempfile::tempdir().expect("dir");
    let signing = dir.path().join("signing");
    let printed = keys(&signing, "public");
    let pem = String::from_utf8_lossy(&printed.stdout)
        .lines()
        .filter(|line| !line.starts_with('#'))
        .collect::<Vec<_>>()
        .join("\n");
    let receipt = SigningKeys::load(&signing)
        .expect("keys")
        .sign_receipt(&receipt_document())
        .expect("signed");
    let file = dir.path().join("receipt.json");
    std::fs::write(&file, serde_json::to_string_pretty(&receipt).expect("json")).expect("write");
    let output = verify(&signing, &file);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(String::from_utf8_lossy(&output.stdout).starts_with(
        "receipt OK: approve_with_conditions on request #12 by Ravi Menon <ravi.reviewer@northwind.example>"
    ));

    // The documented openssl steps: the payload's bytes, the decoded signature, the PEM.
    std::fs::write(dir.path().join("key.pem"), format!("{pem}\n")).expect("pem");
    std::fs::write(dir.path().join("payload.json"), &receipt.payload).expect("payload");
    let signature = base64::engine::general_purpose::STANDARD
        .decode(&receipt.signature)
        .expect("base64");
    std::fs::write(dir.path().join("payload.sig"), signature).expect("sig");
    let openssl = Command::new("openssl")
        .args([
            "pkeyutl", "-verify", "-pubin", "-inkey", "key.pem", "-rawin",
        ])
        .args(["-in", "payload.json", "-sigfile", "payload.sig"])
        .current_dir(dir.path())
        .output()
        .expect("openssl runs");
    assert!(
        openssl.status.success(),
        "{}",
        String::from_utf8_lossy(&openssl.stderr)
    );

    // One digit changed in the signed payload.
    let forged = SignedReceipt {
        payload: receipt
            .payload
            .replace("\"request_number\":12", "\"request_number\":13"),
        ..receipt.clone()
    };
    std::fs::write(&file, serde_json::to_string(&forged).expect("json")).expect("write");
    let output = verify(&signing, &file);
    assert!(!output.status.success());
    assert!(
        String::from_utf8_lossy(&output.stderr)
            .contains("receipt INVALID: the signature does not match"),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    std::fs::write(&file, "not json").expect("write");
    assert!(String::from_utf8_lossy(&verify(&signing, &file).stderr).contains("is not a receipt"));
}
