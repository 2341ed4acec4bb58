//! `/api/v1`: bearer-token authentication, the JSON error envelope, and `server token create`.

use crate::helpers::{spawn_app, TestApp};
use app::backend::identity::tokens;
use app::domain::{Actor, Email, Role};
use chrono::Utc;
use reqwest::StatusCode;
use serde_json::Value;

async fn user_with_token(app: &TestApp, email: &str, roles: &[Role]) -> String {
    app.create_user(email, "Someone", roles).await;
    let email = Email::parse(email).expect("email");
    tokens::create(
        &app.pool,
        Actor::Operator,
        &email,
        "tests",
        app::domain::TokenScope::ReadWrite,
        90,
        Utc::now(),
    )
    .await
    .expect("token")
    .token
}

async fn get_me(app: &TestApp, authorization: Option<&str>) -> reqwest::Response {
    let mut request = app.client.get(app.url("/api/v1/me"));
    if let Some(value) = authorization {
        request = request.header("authorization", value);
    }
    request.send().await.expect("request")
}

/// `GET /api/v1/me` with `bearer` until it is refused, for at most a second.
async fn refused_within_a_second(app: &TestApp, bearer: &str) -> reqwest::Response {
    let start = std::time::Instant::now();
    loop {
        let response = get_me(app, Some(bearer)).await;
        if response.status() != StatusCode::OK
            || start.elapsed() > std::time::Duration::from_secs(1)
        {
            return response;
        }
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    }
}

async fn assert_unauthorized(response: reqwest::Response) {
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    assert!(response.headers()["www-authenticate"]
        .to_str()
        .expect("ascii")
        .starts_with("Bearer"));
    let body: Value = response.json().await.expect("json");
    assert_eq!(body["error"]["code"], "unauthorized");
    assert!(body["error"]["message"]
        .as_str()
        .is_some_and(|m| !m.is_empty()));
}

#[tokio::test]
async fn a_valid_token_identifies_its_owner() {
    let app = spawn_app().await;
    let token = user_with_token(&app, "ada@example.com", &[Role::Reviewer]).await;
    let response = get_me(&app, Some(&format!("Bearer {token}"))).await;
    assert_eq!(response.status(), StatusCode::OK);
    let body: Value = response.json().await.expect("json");
    assert_eq!(body["email"], "ada@example.com");
    assert_eq!(body["roles"], serde_json::json!(["employee", "reviewer"]));

    let used: Option<chrono::DateTime<Utc>> =
        sqlx::query_scalar("SELECT last_used_at FROM api_tokens")
            .fetch_one(&app.pool)
            .await
            .expect("last used");
    assert!(used.is_some(), "last use is recorded");
}

#[tokio::test]
async fn missing_malformed_and_unknown_tokens_get_401_with_a_json_body() {
    let app = spawn_app().await;
    user_with_token(&app, "ada@example.com", &[]).await;
    for authorization in [
        None,
        Some("Bearer"),
        Some("Bearer "),
        Some("Basic YWRhOnNlY3JldA=="),
        Some("Bearer not-a-token"),
        Some("Bearer agp_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"),
    ] {
        assert_unauthorized(get_me(&app, authorization).await).await;
    }
}

#[tokio::test]
async fn revoked_tokens_and_disabled_accounts_are_refused() {
    let app = spawn_app().await;
    let token = user_with_token(&app, "ada@example.com", &[]).await;
    let bearer = format!("Bearer {token}");
    assert_eq!(get_me(&app, Some(&bearer)).await.status(), StatusCode::OK);

    // Written straight to the database, as another instance would: this instance's cached token
    // is forgotten when PostgreSQL's notification arrives, within the second the cache promises.
    sqlx::query("UPDATE users SET disabled_at = now()")
        .execute(&app.pool)
        .await
        .expect("disable");
    assert_unauthorized(refused_within_a_second(&app, &bearer).await).await;
    sqlx::query("UPDATE users SET disabled_at = NULL")
        .execute(&app.pool)
        .await
        .expect("enable");

    let (token_id, user_id): (uuid::Uuid, uuid::Uuid) =
        sqlx::query_as("SELECT api_token_id, user_id FROM api_tokens")
            .fetch_one(&app.pool)
            .await
            .expect("token row");
    tokens::revoke(&app.pool, Actor::Operator, user_id, token_id, Utc::now())
        .await
        .expect("revoke");
    assert_unauthorized(refused_within_a_second(&app, &bearer).await).await;
    let again = tokens::revoke(&app.pool, Actor::Operator, user_id, token_id, Utc::now()).await;
    assert_eq!(again, Err(app::error::AppError::NotFound));
}

#[tokio::test]
async fn tokens_are_stored_only_as_hashes() {
    let app = spawn_app().await;
    let token = user_with_token(&app, "ada@example.com", &[]).await;
    assert!(token.starts_with("agp_") && token.len() == 47, "{token}");
    let dump: String =
        sqlx::query_scalar("SELECT string_agg(t::text, ' ') FROM (SELECT * FROM api_tokens) t")
            .fetch_one(&app.pool)
            .await
            .expect("rows");
    assert!(!dump.contains(&token[4..]));
    let audit: String = sqlx::query_scalar("SELECT string_agg(payload, ' ') FROM audit_events")
        .fetch_one(&app.pool)
        .await
        .expect("audit");
    assert!(audit.contains("token.created"));
    assert!(!audit.contains(&token[4..]), "never in the audit log");
}

#[tokio::test]
async fn unknown_api_routes_are_json_404s() {
    let app = spawn_app().await;
    let response = app.get("/api/v1/no-such-thing").await;
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    let body: Value = response.json().await.expect("json");
    assert_eq!(body["error"]["code"], "not_found");
}

#[tokio::test]
async fn bearer_calls_are_exempt_from_the_origin_check() {
    let app = spawn_app().await;
    let token = user_with_token(&app, "ada@example.com", &[]).await;
    // A POST from a script: no Origin, and a bearer token instead of a cookie.
    let response = app
        .client
        .post(app.url("/api/v1/no-such-thing"))
        .header("authorization", format!("Bearer {token}"))
        .header("cookie", "unrelated=1")
        .send()
        .await
        .expect("request");
    assert_eq!(
        response.status(),
        StatusCode::NOT_FOUND,
        "reached the API, not refused"
    );
}

#[tokio::test]
async fn the_command_line_prints_a_working_token_once() {
    let app = spawn_app().await;
    app.create_user("ada@example.com", "Ada", &[]).await;
    let url = app.database_url();
    let run = |email: &str, name: &str| {
        std::process::Command::new(env!("CARGO_BIN_EXE_server"))
            .args([
                "--database-url",
                &url,
                "token",
                "create",
                "--email",
                email,
                "--name",
                name,
            ])
            .output()
            .expect("run server token create")
    };
    let output = run("ADA@example.com", "SIEM export");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let token = String::from_utf8(output.stdout).expect("utf-8");
    let token = token.trim();
    assert_eq!(
        get_me(&app, Some(&format!("Bearer {token}")))
            .await
            .status(),
        StatusCode::OK
    );

    let unknown = run("nobody@example.com", "x");
    assert!(!unknown.status.success());
    assert!(String::from_utf8_lossy(&unknown.stderr).contains("email: no active account"));
    let unnamed = run("ada@example.com", " ");
    assert!(String::from_utf8_lossy(&unnamed.stderr).contains("name: must not be empty"));
}
