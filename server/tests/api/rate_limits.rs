//! Per-account rate limits, counted in PostgreSQL (so they hold across instances): filing
//! requests and calling the API answer 429 with `Retry-After` once an account's share is used.

use app::domain::Membership;
use serde_json::Value;

use server::config::ServeOptions;

use crate::helpers::{spawn_app, spawn_configured_app, test_options, TestApp};
use crate::registry_editing::new_tool;
use crate::requests::draft;

/// Uses up the rest of `limit`'s current window for `user` (as other instances would have).
async fn use_up(app: &TestApp, limit: app::backend::platform::rate::RateLimit, user: uuid::Uuid) {
    let now = app.now().timestamp();
    let start = now - now.rem_euclid(limit.window_secs);
    sqlx::query(
        "UPDATE rate_counts SET count = $3 WHERE rate_key = $1 AND window_start = to_timestamp($2)",
    )
    .bind(format!("{}:{user}", limit.name))
    .bind(start as f64)
    .bind(limit.max)
    .execute(&app.pool)
    .await
    .expect("use up");
}

async fn counted(app: &TestApp, key: String) -> i32 {
    sqlx::query_scalar("SELECT COALESCE(sum(count), 0)::int FROM rate_counts WHERE rate_key = $1")
        .bind(key)
        .fetch_one(&app.pool)
        .await
        .expect("count")
}

#[tokio::test]
async fn filing_requests_is_limited_per_account() {
    use app::backend::platform::rate::REQUESTS_FILED;
    let app = spawn_app().await;
    app.load_demo().await;
    let eli = app.signed_in("eli@example.com", &[]).await;
    app.join(eli.user_id, "payments", Membership::Member).await;
    let other = app.signed_in("sam@example.com", &[]).await;
    app.join(other.user_id, "payments", Membership::Member)
        .await;

    let (status, _) = app
        .call_json("save_request", &draft(), Some(&eli.cookie))
        .await;
    assert_eq!(status, 200);
    assert_eq!(counted(&app, format!("requests:{}", eli.user_id)).await, 1);
    use_up(&app, REQUESTS_FILED, eli.user_id).await;
    let response = app.call("save_request", &draft(), Some(&eli.cookie)).await;
    assert_eq!(response.status(), 429);
    let wait: i64 = response.headers()["retry-after"]
        .to_str()
        .expect("ascii")
        .parse()
        .expect("seconds");
    assert!((1..=3600).contains(&wait), "{wait}");
    let body: Value = response.json().await.expect("json");
    assert_eq!(body["code"], "slow_down");
    assert_eq!(body["retry_after_secs"], wait);
    let filed: i64 =
        sqlx::query_scalar("SELECT count(*) FROM tool_requests WHERE requester_id = $1")
            .bind(eli.user_id)
            .fetch_one(&app.pool)
            .await
            .expect("count");
    assert_eq!(filed, 1, "nothing written past the limit");
    // Another person is not held back.
    let (status, _) = app
        .call_json("save_request", &draft(), Some(&other.cookie))
        .await;
    assert_eq!(status, 200);
}

#[tokio::test]
async fn a_registry_change_proposal_counts_as_a_request_filed() {
    use app::backend::platform::rate::REQUESTS_FILED;
    let app = spawn_app().await;
    app.load_demo().await;
    let rita = app
        .signed_in("rita@example.com", &[app::domain::Role::Reviewer])
        .await;
    let (status, saved) = app
        .call_json("save_tool", &new_tool(), Some(&rita.cookie))
        .await;
    assert_eq!((status, saved["outcome"].as_str()), (200, Some("proposed")));
    assert_eq!(counted(&app, format!("requests:{}", rita.user_id)).await, 1);
    use_up(&app, REQUESTS_FILED, rita.user_id).await;
    let response = app.call("save_tool", &new_tool(), Some(&rita.cookie)).await;
    assert_eq!(response.status(), 429);
    let proposed: i64 =
        sqlx::query_scalar("SELECT count(*) FROM tool_requests WHERE requester_id = $1")
            .bind(rita.user_id)
            .fetch_one(&app.pool)
            .await
            .expect("count");
    assert_eq!(proposed, 1, "nothing proposed past the limit");
}

#[tokio::test]
async fn api_calls_are_limited_per_account() {
    use app::backend::platform::rate::API_CALLS;
    let app = spawn_app().await;
    app.load_demo().await;
    let eve = app.create_user("eve@example.com", "Eve", &[]).await;
    let first = app.api_token("eve@example.com").await;
    let second = app.api_token("eve@example.com").await;
    let call = |token: String| {
        app.client
            .get(app.url("/api/v1/tools"))
            .bearer_auth(token)
            .send()
    };
    assert_eq!(call(first.clone()).await.expect("call").status(), 200);
    // Other instances use up the rest: this one still answers the few calls it had leased
    // (a fiftieth of the limit, less the one it used), and no more.
    use_up(&app, API_CALLS, eve).await;
    let mut leased = 0;
    let refused = loop {
        let response = call(first.clone()).await.expect("call");
        if response.status() != 200 {
            break response;
        }
        leased += 1;
        assert!(leased < API_CALLS.max / 50, "{leased} calls past the limit");
    };
    assert_eq!(refused.status(), 429);
    assert!(refused.headers().contains_key("retry-after"));
    let body: Value = refused.json().await.expect("json");
    assert_eq!(body["error"]["code"], "rate_limited");
    // The limit is the account's, whichever of its tokens calls.
    assert_eq!(call(second).await.expect("call").status(), 429);
    // In the next window the account may call again.
    app.advance(API_CALLS.window_secs);
    let third = app.api_token("eve@example.com").await;
    assert_eq!(call(third).await.expect("call").status(), 200);
}

#[tokio::test]
async fn the_api_limit_is_what_the_operator_set() {
    let app = spawn_configured_app(ServeOptions {
        api_calls_per_minute: 2,
        ..test_options()
    })
    .await;
    app.load_demo().await;
    app.create_user("eve@example.com", "Eve", &[]).await;
    let token = app.api_token("eve@example.com").await;
    for expected in [200, 200, 429] {
        let response = app
            .client
            .get(app.url("/api/v1/tools"))
            .bearer_auth(&token)
            .send()
            .await
            .expect("call");
        assert_eq!(response.status(), expected);
    }
}
