//! Nothing secret reaches the log: with every span and event recorded at the most detailed
//! level, an invitation accepted, a password, a second factor and an API token used leave no
//! trace of themselves in what the portal logs.

use std::io::Write;
use std::sync::{Arc, Mutex};

use app::domain::Role;
use serde_json::Value;
use tracing_subscriber::fmt::format::FmtSpan;

use crate::helpers::{cookie_of, spawn_app, PASSWORD};

#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().expect("lock").extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Captured {
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().expect("lock")).into_owned()
    }
}

/// Every span and event at the most detailed level, captured for as long as the guard lives.
/// The test's runtime runs on this thread, the portal included.
fn capture_everything() -> (Captured, tracing::subscriber::DefaultGuard) {
    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_span_events(FmtSpan::NEW | FmtSpan::CLOSE)
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .finish();
    (captured, tracing::subscriber::set_default(subscriber))
}

#[tokio::test]
async fn invitations_passwords_codes_and_tokens_never_reach_the_log() {
    let (captured, _guard) = capture_everything();

    let app = spawn_app().await;
    // Other tests' threads may have registered a callsite while this subscriber was being
    // added, caching "nobody listens" for it: ask every callsite again.
    tracing::callsite::rebuild_interest_cache();
    app.load_demo().await;
    let admin = app.signed_in("root@example.com", &[Role::Admin]).await;
    let response = app
        .call(
            "admin/invite",
            &[
                ("email", "rita@example.com"),
                ("name", "Rita"),
                ("roles[]", "reviewer"),
            ],
            Some(&admin.cookie),
        )
        .await;
    assert_eq!(response.status(), 200);
    let (_, people) = app
        .call_json("admin/people", &[], Some(&admin.cookie))
        .await;
    let link = people["reveal"]["InvitationLink"]["url"]
        .as_str()
        .expect("link")
        .to_owned();
    let invitation = link.rsplit('#').next().expect("token").to_owned();
    let opened = app
        .call("open_invitation", &[("code", &invitation)], None)
        .await;
    let visitor = cookie_of(&opened).expect("cookie");
    let accepted = app
        .call(
            "accept_invitation",
            &[("password", PASSWORD)],
            Some(&visitor),
        )
        .await;
    assert_eq!(accepted.status(), 200);

    // Signing in again: the password and a code.
    let code = app.fresh_code(&admin);
    let pending = app.password_step("root@example.com").await;
    let code_step = app
        .call("sign_in_code", &[("code", &code)], Some(&pending))
        .await;
    assert_eq!(code_step.status(), 200);
    let cookie = cookie_of(&code_step).expect("signed in");
    let (status, body) = app
        .call_json(
            "create_api_token",
            &[
                ("name", "logger"),
                ("scope", "read"),
                ("expires_in_days", "30"),
            ],
            Some(&cookie),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let (_, account) = app.call_json("account", &[], Some(&cookie)).await;
    let token = account["reveal"]["ApiToken"]["token"]
        .as_str()
        .expect("token")
        .to_owned();
    let me: Value = app
        .client
        .get(app.url("/api/v1/me"))
        .bearer_auth(&token)
        .send()
        .await
        .expect("request")
        .json()
        .await
        .expect("json");
    assert_eq!(me["email"], "root@example.com");

    let log = captured.text();
    assert!(
        log.contains("request"),
        "the log was captured: {}",
        &log[..log.len().min(400)]
    );
    for (what, secret) in [
        ("invitation token", &invitation[4..]),
        ("password", PASSWORD),
        ("second-factor code", code.as_str()),
        ("API token", token.strip_prefix("agp_").expect("token")),
    ] {
        assert!(!log.contains(secret), "the {what} appears in the log");
    }
}

/// A text checked by the scanner is never stored: scanned through the API (with a verdict and
/// refused), and through the scan page (found and refused), with every span and event
/// recorded, neither the log nor any table of the database holds it afterwards.
#[tokio::test]
async fn scanned_text_never_reaches_the_log_or_the_database() {
    let (captured, _guard) = capture_everything();
    let app = spawn_app().await;
    tracing::callsite::rebuild_interest_cache();
    app.load_demo().await;

    let marker = format!("zebra-{}-marker", uuid::Uuid::new_v4().simple());
    let key = "AKIAZZZZQWERTY234567";
    let text = format!("{marker} with key {key} and card 5555 5555 5555 4444");
    let token = app.api_token("eli.employee@northwind.example").await;
    for (tool, team, status) in [
        ("chatgpt", "payments", 200),
        ("no-such-tool", "payments", 422),
    ] {
        let response = app
            .client
            .post(app.url("/api/v1/scan"))
            .bearer_auth(&token)
            .json(&serde_json::json!({ "text": text, "tool": tool, "team": team }))
            .send()
            .await
            .expect("request");
        assert_eq!(response.status(), status);
    }
    let person = app
        .signed_in("scan.logged@example.com", &[Role::Employee])
        .await;
    for team in ["payments", "no-such-team"] {
        let page = app
            .client
            .post(app.url("/scan"))
            .header("origin", &app.address)
            .header("accept", "text/html")
            .header("cookie", &person.cookie)
            .form(&[("text", text.as_str()), ("tool", "chatgpt"), ("team", team)])
            .send()
            .await
            .expect("page");
        assert_eq!(page.status(), 200);
    }

    let log = captured.text();
    assert!(log.contains("scan"), "the log was captured");
    for secret in [marker.as_str(), key] {
        assert!(!log.contains(secret), "{secret} appears in the log");
    }
    let tables: Vec<String> = sqlx::query_scalar(
        "SELECT quote_ident(table_name) FROM information_schema.tables
         WHERE table_schema = 'public' AND table_type = 'BASE TABLE'",
    )
    .fetch_all(&app.pool)
    .await
    .expect("tables");
    assert!(tables.len() > 20, "{tables:?}");
    // While the scans are recorded, and once they are written to the audit chain.
    assert_eq!(app.count("SELECT count(*) FROM scan_records").await, 2);
    for flushed in [false, true] {
        if flushed {
            app.flush_scans().await;
        }
        for table in &tables {
            for secret in [marker.as_str(), key] {
                let found: i64 = sqlx::query_scalar(&format!(
                    "SELECT count(*) FROM {table} t WHERE t::text LIKE '%' || $1 || '%'"
                ))
                .bind(secret)
                .fetch_one(&app.pool)
                .await
                .expect("searched");
                assert_eq!(found, 0, "{secret} is stored in {table}");
            }
        }
    }
    assert_eq!(
        app.count(
            "SELECT sum((payload::jsonb->'after'->>'scans')::int)::bigint FROM audit_events
             WHERE action = 'scan.performed'"
        )
        .await,
        2,
        "the two scans that ran are audited, by size and counts"
    );
}
