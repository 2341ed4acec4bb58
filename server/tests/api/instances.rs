//! Two portal instances on one database: what is changed through one, the other honours within
//! a second, although each keeps the tokens it has seen in memory.

use std::time::{Duration, Instant};

use app::domain::Role;
use uuid::Uuid;

use crate::helpers::{spawn_app, spawn_app_on, TestApp};

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
