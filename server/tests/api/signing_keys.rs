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
    server_keys(dir, &["keys", action])
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

/// `server` with `args` on the key folder `dir`.
fn server_keys(dir: &std::path::Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_server"))
        .args(["--signing-key-dir", &dir.display().to_string()])
        .args(args)
        .output()
        .expect("server runs")
}

#[test]
fn a_revoked_key_fails_what_it_signed_after_the_revocation_and_a_new_key_signs() {
    let dir = tempfile::tempdir().expect("dir");
    let signing = dir.path().join("signing");
    assert!(keys(&signing, "public").status.success());
    let keys_now = SigningKeys::load(&signing).expect("keys");
    let old_id = keys_now.active().id.clone();
    let receipt_at = |time: &str, name: &str| {
        let document = ReceiptDocument {
            decided_at: time.into(),
            ..receipt_document()
        };
        let receipt = keys_now.sign_receipt(&document).expect("signed");
        let file = dir.path().join(name);
        std::fs::write(&file, serde_json::to_string(&receipt).expect("json")).expect("write");
        file
    };
    let before = receipt_at("2026-11-30T12:00:00Z", "before.json");
    let after = receipt_at("2026-12-01T12:00:00Z", "after.json");

    let revoked = server_keys(
        &signing,
        &["keys", "revoke", &old_id, "--since", "2026-12-01T00:00:00Z"],
    );
    assert!(
        revoked.status.success(),
        "{}",
        String::from_utf8_lossy(&revoked.stderr)
    );
    assert!(String::from_utf8_lossy(&revoked.stdout).contains("New signing key"));
    assert!(
        verify(&signing, &before).status.success(),
        "signed before: still valid"
    );
    let refused = verify(&signing, &after);
    assert!(!refused.status.success());
    assert!(
        String::from_utf8_lossy(&refused.stderr).contains(&format!("key {old_id} was revoked")),
        "{}",
        String::from_utf8_lossy(&refused.stderr)
    );
    let reloaded = SigningKeys::load(&signing).expect("keys");
    assert_ne!(
        reloaded.active().id,
        old_id,
        "the revoked key no longer signs"
    );
    let printed = String::from_utf8_lossy(&keys(&signing, "public").stdout).into_owned();
    assert!(printed.contains("revoked since 2026-12-01"), "{printed}");
}

#[test]
fn a_key_file_open_to_others_stops_the_portal_naming_the_file() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().expect("dir");
    let signing = dir.path().join("signing");
    assert!(keys(&signing, "public").status.success());
    let mode = std::fs::metadata(&signing)
        .expect("meta")
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o700, "key folders are 0700");
    let file = std::fs::read_dir(&signing)
        .expect("dir")
        .map(|entry| entry.expect("entry").path())
        .find(|path| path.extension().is_some_and(|ext| ext == "key"))
        .expect("a key file");
    std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o644)).expect("chmod");
    let refused = keys(&signing, "public");
    assert!(!refused.status.success());
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert!(
        stderr.contains(&file.display().to_string()) && stderr.contains("chmod 600"),
        "{stderr}"
    );
}

#[tokio::test]
async fn rotating_the_totp_key_reseals_every_secret_with_the_new_key_file() {
    use app::backend::identity::auth::totp::SealingKey;
    let app = crate::helpers::spawn_app().await;
    let dir = tempfile::tempdir().expect("dir");
    let key_path = dir.path().join("keys").join("totp.key");
    let old = SealingKey::load_or_create(&key_path).expect("key");
    // A person enrolled with the portal's key as the file holds it.
    let ada = app.create_user("ada@example.com", "Ada", &[]).await;
    let secret = app::backend::identity::auth::totp::TotpSecret::generate();
    app::backend::identity::auth::totp::store_confirmed(
        &mut app.pool.acquire().await.expect("conn"),
        &old,
        ada,
        &secret,
        app.now(),
    )
    .await
    .expect("stored");
    let before: Vec<u8> = sqlx::query_scalar("SELECT secret_sealed FROM user_totp")
        .fetch_one(&app.pool)
        .await
        .expect("sealed");
    let output = Command::new(env!("CARGO_BIN_EXE_server"))
        .args(["--database-url", &app.database_url(), "--totp-key-file"])
        .arg(&key_path)
        .args(["keys", "rotate-totp"])
        .output()
        .expect("runs");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(String::from_utf8_lossy(&output.stdout).contains("1 second-factor secrets re-sealed"));
    let new = SealingKey::load_or_create(&key_path).expect("key");
    let after: Vec<u8> = sqlx::query_scalar("SELECT secret_sealed FROM user_totp")
        .fetch_one(&app.pool)
        .await
        .expect("sealed");
    assert_ne!(before, after);
    let opened = new.open(&after, ada).expect("the new file opens it");
    assert_eq!(opened.base32().expect("b32"), secret.base32().expect("b32"));
    assert!(!key_path.with_extension("key.next").exists());
    let audited: i64 =
        sqlx::query_scalar("SELECT count(*) FROM audit_events WHERE action = 'keys.totp_rotated'")
            .fetch_one(&app.pool)
            .await
            .expect("audit");
    assert_eq!(audited, 1);
}
