//! Browser sessions over HTTP: the sign-in server functions, cookie attributes, fixation,
//! sign-out, idle and absolute expiry (with the portal's clock moved forward), disabled accounts.

use chrono::Utc;
use reqwest::{Response, StatusCode};
use serde_json::Value;
use uuid::Uuid;

use crate::helpers::{spawn_app, spawn_configured_app, test_options, TestApp, PASSWORD};

const SIGN_IN: &[(&str, &str)] = &[("email", "ada@example.com"), ("password", PASSWORD)];

async fn ada(app: &TestApp) -> Uuid {
    app.create_user("ada@example.com", "Ada Lovelace", &[])
        .await
}

async fn post(
    app: &TestApp,
    function: &str,
    form: &[(&str, &str)],
    headers: &[(&str, &str)],
) -> Response {
    app.post(function, form, headers).await
}

async fn call(
    app: &TestApp,
    function: &str,
    form: &[(&str, &str)],
    cookie: Option<&str>,
) -> Response {
    app.call(function, form, cookie).await
}

/// `name=value` of the session cookie the response sets, and its attributes.
fn set_cookie(response: &Response) -> Option<(String, String)> {
    let header = response
        .headers()
        .get("set-cookie")?
        .to_str()
        .ok()?
        .to_owned();
    let pair = header.split(';').next()?.trim().to_owned();
    Some((pair, header))
}

async fn sign_in(app: &TestApp) -> String {
    let response = call(app, "sign_in", SIGN_IN, None).await;
    assert_eq!(response.status(), StatusCode::OK);
    let (cookie, _) = set_cookie(&response).expect("a session cookie");
    assert_eq!(response.json::<Value>().await.expect("json"), "SignedIn");
    cookie
}

async fn who(app: &TestApp, cookie: &str) -> Value {
    let response = call(app, "current_user", &[], Some(cookie)).await;
    assert_eq!(response.status(), StatusCode::OK);
    response.json().await.expect("json")
}

async fn session_rows(app: &TestApp) -> i64 {
    sqlx::query_scalar("SELECT count(*) FROM sessions")
        .fetch_one(&app.pool)
        .await
        .expect("count")
}

#[tokio::test]
async fn signing_in_sets_a_hardened_cookie_and_identifies_the_person() {
    let app = spawn_app().await;
    ada(&app).await;
    let response = call(&app, "sign_in", SIGN_IN, None).await;
    assert_eq!(response.status(), StatusCode::OK);
    let (cookie, attributes) = set_cookie(&response).expect("cookie");
    assert!(cookie.starts_with("portal_session="), "{attributes}");
    let lower = attributes.to_lowercase();
    assert!(lower.contains("httponly"), "{attributes}");
    assert!(lower.contains("samesite=lax"), "{attributes}");
    assert!(lower.contains("path=/"), "{attributes}");
    assert!(
        !lower.contains("secure"),
        "plain http in development: {attributes}"
    );

    let me = who(&app, &cookie).await;
    assert_eq!(me["email"], "ada@example.com");
    assert_eq!(me["name"], "Ada Lovelace");
    assert_eq!(me["roles"], serde_json::json!(["employee"]));
    assert_eq!(who(&app, "portal_session=forged").await, Value::Null);
}

#[tokio::test]
async fn over_https_the_cookie_is_secure_and_host_prefixed() {
    let mut options = test_options();
    options.public_url = Some("https://ai.example.com".into());
    let app = spawn_configured_app(options).await;
    ada(&app).await;
    let response = post(
        &app,
        "sign_in",
        SIGN_IN,
        &[("origin", "https://ai.example.com")],
    )
    .await;
    let (cookie, attributes) = set_cookie(&response).expect("cookie");
    assert!(cookie.starts_with("__Host-portal_session="), "{attributes}");
    assert!(attributes.to_lowercase().contains("secure"), "{attributes}");
    assert!(
        !attributes.to_lowercase().contains("domain"),
        "{attributes}"
    );
}

#[tokio::test]
async fn a_wrong_password_sets_no_cookie_and_says_nothing_specific() {
    let app = spawn_app().await;
    ada(&app).await;
    let response = call(
        &app,
        "sign_in",
        &[("email", "ada@example.com"), ("password", "nope nope")],
        None,
    )
    .await;
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    assert!(set_cookie(&response).is_none());
    let body: Value = response.json().await.expect("json");
    assert_eq!(body["code"], "invalid_credentials");
    let unknown = call(
        &app,
        "sign_in",
        &[("email", "eve@example.com"), ("password", "nope nope")],
        None,
    )
    .await;
    assert_eq!(unknown.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(
        unknown.json::<Value>().await.expect("json"),
        body,
        "no account enumeration"
    );
}

#[tokio::test]
async fn the_session_id_changes_at_each_step_so_a_planted_one_is_useless() {
    let app = spawn_app().await;
    let user = ada(&app).await;
    let secret = app.enroll_totp(user).await;

    // Password step: a planted cookie is replaced, never adopted.
    let planted = "portal_session=AAAAAAAAAAAAAAAAAAAAAA";
    let response = call(&app, "sign_in", SIGN_IN, Some(planted)).await;
    assert_eq!(
        response.json::<Value>().await.expect("json"),
        "CodeRequired"
    );
    let response = call(&app, "sign_in", SIGN_IN, Some(planted)).await;
    let (pending, _) = set_cookie(&response).expect("cookie");
    assert_ne!(pending, planted);
    assert_eq!(
        who(&app, &pending).await,
        Value::Null,
        "not signed in before the code"
    );

    // Code step: another new id; the pending one is dead.
    let code = secret.code_at(Utc::now()).expect("code");
    let response = call(&app, "sign_in_code", &[("code", &code)], Some(&pending)).await;
    assert_eq!(response.status(), StatusCode::OK);
    let (signed_in, _) = set_cookie(&response).expect("cookie");
    assert_ne!(signed_in, pending);
    assert_eq!(who(&app, &signed_in).await["email"], "ada@example.com");
    assert_eq!(who(&app, &pending).await, Value::Null);
}

#[tokio::test]
async fn a_code_used_to_sign_in_cannot_sign_in_again() {
    let app = spawn_app().await;
    let user = ada(&app).await;
    let secret = app.enroll_totp(user).await;
    let code = secret.code_at(Utc::now()).expect("code");
    for attempt in 0..2 {
        let response = call(&app, "sign_in", SIGN_IN, None).await;
        let (pending, _) = set_cookie(&response).expect("cookie");
        let response = call(&app, "sign_in_code", &[("code", &code)], Some(&pending)).await;
        if attempt == 0 {
            assert_eq!(response.status(), StatusCode::OK);
        } else {
            assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
            let body: Value = response.json().await.expect("json");
            assert_eq!(body["field"], "code");
            assert!(body["message"]
                .as_str()
                .expect("message")
                .contains("already used"));
        }
    }
}

#[tokio::test]
async fn a_code_without_a_password_step_is_refused() {
    let app = spawn_app().await;
    ada(&app).await;
    let response = call(&app, "sign_in_code", &[("code", "123456")], None).await;
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn signing_out_deletes_the_server_record() {
    let app = spawn_app().await;
    ada(&app).await;
    let cookie = sign_in(&app).await;
    assert_eq!(session_rows(&app).await, 1);
    let response = call(&app, "sign_out", &[], Some(&cookie)).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(session_rows(&app).await, 0);
    assert_eq!(
        who(&app, &cookie).await,
        Value::Null,
        "the old cookie is dead"
    );
}

#[tokio::test]
async fn sessions_end_after_thirty_idle_minutes() {
    let app = spawn_app().await;
    ada(&app).await;
    let cookie = sign_in(&app).await;
    app.advance(29 * 60);
    assert_eq!(who(&app, &cookie).await["email"], "ada@example.com");
    app.advance(29 * 60);
    assert_eq!(
        who(&app, &cookie).await["email"],
        "ada@example.com",
        "activity keeps it alive"
    );
    app.advance(31 * 60);
    assert_eq!(who(&app, &cookie).await, Value::Null);
    assert_eq!(session_rows(&app).await, 0, "the expired record is deleted");
}

#[tokio::test]
async fn sessions_end_twelve_hours_after_signing_in_however_active() {
    let app = spawn_app().await;
    ada(&app).await;
    let cookie = sign_in(&app).await;
    let mut elapsed = 0;
    while elapsed + 25 * 60 <= 12 * 60 * 60 {
        app.advance(25 * 60);
        elapsed += 25 * 60;
        assert_eq!(
            who(&app, &cookie).await["email"],
            "ada@example.com",
            "at {elapsed} s"
        );
    }
    app.advance(25 * 60);
    assert_eq!(who(&app, &cookie).await, Value::Null);
}

#[tokio::test]
async fn disabling_an_account_ends_its_session() {
    let app = spawn_app().await;
    ada(&app).await;
    let cookie = sign_in(&app).await;
    sqlx::query("UPDATE users SET disabled_at = now()")
        .execute(&app.pool)
        .await
        .expect("disable");
    assert_eq!(who(&app, &cookie).await, Value::Null);
    assert_eq!(session_rows(&app).await, 0);
}

#[tokio::test]
async fn cross_site_sign_in_attempts_are_refused() {
    let app = spawn_app().await;
    ada(&app).await;
    let response = post(
        &app,
        "sign_in",
        SIGN_IN,
        &[("origin", "https://evil.example")],
    )
    .await;
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    assert!(set_cookie(&response).is_none());
}

#[tokio::test]
async fn without_javascript_a_failed_form_goes_back_with_the_error_in_the_address() {
    let app = spawn_app().await;
    ada(&app).await;
    let form_page = format!("{}/sign-in", app.address);
    let plain_form = [
        ("origin", app.address.as_str()),
        ("accept", "text/html"),
        ("referer", form_page.as_str()),
    ];
    let wrong = [("email", "ada@example.com"), ("password", "not it at all")];
    let response = post(&app, "sign_in", &wrong, &plain_form).await;
    assert_eq!(response.status(), StatusCode::FOUND);
    let location = response.headers()["location"].to_str().expect("ascii");
    assert!(location.starts_with(&form_page), "{location}");
    assert!(location.contains("__err="), "{location}");
    assert!(set_cookie(&response).is_none());

    // And the page it goes back to shows the message.
    let page = app
        .client
        .get(location)
        .header("accept", "text/html")
        .send()
        .await
        .expect("request")
        .text()
        .await
        .expect("html");
    assert!(
        page.contains("The email address or password is not right."),
        "{page}"
    );

    // Success redirects to the overview.
    let ok = post(&app, "sign_in", SIGN_IN, &plain_form).await;
    assert_eq!(ok.status(), StatusCode::FOUND);
    assert_eq!(ok.headers()["location"], "/");
    assert!(set_cookie(&ok).is_some());
}

#[tokio::test]
async fn a_refused_form_comes_back_filled_in_once_and_sealed_in_the_session() {
    let app = spawn_app().await;
    app.load_demo().await;
    let eli = app.signed_in("eli@example.com", &[]).await;
    app.join(eli.user_id, "payments", app::domain::Membership::Member)
        .await;
    let mut form = crate::requests::draft();
    form.retain(|(name, _)| *name != "request[team]");
    form.push(("request[team]", "no-such-team"));
    let back = app
        .refused_form("save_request", &form, "/requests/new", &eli.cookie)
        .await;

    // Kept sealed: whoever reads the sessions table does not read what was typed.
    let stored: Vec<String> = sqlx::query_scalar("SELECT data::text FROM sessions")
        .fetch_all(&app.pool)
        .await
        .expect("sessions");
    assert!(stored.iter().any(|data| data.contains("returned_input")));
    assert!(stored.iter().all(|data| !data.contains("Saves a week")));

    let html = app.html(&back, &eli.cookie).await;
    assert!(html.contains("Team: "), "the error is shown: {html}");

    for kept in [
        r#"value="Windsurf""#,
        r#"value="Codeium""#,
        r#"value="1.12.3""#,
        "Refactoring the ledger service</textarea>",
    ] {
        assert!(html.contains(kept), "{kept} is filled in again");
    }
    let ticked = |html: &str, value: &str| {
        html.split("<input").any(|input| {
            input.contains(&format!(r#"value="{value}""#)) && input.contains("checked")
        })
    };
    assert!(ticked(&html, "terminal") && ticked(&html, "core-source-code"));
    assert!(!ticked(&html, "customer-data"));

    // Once: the same address later shows the error over an empty form.
    let again = app.html(&back, &eli.cookie).await;
    assert!(!again.contains(r#"value="Windsurf""#));

    // A visitor with a made-up session cookie gets no session kept for them.
    let sessions = || async {
        sqlx::query_scalar::<_, i64>("SELECT count(*) FROM sessions")
            .fetch_one(&app.pool)
            .await
            .expect("count")
    };
    let before = sessions().await;
    app.refused_form(
        "save_request",
        &form,
        "/requests/new",
        "portal_session=AAAAAAAAAAAAAAAAAAAAAA",
    )
    .await;
    assert_eq!(sessions().await, before);
}

#[tokio::test]
async fn after_signing_in_people_land_on_the_page_they_asked_for_and_never_on_another_site() {
    let app = spawn_app().await;
    ada(&app).await;
    let asked = "/requests?state=submitted";
    let response = app.page(asked, "").await;
    assert_eq!(response.status(), StatusCode::FOUND);
    let sign_in_page = response.headers()["location"]
        .to_str()
        .expect("ascii")
        .to_owned();
    assert_eq!(sign_in_page, "/sign-in?next=/requests%3Fstate%3Dsubmitted");
    let html = app.html(&sign_in_page, "").await;
    assert!(
        html.contains(r#"name="next" value="/requests?state=submitted""#),
        "the form carries it: {html}"
    );

    let form_page = app.url(&sign_in_page);
    let plain_form = [
        ("origin", app.address.as_str()),
        ("accept", "text/html"),
        ("referer", form_page.as_str()),
    ];
    let with_next = |next: &'static str| {
        let mut form = SIGN_IN.to_vec();
        form.push(("next", next));
        form
    };
    let back = post(&app, "sign_in", &with_next(asked), &plain_form).await;
    assert_eq!(back.headers()["location"], asked);
    for elsewhere in [
        "//evil.example/x",
        "https://evil.example/",
        "/\\evil.example",
        "/sign-in",
    ] {
        let home = post(&app, "sign_in", &with_next(elsewhere), &plain_form).await;
        assert_eq!(home.headers()["location"], "/", "{elsewhere}");
    }

    // With a second factor, the code step carries it on.
    let grace = app
        .create_user("grace@example.com", "Grace", &[app::domain::Role::Reviewer])
        .await;
    let secret = app.enroll_totp(grace).await;
    let form = [
        ("email", "grace@example.com"),
        ("password", PASSWORD),
        ("next", asked),
    ];
    let response = post(&app, "sign_in", &form, &plain_form).await;
    assert_eq!(
        response.headers()["location"],
        "/sign-in/code?next=/requests%3Fstate%3Dsubmitted"
    );
    let (cookie, _) = set_cookie(&response).expect("a session cookie");
    let code = secret.code_at(app.now()).expect("code");
    let mut headers = plain_form.to_vec();
    headers.push(("cookie", cookie.as_str()));
    let response = post(
        &app,
        "sign_in_code",
        &[("code", code.as_str()), ("next", asked)],
        &headers,
    )
    .await;
    assert_eq!(response.headers()["location"], asked);
}

#[tokio::test]
async fn expired_session_records_are_swept() {
    let app = spawn_app().await;
    ada(&app).await;
    let cookie = sign_in(&app).await;
    sqlx::query(
        "INSERT INTO sessions (session_id, data, expires_at) VALUES ('old', '{}', now() - interval '1 minute')",
    )
    .execute(&app.pool)
    .await
    .expect("an expired record");
    let swept = app::backend::identity::auth::session_store::delete_expired(&app.pool)
        .await
        .expect("sweep");
    assert_eq!(swept, 1);
    assert_eq!(session_rows(&app).await, 1, "the live session stays");
    assert_eq!(who(&app, &cookie).await["email"], "ada@example.com");
}

#[tokio::test]
async fn reading_pages_leaves_the_session_alone_and_a_confirmation_is_shown_once() {
    let app = spawn_app().await;
    // A named organization: a new portal would send everyone to set up a second factor first.
    app.load_demo().await;
    let me = app.signed_in("ada@example.com", &[]).await;
    let written = || async {
        sqlx::query_scalar::<_, chrono::DateTime<Utc>>(
            "SELECT updated_at FROM sessions WHERE user_id = $1",
        )
        .bind(me.user_id)
        .fetch_one(&app.pool)
        .await
        .expect("the session")
    };
    let signed_in = written().await;
    for path in ["/", "/account", "/tools"] {
        assert_eq!(app.page(path, &me.cookie).await.status(), 200, "{path}");
    }
    assert_eq!(written().await, signed_in, "a page view wrote the session");

    let response = call(
        &app,
        "change_password",
        &[
            ("current_password", PASSWORD),
            ("new_password", "a much longer passphrase 2026"),
        ],
        Some(&me.cookie),
    )
    .await;
    assert_eq!(response.status(), StatusCode::OK);
    // The password change renews the session's id.
    let (cookie, _) = set_cookie(&response).expect("the renewed session");
    let confirmed = "Password changed. Your other sessions were signed out.";
    for shown in [true, false] {
        let html = app.html("/account", &cookie).await;
        assert_eq!(html.contains(confirmed), shown, "{html}");
    }
}
