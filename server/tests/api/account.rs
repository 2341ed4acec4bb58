//! A person's own account over HTTP: password change, sessions, API tokens, recovery codes and
//! replacing the authenticator app.

use app::backend::identity::auth::totp::TotpSecret;
use app::domain::Role;
use serde_json::Value;

use crate::helpers::{cookie_of, spawn_app, TestApp, PASSWORD};
use crate::onboarding::secret_from;

async fn json(app: &TestApp, function: &str, form: &[(&str, &str)], cookie: &str) -> (u16, Value) {
    app.call_json(function, form, Some(cookie)).await
}

async fn who(app: &TestApp, cookie: &str) -> Value {
    json(app, "current_user", &[], cookie).await.1
}

async fn actions(app: &TestApp, action: &str) -> i64 {
    sqlx::query_scalar("SELECT count(*) FROM audit_events WHERE action = $1")
        .bind(action)
        .fetch_one(&app.pool)
        .await
        .expect("count")
}

const NEW_PASSWORD: &str = "a completely new passphrase";

#[tokio::test]
async fn changing_the_password_needs_the_current_one_and_ends_other_sessions() {
    let app = spawn_app().await;
    let me = app.signed_in("ada@example.com", &[]).await;
    let other = app.sign_in("ada@example.com", None).await;

    let (status, body) = json(
        &app,
        "change_password",
        &[
            ("current_password", "wrong wrong wrong"),
            ("new_password", NEW_PASSWORD),
        ],
        &me.cookie,
    )
    .await;
    assert_eq!(
        (status, body["field"].as_str()),
        (422, Some("current_password"))
    );
    let (status, body) = json(
        &app,
        "change_password",
        &[("current_password", PASSWORD), ("new_password", "short")],
        &me.cookie,
    )
    .await;
    assert_eq!(
        (status, body["field"].as_str()),
        (422, Some("new_password"))
    );
    assert_ne!(who(&app, &other).await, Value::Null, "nothing changed yet");

    let response = app
        .call(
            "change_password",
            &[
                ("current_password", PASSWORD),
                ("new_password", NEW_PASSWORD),
            ],
            Some(&me.cookie),
        )
        .await;
    assert_eq!(response.status(), 200);
    let renewed = cookie_of(&response).expect("a new session id");
    assert_eq!(who(&app, &renewed).await["email"], "ada@example.com");
    assert_eq!(
        who(&app, &other).await,
        Value::Null,
        "the other session ended"
    );
    assert_eq!(
        who(&app, &me.cookie).await,
        Value::Null,
        "the old id is dead"
    );

    let old = app
        .call(
            "sign_in",
            &[("email", "ada@example.com"), ("password", PASSWORD)],
            None,
        )
        .await;
    assert_eq!(old.status(), 401);
    let new = app
        .call(
            "sign_in",
            &[("email", "ada@example.com"), ("password", NEW_PASSWORD)],
            None,
        )
        .await;
    assert_eq!(new.status(), 200);
    assert_eq!(actions(&app, "auth.password_changed").await, 1);
}

#[tokio::test]
async fn a_password_change_also_ends_a_sign_in_waiting_for_its_code() {
    let app = spawn_app().await;
    let me = app.signed_in("rita@example.com", &[Role::Reviewer]).await;
    // Someone with the old password got as far as the code step.
    let pending = app.password_step("rita@example.com").await;
    let (status, _) = json(
        &app,
        "change_password",
        &[
            ("current_password", PASSWORD),
            ("new_password", NEW_PASSWORD),
        ],
        &me.cookie,
    )
    .await;
    assert_eq!(status, 200);
    let code = app.fresh_code(&me);
    let step = app
        .call("sign_in_code", &[("code", &code)], Some(&pending))
        .await;
    assert_eq!(
        step.status(),
        401,
        "the pending sign-in ended with the password"
    );
    assert!(cookie_of(&step).is_none_or(|cookie| who_is_nobody(&cookie)));
}

fn who_is_nobody(cookie: &str) -> bool {
    cookie.ends_with('=')
}

#[tokio::test]
async fn people_see_and_end_their_own_sessions_without_seeing_session_ids() {
    let app = spawn_app().await;
    let me = app.signed_in("ada@example.com", &[]).await;
    let phone = app.sign_in("ada@example.com", None).await;
    let eve = app.signed_in("eve@example.com", &[]).await;

    let (status, page) = json(&app, "account", &[], &me.cookie).await;
    assert_eq!(status, 200);
    let sessions = page["sessions"].as_array().expect("sessions");
    assert_eq!(sessions.len(), 2);
    assert_eq!(sessions.iter().filter(|s| s["current"] == true).count(), 1);
    let text = page.to_string();
    for cookie in [&me.cookie, &phone] {
        let id = cookie.split('=').nth(1).expect("id");
        assert!(!text.contains(id), "session ids stay secret");
    }
    let other = sessions
        .iter()
        .find(|s| s["current"] == false)
        .expect("the phone")["handle"]
        .as_str()
        .expect("handle")
        .to_owned();

    let (status, _) = json(&app, "end_session", &[("handle", &other)], &eve.cookie).await;
    assert_eq!(status, 404, "nobody ends someone else's session");
    assert_ne!(who(&app, &phone).await, Value::Null);
    let (status, _) = json(&app, "end_session", &[("handle", &other)], &me.cookie).await;
    assert_eq!(status, 200);
    assert_eq!(who(&app, &phone).await, Value::Null);
    assert_ne!(who(&app, &me.cookie).await, Value::Null);
    let (status, _) = json(&app, "end_session", &[("handle", "not hex")], &me.cookie).await;
    assert_eq!(status, 404);
    assert_eq!(actions(&app, "auth.session_ended").await, 1);
}

#[tokio::test]
async fn api_tokens_are_shown_once_work_and_can_be_revoked() {
    let app = spawn_app().await;
    let me = app.signed_in("ada@example.com", &[]).await;
    for (name, reason) in [("", "empty"), (&"x".repeat(101)[..], "too long")] {
        let (status, body) = json(&app, "create_api_token", &[("name", name)], &me.cookie).await;
        assert_eq!(
            (status, body["field"].as_str()),
            (422, Some("name")),
            "{reason}"
        );
    }
    let (status, _) = json(
        &app,
        "create_api_token",
        &[("name", "SIEM export")],
        &me.cookie,
    )
    .await;
    assert_eq!(status, 200);
    // Kept for the next page sealed: the sessions table does not hold it in plain text.
    let stored: Vec<String> = sqlx::query_scalar("SELECT data::text FROM sessions")
        .fetch_all(&app.pool)
        .await
        .expect("sessions");
    let (_, page) = json(&app, "account", &[], &me.cookie).await;
    let token = page["reveal"]["ApiToken"]["token"]
        .as_str()
        .expect("shown")
        .to_owned();
    assert!(
        app.holds_sha256_of("api_tokens", "token_hash", &token)
            .await
    );
    assert_eq!(page["reveal"]["ApiToken"]["name"], "SIEM export");
    let secret_part = token.strip_prefix("agp_").expect("token");
    assert!(stored
        .iter()
        .all(|data| !data.contains(secret_part) && !data.contains("SIEM export")));
    let (_, page) = json(&app, "account", &[], &me.cookie).await;
    assert_eq!(page["reveal"], Value::Null, "shown once");
    assert_eq!(page["tokens"][0]["last_used"], Value::Null);

    let me_api = app
        .client
        .get(app.url("/api/v1/me"))
        .bearer_auth(&token)
        .send()
        .await
        .expect("request");
    assert_eq!(me_api.status(), 200);
    let (_, page) = json(&app, "account", &[], &me.cookie).await;
    assert_ne!(
        page["tokens"][0]["last_used"],
        Value::Null,
        "last use is kept"
    );
    let id = page["tokens"][0]["id"].as_str().expect("id").to_owned();

    let (status, _) = json(&app, "revoke_api_token", &[("id", &id)], &me.cookie).await;
    assert_eq!(status, 200);
    let refused = app
        .client
        .get(app.url("/api/v1/me"))
        .bearer_auth(&token)
        .send()
        .await
        .expect("request");
    assert_eq!(refused.status(), 401);
    let (status, _) = json(
        &app,
        "revoke_api_token",
        &[("id", "not-a-uuid")],
        &me.cookie,
    )
    .await;
    // Ids are typed: a malformed one is a malformed request.
    assert_eq!(status, 422);
}

#[tokio::test]
async fn recovery_codes_sign_in_once_each_and_can_be_replaced() {
    let app = spawn_app().await;
    let me = app.signed_in("rita@example.com", &[Role::Reviewer]).await;
    // The password alone does not mint recovery codes: they stand in for the authenticator.
    let (status, body) = json(
        &app,
        "regenerate_recovery_codes",
        &[("current_password", PASSWORD)],
        &me.cookie,
    )
    .await;
    assert_eq!((status, body["field"].as_str()), (422, Some("code")));
    let code = app.fresh_code(&me);
    let (status, body) = json(
        &app,
        "regenerate_recovery_codes",
        &[("current_password", "wrong wrong wrong"), ("code", &code)],
        &me.cookie,
    )
    .await;
    assert_eq!(
        (status, body["field"].as_str()),
        (422, Some("current_password"))
    );
    let code = app.fresh_code(&me);
    let (status, _) = json(
        &app,
        "regenerate_recovery_codes",
        &[("current_password", PASSWORD), ("code", &code)],
        &me.cookie,
    )
    .await;
    assert_eq!(status, 200);
    let told: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM notifications WHERE user_id = $1 AND message LIKE 'New recovery codes%'",
    )
    .bind(me.user_id)
    .fetch_one(&app.pool)
    .await
    .expect("notifications");
    assert_eq!(told, 1, "the person is told");
    let (_, page) = json(&app, "account", &[], &me.cookie).await;
    let codes: Vec<String> = page["reveal"]["RecoveryCodes"]
        .as_array()
        .expect("codes shown")
        .iter()
        .map(|c| c.as_str().expect("code").to_owned())
        .collect();
    assert_eq!(codes.len(), 10);
    let stored: Vec<Vec<u8>> = sqlx::query_scalar("SELECT code_hash FROM recovery_codes")
        .fetch_all(&app.pool)
        .await
        .expect("hashes");
    assert_eq!(stored.len(), 10);
    assert!(stored.iter().all(|h| h.len() == 32), "only hashes are kept");

    let sign_in_with = |code: String| {
        let app = &app;
        async move {
            let cookie = app.password_step("rita@example.com").await;
            app.call("sign_in_code", &[("code", &code)], Some(&cookie))
                .await
                .status()
        }
    };
    // Typed loosely: lower case, spaces instead of dashes.
    let loose = codes[0].to_lowercase().replace('-', " ");
    assert_eq!(sign_in_with(loose).await, 200);
    assert_eq!(
        sign_in_with(codes[0].clone()).await,
        422,
        "each code works once"
    );
    assert_eq!(sign_in_with("AAAA-BBBB-CCCC-DDDD".into()).await, 422);
    let (_, page) = json(&app, "account", &[], &me.cookie).await;
    assert_eq!(page["recovery_codes_left"], 9);
    assert_eq!(actions(&app, "auth.recovery_code_used").await, 1);

    // A recovery code cannot mint a new set: only the authenticator's code can.
    let (status, body) = json(
        &app,
        "regenerate_recovery_codes",
        &[("current_password", PASSWORD), ("code", &codes[2])],
        &me.cookie,
    )
    .await;
    assert_eq!((status, body["field"].as_str()), (422, Some("code")));
    assert_eq!(
        sign_in_with(codes[2].clone()).await,
        200,
        "and it was not spent"
    );

    // New codes replace the old ones.
    let code = app.fresh_code(&me);
    let (status, _) = json(
        &app,
        "regenerate_recovery_codes",
        &[("current_password", PASSWORD), ("code", &code)],
        &me.cookie,
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(sign_in_with(codes[1].clone()).await, 422);
}

#[tokio::test]
async fn replacing_the_authenticator_needs_the_password_and_a_current_code() {
    let app = spawn_app().await;
    let me = app.signed_in("rita@example.com", &[Role::Reviewer]).await;
    let old = me.totp.as_ref().expect("enrolled");
    let (status, body) = json(
        &app,
        "begin_two_factor",
        &[("current_password", PASSWORD)],
        &me.cookie,
    )
    .await;
    assert_eq!(
        (status, body["field"].as_str()),
        (422, Some("code")),
        "a code is required"
    );
    let (status, body) = json(
        &app,
        "begin_two_factor",
        &[("current_password", PASSWORD), ("code", "000000")],
        &me.cookie,
    )
    .await;
    assert_eq!((status, body["field"].as_str()), (422, Some("code")));

    // The code that signed in was spent: the next step's code is needed.
    app.advance(30);
    let code = old.code_at(app.now()).expect("code");
    let (status, body) = json(
        &app,
        "begin_two_factor",
        &[("current_password", PASSWORD), ("code", &code)],
        &me.cookie,
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let (_, page) = json(&app, "two_factor", &[], &me.cookie).await;
    let abandoned = secret_from(page["pending"]["otpauth_url"].as_str().expect("pending"));
    assert_ne!(&abandoned, old);
    assert_eq!(page["enrolled"], true);

    // Until a new app is confirmed the current one keeps working; cancelling keeps it too.
    app.advance(30);
    assert_eq!(sign_in_with_code(&app, "rita@example.com", old).await, 200);
    let (status, _) = json(&app, "cancel_two_factor", &[], &me.cookie).await;
    assert_eq!(status, 200);
    let (_, page) = json(&app, "two_factor", &[], &me.cookie).await;
    assert_eq!(
        (page["pending"].clone(), page["enrolled"].clone()),
        (Value::Null, Value::Bool(true))
    );
    app.advance(30);
    assert_eq!(sign_in_with_code(&app, "rita@example.com", old).await, 200);
    let code = old
        .code_at(app.now() + chrono::Duration::seconds(30))
        .expect("code");
    app.advance(30);
    let (status, body) = json(
        &app,
        "begin_two_factor",
        &[("current_password", PASSWORD), ("code", &code)],
        &me.cookie,
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let (_, page) = json(&app, "two_factor", &[], &me.cookie).await;
    let new = secret_from(page["pending"]["otpauth_url"].as_str().expect("pending"));
    assert_ne!(new, abandoned);

    let (status, body) = json(&app, "confirm_two_factor", &[("code", "12345")], &me.cookie).await;
    assert_eq!(
        (status, body["field"].as_str()),
        (422, Some("code")),
        "malformed code"
    );
    let wrong = old.code_at(app.now()).expect("code");
    let (status, _) = json(&app, "confirm_two_factor", &[("code", &wrong)], &me.cookie).await;
    assert_eq!(
        status, 422,
        "the old app's code does not confirm the new one"
    );
    app.advance(30);
    let code = new.code_at(app.now()).expect("code");
    let (status, _) = json(&app, "confirm_two_factor", &[("code", &code)], &me.cookie).await;
    assert_eq!(status, 200);
    assert_eq!(actions(&app, "auth.totp_enrolled").await, 1);

    app.advance(30);
    let pending = app.password_step("rita@example.com").await;
    let stale = old.code_at(app.now()).expect("code");
    assert_eq!(
        app.call("sign_in_code", &[("code", &stale)], Some(&pending))
            .await
            .status(),
        422
    );
}

/// Signs `email` in with the password and `secret`'s current code; the code step's status.
async fn sign_in_with_code(app: &TestApp, email: &str, secret: &TotpSecret) -> u16 {
    let pending = app.password_step(email).await;
    let code = secret.code_at(app.now()).expect("code");
    app.call("sign_in_code", &[("code", &code)], Some(&pending))
        .await
        .status()
        .as_u16()
}

#[tokio::test]
async fn a_secret_shown_once_is_in_the_page_once_and_in_no_script() {
    let app = spawn_app().await;
    let me = app.signed_in("ada@example.com", &[]).await;
    let (status, _) = json(
        &app,
        "create_api_token",
        &[("name", "SIEM export")],
        &me.cookie,
    )
    .await;
    assert_eq!(status, 200);
    let html = app.html("/account", &me.cookie).await;
    let start = html.find("agp_").expect("the token is shown");
    let token: String = html[start..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-'))
        .collect();
    assert_eq!(html.matches(&token).count(), 1, "{html}");
    // Pages are islands: the data the server loaded is not copied in for a browser to hydrate.
    assert!(!html.contains("__RESOLVED_RESOURCES["), "{html}");
}
