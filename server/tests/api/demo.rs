use app::backend::demo::{self, DEMO_PASSWORD, DEMO_PEOPLE, DEMO_TEAMS};
use app::backend::identity::auth::sign_in::{check_password, PasswordStep};
use app::error::AppError;
use chrono::Utc;

use crate::helpers::spawn_app;

#[tokio::test]
async fn loading_the_demo_twice_changes_nothing_the_second_time() {
    let app = spawn_app().await;
    let first = demo::load(&app.pool, &app.totp_key, &app.signing_keys, Utc::now())
        .await
        .expect("first load");
    assert!(first.organization);
    assert_eq!(first.teams, DEMO_TEAMS.len() as u64);
    assert_eq!(first.people, DEMO_PEOPLE.len() as u64);

    let second = demo::load(&app.pool, &app.totp_key, &app.signing_keys, Utc::now())
        .await
        .expect("second load");
    assert!(!second.organization);
    assert_eq!(second.teams, 0);
    assert_eq!(second.people, 0);
    assert_eq!(
        (first.incidents, second.incidents),
        (3, 0),
        "two incidents and an exercise"
    );

    let teams: i64 = sqlx::query_scalar("SELECT count(*) FROM teams")
        .fetch_one(&app.pool)
        .await
        .expect("count");
    assert_eq!(teams, DEMO_TEAMS.len() as i64);
}

#[tokio::test]
async fn the_demo_is_never_loaded_into_a_real_organization() {
    let app = spawn_app().await;
    sqlx::query("INSERT INTO organization (name, is_demo) VALUES ('Real Corp', false)")
        .execute(&app.pool)
        .await
        .expect("real organization");

    let result = demo::load(&app.pool, &app.totp_key, &app.signing_keys, Utc::now()).await;
    assert!(
        matches!(result, Err(AppError::Conflict { .. })),
        "{result:?}"
    );
    let teams: i64 = sqlx::query_scalar("SELECT count(*) FROM teams")
        .fetch_one(&app.pool)
        .await
        .expect("count");
    assert_eq!(teams, 0, "nothing half-written");
}

#[tokio::test]
async fn demo_people_cover_every_role_and_reviewers_and_admins_have_totp() {
    let app = spawn_app().await;
    app.load_demo().await;
    let people = demo::sign_ins(&app.pool, &app.totp_key)
        .await
        .expect("sign-ins");
    assert_eq!(people.len(), DEMO_PEOPLE.len());
    for person in &people {
        let needs_totp = person.roles.iter().any(|role| role.requires_totp());
        assert_eq!(person.otpauth_url.is_some(), needs_totp, "{}", person.email);
        if let Some(url) = &person.otpauth_url {
            assert!(url.starts_with("otpauth://totp/"), "{url}");
        }
    }
    let roles: std::collections::BTreeSet<_> =
        people.iter().flat_map(|p| p.roles.clone()).collect();
    assert_eq!(roles.len(), 4, "every role is represented: {roles:?}");

    // The printed password works; reviewers and admins are then asked for their code.
    let employee = check_password(
        &app.pool,
        "eli.employee@northwind.example",
        DEMO_PASSWORD,
        None,
        Utc::now(),
    )
    .await;
    assert!(
        matches!(employee, Ok(PasswordStep::SignedIn { .. })),
        "{employee:?}"
    );
    let admin = check_password(
        &app.pool,
        "nora.admin@northwind.example",
        DEMO_PASSWORD,
        None,
        Utc::now(),
    )
    .await;
    assert!(
        matches!(admin, Ok(PasswordStep::SecondFactorRequired { .. })),
        "{admin:?}"
    );
}

#[tokio::test]
async fn no_demo_sign_ins_outside_the_demo() {
    let app = spawn_app().await;
    let people = demo::sign_ins(&app.pool, &app.totp_key)
        .await
        .expect("sign-ins");
    assert!(people.is_empty());
}

#[tokio::test]
async fn the_demo_has_a_request_in_every_state_with_verifiable_receipts() {
    let app = spawn_app().await;
    app.load_demo().await;
    let states: Vec<String> =
        sqlx::query_scalar("SELECT DISTINCT state FROM tool_requests ORDER BY state")
            .fetch_all(&app.pool)
            .await
            .expect("states");
    let mut all: Vec<&str> = app::domain::requests::state::RequestState::ALL
        .iter()
        .map(|s| s.as_str())
        .collect();
    all.sort_unstable();
    assert_eq!(states, all);
    // A high-risk request waits for its second sign-off.
    let waiting: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM tool_requests r WHERE r.state = 'in_review' AND r.required_approvals = 2
           AND (SELECT count(*) FROM request_signoffs s WHERE s.request_id = r.request_id) = 1",
    )
    .fetch_one(&app.pool)
    .await
    .expect("count");
    assert_eq!(waiting, 1);
    let receipts: Vec<(String, String, String)> =
        sqlx::query_as("SELECT key_id, payload, signature FROM request_signoffs")
            .fetch_all(&app.pool)
            .await
            .expect("receipts");
    assert!(receipts.len() >= 4);
    for (key_id, payload, signature) in receipts {
        let receipt = app::domain::requests::receipt::SignedReceipt {
            algorithm: "Ed25519".into(),
            key_id,
            payload,
            signature,
        };
        app.signing_keys.verify_receipt(&receipt).expect("verifies");
    }
    // The approvals wrote the registry: a new entry, and Payments added to Claude Code.
    let notion: String = sqlx::query_scalar("SELECT status FROM tools WHERE slug = 'notion-ai'")
        .fetch_one(&app.pool)
        .await
        .expect("Notion AI in the registry");
    assert_eq!(notion, "approved");
}

/// The demo's incident response: the article's scenario resolved with its review and
/// follow-ups, one incident under triage, each following its kind's playbook.
#[tokio::test]
async fn the_demo_has_a_reviewed_incident_an_open_one_and_playbooks() {
    let app = spawn_app().await;
    app.load_demo().await;
    let incidents: Vec<(String, String, String, Option<i32>)> = sqlx::query_as(
        "SELECT kind, status, root_cause, playbook_version FROM incidents ORDER BY number",
    )
    .fetch_all(&app.pool)
    .await
    .expect("incidents");
    assert_eq!(incidents.len(), 2);
    let (kind, status, root_cause, version) = &incidents[0];
    assert_eq!(
        (kind.as_str(), status.as_str()),
        ("tool_compromised", "closed")
    );
    assert!(!root_cause.is_empty());
    assert_eq!(
        *version,
        Some(2),
        "the playbook as reviewed after the demo's exercise"
    );
    assert_eq!(
        (incidents[1].0.as_str(), incidents[1].1.as_str()),
        ("data_sent", "triaged")
    );
    let (steps, done): (i64, i64) = sqlx::query_as(
        "SELECT count(*), count(done_at) FROM incident_steps s
         JOIN incidents i ON i.incident_id = s.incident_id WHERE i.status = 'closed'",
    )
    .fetch_one(&app.pool)
    .await
    .expect("steps");
    assert!(steps > 0 && steps == done, "{done} of {steps}");
    let playbooks: i64 = sqlx::query_scalar("SELECT count(DISTINCT kind) FROM playbook_versions")
        .fetch_one(&app.pool)
        .await
        .expect("playbooks");
    assert_eq!(playbooks, 3);
    let reviewer = app
        .signed_in("demo.reviewer@example.com", &[app::domain::Role::Reviewer])
        .await;
    let (status, list) = app
        .call_json(
            "incidents",
            &[("query[status]", "")],
            Some(&reviewer.cookie),
        )
        .await;
    assert_eq!(status, 200, "{list}");
    assert_eq!(list["incidents"].as_array().map(Vec::len), Some(2));
}
