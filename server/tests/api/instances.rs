//! Two portal instances on one database: what is changed through one, the other honours within
//! a second, although each keeps in memory the tokens it has seen, the policy answers and
//! registry pages it has sent, and the compiled scanner.

use std::time::{Duration, Instant};

use app::domain::Role;
use uuid::Uuid;

use server::config::ServeOptions;

use crate::helpers::{
    spawn_app, spawn_app_on, spawn_app_on_configured, spawn_configured_app, test_options, TestApp,
};

async fn me(app: &TestApp, token: &str) -> reqwest::Response {
    app.api_get("/api/v1/me", token).await
}

/// Calls `/api/v1/me` on `app` until `answered` holds, for at most a second; how long it took.
async fn within_a_second(
    app: &TestApp,
    token: &str,
    answered: impl Fn(u16, &serde_json::Value) -> bool,
) -> Duration {
    let start = Instant::now();
    loop {
        let response = me(app, token).await;
        let status = response.status().as_u16();
        let body = response.json().await.unwrap_or(serde_json::Value::Null);
        if answered(status, &body) {
            return start.elapsed();
        }
        assert!(
            start.elapsed() < Duration::from_secs(1),
            "still {status} {body} after a second"
        );
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

#[tokio::test]
async fn a_token_revoked_or_a_role_removed_on_one_instance_holds_on_the_other_within_a_second() {
    let a = spawn_app().await;
    let b = spawn_app_on(a.database.clone(), a.pool.clone()).await;
    let rita = a.signed_in("rita@example.com", &[Role::Reviewer]).await;
    let token = a.api_token("rita@example.com").await;
    // Both instances answer (and keep the token) many times over.
    for _ in 0..20 {
        assert_eq!(me(&a, &token).await.status(), 200);
        assert_eq!(me(&b, &token).await.status(), 200);
    }

    // Another instance (or an admin's SQL) takes the reviewer role away: b's answer follows.
    sqlx::query("DELETE FROM user_roles WHERE user_id = $1 AND role = 'reviewer'")
        .bind(rita.user_id)
        .execute(&a.pool)
        .await
        .expect("remove the role");
    let took = within_a_second(&b, &token, |status, body| {
        status == 200 && body["roles"] == serde_json::json!(["employee"])
    })
    .await;
    eprintln!("the role change held on the other instance after {took:?}");

    // Revoked through instance a's page: a refuses at once, b within a second.
    let id: Uuid = sqlx::query_scalar("SELECT api_token_id FROM api_tokens WHERE user_id = $1")
        .bind(rita.user_id)
        .fetch_one(&a.pool)
        .await
        .expect("token id");
    for _ in 0..5 {
        assert_eq!(me(&b, &token).await.status(), 200);
    }
    let (status, _) = a
        .call_json(
            "revoke_api_token",
            &[("id", &id.to_string())],
            Some(&rita.cookie),
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(me(&a, &token).await.status(), 401, "the revoking instance");
    let took = within_a_second(&b, &token, |status, _| status == 401).await;
    eprintln!("the revocation held on the other instance after {took:?}");
}

/// Asks `probe` until it holds, for at most a second; how long it took.
async fn held_within_a_second<F: std::future::Future<Output = bool>>(
    what: &str,
    mut probe: impl FnMut() -> F,
) -> Duration {
    let start = Instant::now();
    while !probe().await {
        assert!(
            start.elapsed() < Duration::from_secs(1),
            "{what}: not held after a second"
        );
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    start.elapsed()
}

const CHECK: &str =
    "/api/v1/policy/check?tool=claude-code&data_class=internal-documents&team=payments";

async fn allowed(app: &TestApp, token: &str) -> bool {
    let response = app.api_get(CHECK, token).await;
    assert_eq!(response.status(), 200);
    let answer: serde_json::Value = response.json().await.expect("json");
    answer["allowed"] == true
}

/// Whether the registry lists claude-code among the tools approved for internal documents.
async fn listed(app: &TestApp, token: &str) -> bool {
    let response = app
        .api_get("/api/v1/tools?data_class=internal-documents", token)
        .await;
    assert_eq!(response.status(), 200);
    let page: serde_json::Value = response.json().await.expect("json");
    page["tools"]
        .as_array()
        .expect("tools")
        .iter()
        .any(|tool| tool["slug"] == "claude-code")
}

async fn internal_found(app: &TestApp, token: &str) -> bool {
    let report: serde_json::Value = app
        .client
        .post(app.url("/api/v1/scan"))
        .bearer_auth(token)
        .json(&serde_json::json!({ "text": "INTERNAL ONLY: onboarding notes" }))
        .send()
        .await
        .expect("scan")
        .json()
        .await
        .expect("json");
    report["classes"]
        .as_array()
        .expect("classes")
        .iter()
        .any(|c| c["class"] == "internal-documents")
}

/// Runs `sql` as another instance would, or, `quietly`, with the triggers off: as if the
/// notification were lost.
async fn written(app: &TestApp, sql: &str, quietly: bool) {
    let mut tx = app.pool.begin().await.expect("begin");
    if quietly {
        sqlx::query("SET LOCAL session_replication_role = replica")
            .execute(&mut *tx)
            .await
            .expect("triggers off");
    }
    sqlx::raw_sql(sql).execute(&mut *tx).await.expect("written");
    tx.commit().await.expect("commit");
}

#[tokio::test]
async fn policy_answers_and_scan_rules_kept_by_each_instance_follow_a_change_within_a_second() {
    // A minute's TTL: what follows within a second is the notification's doing, not the TTL's.
    let options = ServeOptions {
        cache_ttl_ms: 60_000,
        ..test_options()
    };
    let a = spawn_configured_app(options.clone()).await;
    let b = spawn_app_on_configured(a.database.clone(), a.pool.clone(), options).await;
    a.load_demo().await;
    let token = a.api_token("eli.employee@northwind.example").await;
    let token = token.as_str();
    // Both instances answer, and keep the answer, the page and the compiled rules.
    for app in [&a, &b] {
        assert!(allowed(app, token).await);
        assert!(listed(app, token).await);
        assert!(internal_found(app, token).await);
    }

    // The approval no longer lists internal documents and the marking's detector is retired,
    // with the notifications lost: both instances go on answering from what they keep.
    written(
        &a,
        "DELETE FROM tool_data_classes WHERE tool_id = (SELECT tool_id FROM tools
             WHERE slug = 'claude-code') AND data_class_id = (SELECT data_class_id
             FROM data_classes WHERE slug = 'internal-documents');
         UPDATE scan_detectors SET retired_at = now() WHERE data_class_id =
             (SELECT data_class_id FROM data_classes WHERE slug = 'internal-documents');",
        true,
    )
    .await;
    for app in [&a, &b] {
        assert!(allowed(app, token).await, "the kept answer");
        assert!(listed(app, token).await, "the kept page");
        assert!(internal_found(app, token).await, "the kept rules");
    }

    // Any statement on a watched table notifies, even one that changes no row.
    written(
        &a,
        "UPDATE tool_data_classes SET tool_id = tool_id WHERE false;
         UPDATE scan_detectors SET version = version WHERE false;",
        false,
    )
    .await;
    for app in [&a, &b] {
        let took =
            held_within_a_second(
                "the policy answer",
                || async move { !allowed(app, token).await },
            )
            .await;
        eprintln!("the policy change held after {took:?}");
        let took =
            held_within_a_second(
                "the registry page",
                || async move { !listed(app, token).await },
            )
            .await;
        eprintln!("the registry change held after {took:?}");
        let took = held_within_a_second("the retired detector", || async move {
            !internal_found(app, token).await
        })
        .await;
        eprintln!("the rules change held after {took:?}");
    }
}
