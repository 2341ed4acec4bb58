//! The receipt-signing keys: published without a token over `/api/v1/signing-key`, printed and
//! rotated by `server keys`.

use std::process::{Command, Output};

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
