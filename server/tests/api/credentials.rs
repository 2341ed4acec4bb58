//! Credentials end: API tokens expire and carry a scope, making one needs a fresh proof of
//! identity, and a password change, a second-factor reset or a disabled account revokes them
//! (enabling the account again revives none). Admins see and revoke anyone's tokens.

use app::domain::{Role, TokenScope};
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::{spawn_app, TestApp, PASSWORD};

async fn me(app: &TestApp, token: &str) -> StatusCode {
    app.api_get("/api/v1/me", token).await.status()
}

async fn file_request(app: &TestApp, token: &str) -> (StatusCode, Value) {
    let response = app
        .client
        .post(app.url("/api/v1/requests"))
        .bearer_auth(token)
        .json(
            &json!({ "team": "payments", "tool_name": "Windsurf", "category": "ai_coding",
                       "distribution": "binary" }),
        )
        .send()
        .await
        .expect("request");
    let status = response.status();
    (status, response.json().await.unwrap_or(Value::Null))
}

async fn live_tokens(app: &TestApp, user: uuid::Uuid) -> i64 {
    sqlx::query_scalar("SELECT count(*) FROM api_tokens WHERE user_id = $1 AND revoked_at IS NULL")
        .bind(user)
        .fetch_one(&app.pool)
        .await
        .expect("count")
}

#[tokio::test]
async fn a_read_token_reads_but_may_not_file_requests_and_a_metrics_token_reads_nothing() {
    let app = spawn_app().await;
    app.load_demo().await;
    let eli = app.create_user("eli@example.com", "Eli", &[]).await;
    app.join(eli, "payments", app::domain::Membership::Member)
        .await;
    let read = app
        .api_token_with("eli@example.com", TokenScope::Read, 30)
        .await;
    let write = app
        .api_token_with("eli@example.com", TokenScope::ReadWrite, 30)
        .await;
    let metrics = app
        .api_token_with("eli@example.com", TokenScope::Metrics, 30)
        .await;

    assert_eq!(me(&app, &read).await, StatusCode::OK);
    let (status, body) = file_request(&app, &read).await;
    assert_eq!(
        (status, &body["error"]["code"]),
        (StatusCode::FORBIDDEN, &json!("forbidden"))
    );
    let (status, body) = file_request(&app, &write).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert_eq!(me(&app, &metrics).await, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn tokens_stop_working_when_they_expire() {
    let app = spawn_app().await;
    app.create_user("ada@example.com", "Ada", &[]).await;
    let token = app
        .api_token_with("ada@example.com", TokenScope::Read, 7)
        .await;
    assert_eq!(me(&app, &token).await, StatusCode::OK);
    app.advance(7 * 24 * 3600 - 60);
    assert_eq!(
        me(&app, &token).await,
        StatusCode::OK,
        "still within its week"
    );
    app.advance(120);
    assert_eq!(me(&app, &token).await, StatusCode::UNAUTHORIZED, "expired");
}

#[tokio::test]
async fn making_a_token_needs_a_fresh_proof_of_identity_and_a_lifetime_of_at_most_a_year() {
    let app = spawn_app().await;
    let ada = app.signed_in("ada@example.com", &[]).await;
    let form = |days: &'static str, password: &'static str| {
        vec![
            ("name", "ci"),
            ("scope", "read"),
            ("expires_in_days", days),
            ("current_password", password),
        ]
    };
    // Just signed in: fresh enough.
    let (status, body) = app
        .call_json("create_api_token", &form("30", ""), Some(&ada.cookie))
        .await;
    assert_eq!(status, 200, "{body}");
    // A metrics token shows how the portal is used: admins only.
    let (status, body) = app
        .call_json(
            "create_api_token",
            &[("name", "prom"), ("scope", "metrics")],
            Some(&ada.cookie),
        )
        .await;
    assert_eq!(
        (status, body["field"].as_str()),
        (422, Some("scope")),
        "{body}"
    );
    for (days, problem) in [
        ("0", "expires_in_days"),
        ("366", "expires_in_days"),
        ("x", "expires_in_days"),
    ] {
        let (status, body) = app
            .call_json("create_api_token", &form(days, ""), Some(&ada.cookie))
            .await;
        assert_eq!(
            (status, body["field"].as_str()),
            (422, Some(problem)),
            "{days}"
        );
    }
    // Six minutes later the proof is stale: the password is asked for again.
    app.advance(6 * 60);
    let (status, body) = app
        .call_json("create_api_token", &form("30", ""), Some(&ada.cookie))
        .await;
    assert_eq!(
        (status, body["field"].as_str()),
        (422, Some("current_password")),
        "{body}"
    );
    let (status, body) = app
        .call_json(
            "create_api_token",
            &form("30", "not my password"),
            Some(&ada.cookie),
        )
        .await;
    assert_eq!(
        (status, body["field"].as_str()),
        (422, Some("current_password")),
        "{body}"
    );
    let (status, body) = app
        .call_json("create_api_token", &form("30", PASSWORD), Some(&ada.cookie))
        .await;
    assert_eq!(status, 200, "{body}");
    // …and then not again for five minutes.
    let (status, body) = app
        .call_json("create_api_token", &form("30", ""), Some(&ada.cookie))
        .await;
    assert_eq!(status, 200, "{body}");
    let (expires, scope): (chrono::DateTime<chrono::Utc>, String) =
        sqlx::query_as("SELECT expires_at, scope FROM api_tokens ORDER BY created_at DESC LIMIT 1")
            .fetch_one(&app.pool)
            .await
            .expect("token");
    assert_eq!(scope, "read");
    assert_eq!((expires - app.now()).num_days(), 29);
}

#[tokio::test]
async fn a_password_change_a_second_factor_reset_and_disabling_revoke_tokens_for_good() {
    let app = spawn_app().await;
    let admin = app.signed_in("root@example.com", &[Role::Admin]).await;
    let ada = app.signed_in("ada@example.com", &[Role::Reviewer]).await;

    // A password change.
    let token = app.api_token("ada@example.com").await;
    let (status, body) = app
        .call_json(
            "change_password",
            &[
                ("current_password", PASSWORD),
                ("new_password", "a completely new passphrase"),
            ],
            Some(&ada.cookie),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(me(&app, &token).await, StatusCode::UNAUTHORIZED);

    // A second-factor reset by an admin.
    let token = app.api_token("ada@example.com").await;
    let (status, body) = app
        .call_json(
            "admin/reset_person_totp",
            &[("id", &ada.user_id.to_string())],
            Some(&admin.cookie),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(me(&app, &token).await, StatusCode::UNAUTHORIZED);

    // Disabling, then enabling again: the token stays dead.
    let token = app.api_token("ada@example.com").await;
    let id = ada.user_id.to_string();
    for disabled in ["true", "false"] {
        let (status, body) = app
            .call_json(
                "admin/set_person_disabled",
                &[("id", &id), ("disabled", disabled)],
                Some(&admin.cookie),
            )
            .await;
        assert_eq!(status, 200, "{body}");
    }
    assert_eq!(me(&app, &token).await, StatusCode::UNAUTHORIZED);
    assert_eq!(live_tokens(&app, ada.user_id).await, 0);
}

#[tokio::test]
async fn admins_see_and_revoke_anyones_tokens() {
    let app = spawn_app().await;
    let admin = app.signed_in("root@example.com", &[Role::Admin]).await;
    let ada = app.signed_in("ada@example.com", &[]).await;
    let token = app
        .api_token_with("ada@example.com", TokenScope::Read, 10)
        .await;
    let (status, page) = app
        .call_json(
            "admin/person",
            &[("id", &ada.user_id.to_string())],
            Some(&admin.cookie),
        )
        .await;
    assert_eq!(status, 200, "{page}");
    let listed = page["tokens"].as_array().expect("tokens");
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0]["scope"], "read");
    let token_id = listed[0]["id"].as_str().expect("id").to_owned();

    // Another employee may not.
    let (status, _) = app
        .call_json(
            "admin/revoke_person_token",
            &[("user_id", &ada.user_id.to_string()), ("id", &token_id)],
            Some(&ada.cookie),
        )
        .await;
    assert_eq!(status, 403);
    let (status, body) = app
        .call_json(
            "admin/revoke_person_token",
            &[("user_id", &ada.user_id.to_string()), ("id", &token_id)],
            Some(&admin.cookie),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(me(&app, &token).await, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn granting_reviewer_or_admin_and_resetting_a_second_factor_need_a_fresh_proof() {
    let app = spawn_app().await;
    let admin = app.signed_in("root@example.com", &[Role::Admin]).await;
    let ada = app.signed_in("ada@example.com", &[]).await;
    let bob = app.signed_in("bob@example.com", &[Role::Reviewer]).await;
    app.advance(6 * 60);
    let grant =
        |password: &'static str| vec![("roles[]", "reviewer"), ("current_password", password)];
    let mut form = grant("");
    let id = ada.user_id.to_string();
    form.push(("id", &id));
    let (status, body) = app
        .call_json("admin/update_person", &form, Some(&admin.cookie))
        .await;
    assert_eq!(
        (status, body["field"].as_str()),
        (422, Some("current_password")),
        "{body}"
    );
    // Nothing was changed.
    let roles: Vec<String> =
        sqlx::query_scalar("SELECT role FROM user_roles WHERE user_id = $1 ORDER BY role")
            .bind(ada.user_id)
            .fetch_all(&app.pool)
            .await
            .expect("roles");
    assert_eq!(roles, ["employee"]);
    let mut form = grant(PASSWORD);
    form.push(("id", &id));
    let (status, body) = app
        .call_json("admin/update_person", &form, Some(&admin.cookie))
        .await;
    assert_eq!(status, 200, "{body}");

    // Resetting bob's second factor, ten minutes on.
    app.advance(10 * 60);
    let bob_id = bob.user_id.to_string();
    let (status, body) = app
        .call_json(
            "admin/reset_person_totp",
            &[("id", &bob_id)],
            Some(&admin.cookie),
        )
        .await;
    assert_eq!(
        (status, body["field"].as_str()),
        (422, Some("current_password")),
        "{body}"
    );
    let admin_code = admin
        .totp
        .as_ref()
        .expect("admins have a second factor")
        .code_at(app.now())
        .expect("code");
    let (status, body) = app
        .call_json(
            "admin/reset_person_totp",
            &[("id", &bob_id), ("code", &admin_code)],
            Some(&admin.cookie),
        )
        .await;
    assert_eq!(status, 200, "a code alone proves it too: {body}");

    // Inviting someone as an admin grants the role: the same proof, once it is stale again.
    app.advance(10 * 60);
    let invite = |password: &'static str| {
        vec![
            ("email", "new.admin@example.com"),
            ("name", "New Admin"),
            ("roles[]", "admin"),
            ("current_password", password),
        ]
    };
    let (status, body) = app
        .call_json("admin/invite", &invite(""), Some(&admin.cookie))
        .await;
    assert_eq!(
        (status, body["field"].as_str()),
        (422, Some("current_password")),
        "{body}"
    );
    let open: i64 = sqlx::query_scalar("SELECT count(*) FROM invitations")
        .fetch_one(&app.pool)
        .await
        .expect("count");
    assert_eq!(open, 0, "no invitation without the proof");
    let (status, body) = app
        .call_json("admin/invite", &invite(PASSWORD), Some(&admin.cookie))
        .await;
    assert_eq!(status, 200, "{body}");
    // An employee's invitation grants nothing: no proof asked.
    app.advance(10 * 60);
    let (status, body) = app
        .call_json(
            "admin/invite",
            &[("email", "emp@example.com"), ("name", "Emp")],
            Some(&admin.cookie),
        )
        .await;
    assert_eq!(status, 200, "{body}");
}

#[tokio::test]
async fn the_command_line_takes_a_scope_and_a_lifetime_of_at_most_a_year() {
    let app = spawn_app().await;
    app.create_user("ada@example.com", "Ada", &[]).await;
    let url = app.database_url();
    let run = |args: &[&str]| {
        let mut all = vec![
            "--database-url",
            &url,
            "token",
            "create",
            "--email",
            "ada@example.com",
            "--name",
            "ci",
        ];
        all.extend_from_slice(args);
        std::process::Command::new(env!("CARGO_BIN_EXE_server"))
            .args(all)
            .output()
            .expect("run server token create")
    };
    let too_long = run(&["--expires-in-days", "400"]);
    assert!(!too_long.status.success());
    assert!(String::from_utf8_lossy(&too_long.stderr).contains("expires_in_days"));
    let unknown = run(&["--scope", "admin"]);
    assert!(String::from_utf8_lossy(&unknown.stderr).contains("scope"));
    let made = run(&["--scope", "read", "--expires-in-days", "30"]);
    assert!(
        made.status.success(),
        "{}",
        String::from_utf8_lossy(&made.stderr)
    );
    let (scope, days): (String, f64) = sqlx::query_as(
        "SELECT scope, (extract(epoch FROM expires_at - created_at) / 86400)::float8 FROM api_tokens",
    )
    .fetch_one(&app.pool)
    .await
    .expect("token");
    assert_eq!((scope.as_str(), days.round()), ("read", 30.0));
}
