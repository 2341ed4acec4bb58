//! An audit trail its database owner cannot rewrite unnoticed: signed checkpoints kept outside
//! the database catch a chain rewritten and fully re-hashed; SIEMs page through the log, verify
//! it and read the checkpoints over the API; `server audit export` prints it.

use std::process::{Command, Output};

use app::backend::audit::checkpoints::Cadence;
use app::backend::platform::clock::Clock;
use app::backend::platform::signing::SigningKeys;
use app::domain::{Role, TokenScope};
use serde_json::Value;
use server::checkpoints::{once, Sinks};

use crate::helpers::{spawn_app, TestApp};

fn server(app: &TestApp, keys: &std::path::Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_server"))
        .args(["--database-url", &app.database_url(), "--signing-key-dir"])
        .arg(keys)
        .args(args)
        .output()
        .expect("run the server binary")
}

/// A key folder the command line and the test share (the first key is made by `keys public`).
fn key_folder(dir: &std::path::Path) -> SigningKeys {
    let folder = dir.join("signing");
    let made = Command::new(env!("CARGO_BIN_EXE_server"))
        .args(["--signing-key-dir"])
        .arg(&folder)
        .args(["keys", "public"])
        .output()
        .expect("keys public");
    assert!(made.status.success());
    SigningKeys::load(&folder).expect("keys")
}

fn every_event() -> Cadence {
    Cadence {
        events: 1,
        every: chrono::Duration::minutes(10),
    }
}

/// As the database's owner: edits event `seq`'s payload and re-hashes every later event and
/// the chain head, so the chain alone still verifies; and removes the checkpoints it holds.
async fn rewrite_as_owner(app: &TestApp, seq: i64) {
    let pool = &app.pool;
    for statement in [
        "ALTER TABLE audit_events DISABLE TRIGGER USER",
        "ALTER TABLE audit_checkpoints DISABLE TRIGGER USER",
        "DELETE FROM audit_checkpoints",
    ] {
        sqlx::query(statement).execute(pool).await.expect(statement);
    }
    sqlx::query(
        "UPDATE audit_events SET payload = replace(payload, '\"v\":1', '\"v\":1 ') WHERE seq = $1",
    )
    .bind(seq)
    .execute(pool)
    .await
    .expect("edit");
    let rows: Vec<(i64, String)> =
        sqlx::query_as("SELECT seq, payload FROM audit_events WHERE seq >= $1 ORDER BY seq")
            .bind(seq)
            .fetch_all(pool)
            .await
            .expect("events");
    let mut prev: Vec<u8> =
        sqlx::query_scalar("SELECT entry_hash FROM audit_events WHERE seq = $1")
            .bind(seq - 1)
            .fetch_one(pool)
            .await
            .expect("previous");
    for (seq, payload) in rows {
        let hash = app::backend::audit::entry_hash(seq, &prev, payload.as_bytes());
        sqlx::query("UPDATE audit_events SET prev_hash = $2, entry_hash = $3 WHERE seq = $1")
            .bind(seq)
            .bind(&prev)
            .bind(&hash[..])
            .execute(pool)
            .await
            .expect("re-hash");
        prev = hash.to_vec();
    }
    sqlx::query("UPDATE audit_chain_head SET last_hash = $1")
        .bind(&prev)
        .execute(pool)
        .await
        .expect("head");
    for statement in [
        "ALTER TABLE audit_events ENABLE TRIGGER USER",
        "ALTER TABLE audit_checkpoints ENABLE TRIGGER USER",
    ] {
        sqlx::query(statement).execute(pool).await.expect(statement);
    }
}

#[tokio::test]
async fn a_checkpoint_kept_outside_catches_a_chain_its_owner_rewrote_and_re_hashed() {
    let app = spawn_app().await;
    app.load_demo().await;
    let dir = tempfile::tempdir().expect("dir");
    let keys = key_folder(dir.path());
    let file = dir.path().join("checkpoints.jsonl");
    let sinks = Sinks {
        cadence: every_event(),
        file: Some(file.clone()),
        url: None,
    };
    let client = reqwest::Client::new();
    let taken = once(&app.pool, &keys, &Clock::system(), &sinks, &client)
        .await
        .expect("checkpoint")
        .expect("due: events and no checkpoint yet");
    assert!(keys.verify_checkpoint(&taken).is_ok());
    assert!(
        once(&app.pool, &keys, &Clock::system(), &sinks, &client)
            .await
            .expect("checkpoint")
            .is_none(),
        "nothing new: no second checkpoint"
    );
    let folder = dir.path().join("signing");
    let file_arg = file.to_str().expect("a UTF-8 path");
    let verified = server(
        &app,
        &folder,
        &["audit", "verify", "--checkpoints", file_arg],
    );
    assert!(
        verified.status.success(),
        "{}",
        String::from_utf8_lossy(&verified.stderr)
    );

    rewrite_as_owner(&app, 3).await;
    // The chain alone still verifies: the owner re-hashed it and removed the checkpoints…
    let alone = server(&app, &folder, &["audit", "verify"]);
    assert!(
        alone.status.success(),
        "{}",
        String::from_utf8_lossy(&alone.stderr)
    );
    // …but not against the copy kept outside the database.
    let against = server(
        &app,
        &folder,
        &["audit", "verify", "--checkpoints", file_arg],
    );
    assert!(!against.status.success());
    let stderr = String::from_utf8_lossy(&against.stderr);
    assert!(stderr.contains("the chain was rewritten"), "{stderr}");
}

#[tokio::test]
async fn checkpoints_are_posted_to_a_webhook() {
    use axum::routing::post;
    let app = spawn_app().await;
    app.load_demo().await;
    let (sender, mut received) = tokio::sync::mpsc::unbounded_channel::<Value>();
    let receiver = axum::Router::new().route(
        "/checkpoints",
        post(move |axum::Json(body): axum::Json<Value>| {
            let sender = sender.clone();
            async move {
                let _ = sender.send(body);
                "stored"
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let address = listener.local_addr().expect("address");
    tokio::spawn(async move { axum::serve(listener, receiver).await });
    let sinks = Sinks {
        cadence: every_event(),
        file: None,
        url: Some(format!("http://{address}/checkpoints")),
    };
    let taken = once(
        &app.pool,
        &app.signing_keys,
        &Clock::system(),
        &sinks,
        &reqwest::Client::new(),
    )
    .await
    .expect("checkpoint")
    .expect("due");
    let posted = received.recv().await.expect("posted");
    assert_eq!(posted, serde_json::to_value(&taken).expect("json"));
}

async fn api(app: &TestApp, token: &str, path: &str, accept: Option<&str>) -> reqwest::Response {
    let mut request = app.client.get(app.url(path)).bearer_auth(token);
    if let Some(accept) = accept {
        request = request.header("accept", accept);
    }
    request.send().await.expect("request")
}

#[tokio::test]
async fn a_siem_pages_through_the_log_verifies_it_and_reads_the_checkpoints() {
    let app = spawn_app().await;
    app.load_demo().await;
    let admin = app
        .create_user("root@example.com", "Root", &[Role::Admin])
        .await;
    app.enroll_totp(admin).await;
    let token = app
        .api_token_with("root@example.com", TokenScope::Read, 30)
        .await;
    app.create_user("eve@example.com", "Eve", &[]).await;
    let employee = app.api_token("eve@example.com").await;

    let page: Value = api(&app, &token, "/api/v1/audit?after=0&limit=5", None)
        .await
        .json()
        .await
        .expect("json");
    let events = page["events"].as_array().expect("events");
    assert_eq!(events.len(), 5);
    assert_eq!(page["next_after"], 5);
    // Each event carries what a SIEM needs to verify the chain on its own.
    let second = &events[1];
    let prev = hex_bytes(second["prev_hash"].as_str().expect("hex"));
    let payload = second["payload"].as_str().expect("payload");
    let hash = app::backend::audit::entry_hash(2, &prev, payload.as_bytes());
    assert_eq!(hex(&hash), second["entry_hash"]);
    assert_eq!(events[0]["entry_hash"], second["prev_hash"]);

    let lines = api(
        &app,
        &token,
        "/api/v1/audit?after=5&limit=3",
        Some("application/x-ndjson"),
    )
    .await;
    assert_eq!(lines.headers()["content-type"], "application/x-ndjson");
    let text = lines.text().await.expect("text");
    let seqs: Vec<i64> = text
        .lines()
        .map(|line| {
            serde_json::from_str::<Value>(line).expect("a JSON line")["seq"]
                .as_i64()
                .expect("seq")
        })
        .collect();
    assert_eq!(seqs, [6, 7, 8]);

    once(
        &app.pool,
        &app.signing_keys,
        &Clock::system(),
        &Sinks {
            cadence: every_event(),
            file: None,
            url: None,
        },
        &reqwest::Client::new(),
    )
    .await
    .expect("checkpoint");
    let checkpoints: Value = api(&app, &token, "/api/v1/audit/checkpoints", None)
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(checkpoints.as_array().expect("list").len(), 1);
    let verification: Value = api(&app, &token, "/api/v1/audit/verify", None)
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(verification["intact"], true, "{verification}");
    assert_eq!(verification["checkpoints_checked"], 1);

    for path in [
        "/api/v1/audit",
        "/api/v1/audit/verify",
        "/api/v1/audit/checkpoints",
    ] {
        assert_eq!(
            api(&app, &employee, path, None).await.status(),
            403,
            "{path}"
        );
    }
    let bad: Value = api(&app, &token, "/api/v1/audit?limit=0", None)
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(bad["error"]["field"], "limit");
}

#[tokio::test]
async fn the_command_line_exports_the_log_as_json_lines() {
    let app = spawn_app().await;
    app.load_demo().await;
    let dir = tempfile::tempdir().expect("dir");
    let total: i64 = sqlx::query_scalar("SELECT count(*) FROM audit_events")
        .fetch_one(&app.pool)
        .await
        .expect("count");
    let output = server(
        &app,
        &dir.path().join("signing"),
        &["audit", "export", "--after", "2"],
    );
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let lines: Vec<Value> = String::from_utf8_lossy(&output.stdout)
        .lines()
        .map(|line| serde_json::from_str(line).expect("a JSON line"))
        .collect();
    assert_eq!(i64::try_from(lines.len()).expect("count"), total - 2);
    assert_eq!(lines[0]["seq"], 3);
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn hex_bytes(text: &str) -> Vec<u8> {
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&text[i..i + 2], 16).expect("hex"))
        .collect()
}
