//! Past a tool's review date the organization's setting either only warns or suspends the
//! tool: an automatic suspension is a stop the portal signs by itself — the banner, the open
//! requests held, the policy check's no — and a reviewer's signed reinstatement, which sets
//! the next review, brings the tool back.

use app::backend::jobs::{reminders, worker};
use app::domain::requests::receipt::SignedReceipt;
use app::domain::{Membership, Role};
use serde_json::Value;

use crate::helpers::{spawn_app, TestApp};

const POLICY: &str =
    "/api/v1/policy/check?tool=claude-code&data_class=internal-documents&team=payments";

const OVERDUE_NOTICES: &str =
    "SELECT count(*) FROM notifications WHERE message LIKE 'The review of Claude Code was due on%'";

/// Runs the day's scheduled work as the worker does.
async fn run_the_day(app: &TestApp) {
    reminders::schedule(&app.pool, app.now())
        .await
        .expect("scheduled");
    worker::run_due(&app.services).await.expect("jobs ran");
}

/// How many notifications `email` got whose message is LIKE `pattern`.
async fn notices(app: &TestApp, email: &str, pattern: &str) -> i64 {
    sqlx::query_scalar(
        "SELECT count(*) FROM notifications n JOIN users u USING (user_id)
         WHERE u.email = $1 AND n.message LIKE $2",
    )
    .bind(email)
    .bind(pattern)
    .fetch_one(&app.pool)
    .await
    .expect("count")
}

async fn policy(app: &TestApp, token: &str) -> Value {
    let response = app.api_get(POLICY, token).await;
    assert_eq!(response.status(), 200);
    response.json().await.expect("json")
}

async fn settings(app: &TestApp, cookie: &str, overdue: &'static str) -> (u16, Value) {
    let form = [
        ("name", "Northwind"),
        ("max_review_months", "12"),
        ("stale_policy", "deny"),
        ("response_review_months", "12"),
        ("review_target_days", "3"),
        ("overdue_policy", overdue),
    ];
    app.call_json("admin/update_settings", &form, Some(cookie))
        .await
}

#[tokio::test]
async fn past_its_review_date_a_tool_is_suspended_only_when_the_organization_says_so() {
    let app = spawn_app().await;
    app.load_demo().await;
    let admin = app.signed_in("root@example.com", &[Role::Admin]).await;
    let mut eli = app.signed_in("eli@example.com", &[]).await;
    app.join(eli.user_id, "payments", Membership::Member).await;
    let token = app.api_token("eli@example.com").await;
    let mut draft = crate::requests::draft();
    draft.push(("request[tool]", "claude-code"));
    let held = app.submit_form(&eli, &draft).await;
    let due = app.now().date_naive() - chrono::Days::new(1);
    // (The demo's Copilot is overdue too: only Claude Code is, here.)
    sqlx::query(
        "UPDATE tools SET next_review = CASE WHEN slug = 'claude-code' THEN $1 ELSE $1 + 400 END",
    )
    .bind(due)
    .execute(&app.pool)
    .await
    .expect("review date passed");

    // Only warning (the default): still allowed, with the warning; reviewers told it is overdue.
    run_the_day(&app).await;
    let answer = policy(&app, &token).await;
    assert_eq!(answer["allowed"], true, "{answer}");
    assert!(
        answer["reason"]
            .as_str()
            .unwrap_or_default()
            .contains("overdue"),
        "{answer}"
    );
    assert_eq!(app.count("SELECT count(*) FROM tool_stops").await, 0);

    // Only admins choose; a bad choice names its field, with and without JavaScript.
    let (status, _) = settings(&app, &eli.cookie, "suspend").await;
    assert_eq!(status, 403);
    let (status, body) = settings(&app, &admin.cookie, "sometimes").await;
    assert_eq!(
        (status, body["field"].as_str()),
        (422, Some("overdue_policy")),
        "{body}"
    );
    let back = app
        .refused_form(
            "admin/update_settings",
            &[("name", "Northwind"), ("overdue_policy", "later")],
            "/admin/settings",
            &admin.cookie,
        )
        .await;
    let shown = app.html(&back, &admin.cookie).await;
    assert!(shown.contains("must be one of warn, suspend"), "{shown}");
    let (status, body) = settings(&app, &admin.cookie, "suspend").await;
    assert_eq!(status, 200, "{body}");
    let (_, chosen) = app
        .call_json("admin/settings", &[], Some(&admin.cookie))
        .await;
    assert_eq!(chosen["overdue_policy"], "suspend");
    assert_eq!(
        app.count(
            "SELECT count(*) FROM audit_events WHERE action = 'settings.changed'
             AND payload::jsonb->'after'->>'overdue_policy' = 'suspend'
             AND payload::jsonb->'before'->>'overdue_policy' = 'warn'"
        )
        .await,
        1
    );

    // The next day's check suspends it: no, with the rollback plan; the request waits; the
    // people using it see the banner; reviewers hear what brings it back.
    app.advance(24 * 3600);
    // (Sessions end after idling: a day later, they sign in again.)
    eli.cookie = app.sign_in("eli@example.com", None).await;
    // Its review date is yesterday again: the day the warning alone would flag it once more.
    let due = due + chrono::Days::new(1);
    sqlx::query("UPDATE tools SET next_review = $1 WHERE slug = 'claude-code'")
        .bind(due)
        .execute(&app.pool)
        .await
        .expect("review date passed");
    let flagged = app.count(OVERDUE_NOTICES).await;
    assert!(flagged > 0);
    run_the_day(&app).await;
    let answer = policy(&app, &token).await;
    assert_eq!(answer["allowed"], false, "{answer}");
    assert!(
        answer["reason"]
            .as_str()
            .unwrap_or_default()
            .contains(&format!("Its review was due on {due}")),
        "{answer}"
    );
    assert_eq!(app.request(&eli, &held).await["on_hold"], true);
    let (_, user) = app.call_json("current_user", &[], Some(&eli.cookie)).await;
    assert_eq!(user["stops"].as_array().map(Vec::len), Some(1), "{user}");
    let (receipt_id, stopped_by, step): (uuid::Uuid, Option<uuid::Uuid>, Option<i64>) =
        sqlx::query_as("SELECT stop_id, stopped_by, totp_step FROM tool_stops")
            .fetch_one(&app.pool)
            .await
            .expect("one stop");
    assert_eq!((stopped_by, step), (None, None), "nobody pulled it");
    assert_eq!(
        app.count(OVERDUE_NOTICES).await,
        flagged,
        "suspended, not flagged once more"
    );
    assert_eq!(
        notices(
            &app,
            "ravi.reviewer@northwind.example",
            "%reinstates it from its page%"
        )
        .await,
        1
    );
    assert_eq!(
        notices(
            &app,
            "ravi.reviewer@northwind.example",
            "Claude Code is stopped for everyone%"
        )
        .await,
        0,
        "reviewers are told once"
    );
    assert_eq!(
        notices(
            &app,
            "eli@example.com",
            "Claude Code is stopped for everyone%"
        )
        .await,
        1,
        "the people using it are told"
    );
    assert_eq!(
        app.count(
            "SELECT count(*) FROM audit_events WHERE action = 'tool.stopped'
             AND actor = 'system' AND payload::jsonb->'after'->>'review_due_on' IS NOT NULL"
        )
        .await,
        1
    );
    let page = app
        .page("/tools/claude-code", &eli.cookie)
        .await
        .text()
        .await
        .expect("page");
    assert!(page.contains("Suspended: its review is overdue"), "{page}");
    assert!(page.contains("Suspended automatically by the portal"));

    // Its receipt is signed by the portal with no reviewer and no code, and says why.
    let response = app
        .api_get(&format!("/api/v1/receipts/{receipt_id}"), &token)
        .await;
    assert_eq!(response.status(), 200);
    let receipt: SignedReceipt = response.json().await.expect("receipt");
    let document = app.signing_keys.verify_stop(&receipt).expect("verifies");
    assert_eq!(document.receipt_kind, "review_overdue");
    assert_eq!(document.reviewer, None);
    assert_eq!(document.review_due_on, Some(due.to_string()));
    assert_eq!(
        document.held_requests,
        [held.parse::<i64>().expect("number")]
    );
    // A forged "kill switch" without a reviewer does not pass for one.
    let mut forged = receipt.clone();
    forged.payload = forged.payload.replace("review_overdue", "kill_switch");
    assert!(app.signing_keys.verify_stop(&forged).is_err());

    // Once suspended it is suspended once: later days change nothing.
    app.advance(24 * 3600);
    // (Sessions end after idling: a day later, they sign in again.)
    eli.cookie = app.sign_in("eli@example.com", None).await;
    run_the_day(&app).await;
    assert_eq!(app.count("SELECT count(*) FROM tool_stops").await, 1);

    let rita = app.signed_in("rita@example.com", &[Role::Reviewer]).await;
    let mut sam = app.signed_in("sam@example.com", &[Role::Reviewer]).await;
    // A reviewer's reinstatement is the review: decided like any change with its risk (the stop
    // itself does not ask for two), it sets the next review and lifts everything.
    let (status, number) = app
        .call_json(
            "reinstate_tool",
            &[
                ("tool", "claude-code"),
                (
                    "reinstate[justification]",
                    "Reviewed again: the vendor's terms and the pinned release are unchanged.",
                ),
                (
                    "reinstate[facts_changed]",
                    "Nothing changed; the review was late.",
                ),
            ],
            Some(&rita.cookie),
        )
        .await;
    assert_eq!(status, 200, "{number}");
    let number = number.to_string();
    let proposal = app.request(&rita, &number).await;
    let factors = proposal["risk"]["factors"].to_string();
    assert!(!factors.contains("stopped_tool"), "{factors}");
    assert_eq!(proposal["risk"]["required_approvals"], 1, "{proposal}");
    app.assign(&sam, &number).await;
    let (status, state) = app.decide(&mut sam, &number, "approve").await;
    assert_eq!((status, state.as_str()), (200, Some("approved")), "{state}");
    let answer = policy(&app, &token).await;
    assert_eq!(answer["allowed"], true, "{answer}");
    let next: chrono::NaiveDate =
        sqlx::query_scalar("SELECT next_review FROM tools WHERE slug = 'claude-code'")
            .fetch_one(&app.pool)
            .await
            .expect("next review");
    assert!(next > app.now().date_naive(), "a new review date: {next}");
    assert_eq!(app.request(&eli, &held).await["on_hold"], false);
    let (_, user) = app.call_json("current_user", &[], Some(&eli.cookie)).await;
    assert_eq!(user["stops"], serde_json::json!([]), "the banner is gone");
    let verification = app::backend::audit::verify(&app.pool)
        .await
        .expect("verify");
    assert!(matches!(
        verification,
        app::backend::audit::Verification::Intact { .. }
    ));
}
