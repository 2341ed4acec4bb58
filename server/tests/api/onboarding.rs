//! First-run setup and invitations, over HTTP.

use app::backend::identity::auth::totp::TotpSecret;
use app::domain::Role;
use serde_json::Value;

use crate::helpers::{cookie_of, spawn_app, TestApp, PASSWORD};

async fn count(app: &TestApp, sql: &str) -> i64 {
    sqlx::query_scalar(sql)
        .fetch_one(&app.pool)
        .await
        .expect("count")
}

const SETUP: &[(&str, &str)] = &[
    ("organization", "Acme Corp"),
    ("name", "Ada Admin"),
    ("email", "ada@acme.example"),
    ("password", PASSWORD),
];

fn with(
    form: &[(&'static str, &'static str)],
    field: &str,
    value: &'static str,
) -> Vec<(&'static str, &'static str)> {
    form.iter()
        .map(|(k, v)| if *k == field { (*k, value) } else { (*k, *v) })
        .collect()
}

/// The setup form as the portal's owner fills it in: with a code the portal printed.
async fn setup_form(app: &TestApp) -> Vec<(&'static str, &'static str)> {
    let code = app::backend::identity::setup::issue_code(&app.pool, app.now())
        .await
        .expect("a setup code");
    let code: &'static str = Box::leak(code.into_boxed_str());
    [("setup_code", code)]
        .into_iter()
        .chain(SETUP.iter().copied())
        .collect()
}

#[tokio::test]
async fn setup_creates_the_organization_and_first_admin_once() {
    let app = spawn_app().await;
    let status: Value = app
        .call("setup_status", &[], None)
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(status, true);
    let response = app.page("/sign-in", "").await;
    assert_eq!(
        response.status(),
        302,
        "sign-in sends to setup while nobody exists"
    );
    assert_eq!(response.headers()["location"], "/setup");

    // Without the code the portal printed, nobody takes the empty portal.
    let form = setup_form(&app).await;
    assert!(
        app.holds_sha256_of("setup_codes", "code_hash", &form[0].1.replace('-', ""))
            .await
    );
    let mut guessed = form.clone();
    guessed[0].1 = "AAAA-BBBB-CCCC-DDDD";
    let (status, body) = app.call_json("complete_setup", &guessed, None).await;
    assert_eq!((status, body["field"].as_str()), (422, Some("setup_code")));
    assert_eq!(count(&app, "SELECT count(*) FROM users").await, 0);
    // Typed loosely: lower case, without dashes.
    let mut loose = form.clone();
    let typed: &'static str = Box::leak(form[0].1.replace('-', "").to_lowercase().into_boxed_str());
    loose[0].1 = typed;
    let response = app.call("complete_setup", &loose, None).await;
    assert_eq!(response.status(), 200);
    let cookie = cookie_of(&response).expect("signed in");
    let me: Value = app
        .call("current_user", &[], Some(&cookie))
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(me["email"], "ada@acme.example");
    assert_eq!(me["roles"], serde_json::json!(["employee", "admin"]));
    assert_eq!(
        me["needs_two_factor"], true,
        "the first admin must enroll next"
    );

    let name: String = sqlx::query_scalar("SELECT name FROM organization")
        .fetch_one(&app.pool)
        .await
        .expect("organization");
    assert_eq!(name, "Acme Corp");
    assert_eq!(
        count(
            &app,
            "SELECT count(*) FROM audit_events WHERE action = 'setup.completed'"
        )
        .await,
        1
    );

    // Closed for good.
    let status: Value = app
        .call("setup_status", &[], None)
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(status, false);
    let again = with(&form, "email", "mallory@acme.example");
    let response = app.call("complete_setup", &again, None).await;
    assert_eq!(response.status(), 409);
    assert_eq!(
        count(&app, "SELECT count(*) FROM setup_codes").await,
        0,
        "codes are spent"
    );
    let required: bool = sqlx::query_scalar("SELECT require_totp_for_all FROM organization")
        .fetch_one(&app.pool)
        .await
        .expect("organization");
    assert!(
        required,
        "a new organization requires two-factor sign-in of everyone"
    );
    assert_eq!(count(&app, "SELECT count(*) FROM users").await, 1);
    let response = app.page("/setup", "").await;
    assert_eq!(response.status(), 302, "the setup page is gone");
    assert_eq!(response.headers()["location"], "/sign-in");
}

#[tokio::test]
async fn setup_names_the_wrong_field_and_writes_nothing() {
    let app = spawn_app().await;
    let form = setup_form(&app).await;
    let long = Box::leak("x".repeat(201).into_boxed_str());
    let cases: Vec<(Vec<(&str, &str)>, &str)> = vec![
        (with(&form, "organization", "  "), "organization"),
        (with(&form, "organization", long), "organization"),
        (with(&form, "name", ""), "name"),
        (with(&form, "email", "not-an-email"), "email"),
        (with(&form, "password", "short"), "password"),
        (with(&form, "password", "password1234"), "password"),
    ];
    for (form, field) in cases {
        let response = app.call("complete_setup", &form, None).await;
        assert_eq!(response.status(), 422, "{field}");
        let body: Value = response.json().await.expect("json");
        assert_eq!(body["field"], field, "{body}");
    }
    let response = app.call("complete_setup", &form[..2], None).await;
    assert_eq!(response.status(), 422, "missing fields");
    assert_eq!(count(&app, "SELECT count(*) FROM users").await, 0);
    assert_eq!(count(&app, "SELECT count(*) FROM organization").await, 0);
    assert_eq!(count(&app, "SELECT count(*) FROM audit_events").await, 0);
}

/// Invites `email` as an admin would and returns the link's token, read from the page data
/// (where it appears exactly once).
async fn invite(app: &TestApp, admin: &str, form: &[(&str, &str)]) -> String {
    let response = app.call("admin/invite", form, Some(admin)).await;
    assert_eq!(response.status(), 200, "{:?}", response.text().await);
    let page: Value = app
        .call("admin/people", &[], Some(admin))
        .await
        .json()
        .await
        .expect("json");
    let url = page["reveal"]["InvitationLink"]["url"]
        .as_str()
        .expect("link revealed")
        .to_owned();
    // The token travels after `#`: never sent to a server or proxy with the link.
    assert!(
        url.starts_with(&format!("{}/invite#inv_", app.address)),
        "{url}"
    );
    let page: Value = app
        .call("admin/people", &[], Some(admin))
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(page["reveal"], Value::Null, "shown only once");
    url.rsplit('#').next().expect("token").to_owned()
}

/// Opens invitation `token` as a new visitor (the page posts the link's fragment): the status,
/// and the session cookie that now holds it.
async fn open_invitation(app: &TestApp, token: &str) -> (u16, Option<String>) {
    let response = app.call("open_invitation", &[("code", token)], None).await;
    (response.status().as_u16(), cookie_of(&response))
}

#[tokio::test]
async fn an_invited_reviewer_sets_a_password_and_must_enroll() {
    let app = spawn_app().await;
    app.load_demo().await;
    let admin = app.signed_in("root@example.com", &[Role::Admin]).await;
    let token = invite(
        &app,
        &admin.cookie,
        &[
            ("email", "Rita@Example.com"),
            ("name", "Rita Reviewer"),
            ("roles[]", "reviewer"),
            ("teams[payments]", "member"),
            ("teams[marketing]", "manager"),
            ("teams[data-science]", ""),
        ],
    )
    .await;
    assert!(
        app.holds_sha256_of("invitations", "token_hash", &token)
            .await
    );

    let (status, visitor) = open_invitation(&app, &token).await;
    assert_eq!(status, 200);
    let visitor = visitor.expect("a session holds the invitation");
    let view: Value = app
        .call("invitation", &[], Some(&visitor))
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(view["email"], "rita@example.com");
    assert_eq!(view["totp_required"], true);
    let html = app.html("/invite", &visitor).await;
    assert!(
        html.contains("Rita Reviewer"),
        "the page works for an anonymous visitor"
    );
    // No path carries a token, and the session holds it only sealed.
    assert_eq!(
        app.page(&format!("/invite/{token}"), "").await.status(),
        404
    );
    let sessions: Vec<String> = sqlx::query_scalar("SELECT data::text FROM sessions")
        .fetch_all(&app.pool)
        .await
        .expect("sessions");
    assert!(sessions.iter().all(|data| !data.contains(&token[4..])));
    let (status, body) = app
        .call_json("open_invitation", &[("code", "inv_guessed")], None)
        .await;
    assert_eq!((status, body["field"].as_str()), (422, Some("code")));

    let response = app
        .call(
            "accept_invitation",
            &[("password", "short")],
            Some(&visitor),
        )
        .await;
    assert_eq!(response.status(), 422);
    assert_eq!(
        count(
            &app,
            "SELECT count(*) FROM users WHERE email = 'rita@example.com'"
        )
        .await,
        0
    );

    let response = app
        .call(
            "accept_invitation",
            &[("password", PASSWORD)],
            Some(&visitor),
        )
        .await;
    assert_eq!(response.status(), 200);
    let cookie = cookie_of(&response).expect("signed in");
    let roles: Vec<String> = sqlx::query_scalar(
        "SELECT role FROM user_roles r JOIN users u USING (user_id) WHERE u.email = 'rita@example.com' ORDER BY role",
    )
    .fetch_all(&app.pool)
    .await
    .expect("roles");
    assert_eq!(roles, ["employee", "reviewer"]);
    let teams: Vec<String> = sqlx::query_scalar(
        "SELECT t.slug || ':' || m.membership FROM team_members m JOIN teams t USING (team_id)
         JOIN users u USING (user_id) WHERE u.email = 'rita@example.com' ORDER BY t.slug",
    )
    .fetch_all(&app.pool)
    .await
    .expect("teams");
    assert_eq!(teams, ["marketing:manager", "payments:member"]);

    // The link works once.
    assert_eq!(open_invitation(&app, &token).await.0, 422);

    // Enrollment: re-authenticate, read the secret, confirm with a code.
    let (status, _) = (app.call("overview", &[], Some(&cookie)).await.status(), ());
    assert_eq!(status, 403, "nothing else before enrolling");
    let response = app
        .call(
            "begin_two_factor",
            &[("current_password", PASSWORD)],
            Some(&cookie),
        )
        .await;
    assert_eq!(response.status(), 200);
    let page: Value = app
        .call("two_factor", &[], Some(&cookie))
        .await
        .json()
        .await
        .expect("json");
    let url = page["pending"]["otpauth_url"]
        .as_str()
        .expect("pending enrollment");
    assert!(page["pending"]["qr_code"]
        .as_str()
        .expect("qr")
        .starts_with("data:image/svg+xml;base64,"));
    let secret = secret_from(url);
    let code = secret.code_at(app.now()).expect("code");
    let response = app
        .call("confirm_two_factor", &[("code", &code)], Some(&cookie))
        .await;
    assert_eq!(response.status(), 200);
    let renewed = cookie_of(&response).expect("a new session id after the step-up");
    assert_ne!(renewed, cookie);
    let page: Value = app
        .call("two_factor", &[], Some(&renewed))
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(page["enrolled"], true);
    let codes = page["reveal"]["RecoveryCodes"]
        .as_array()
        .expect("recovery codes shown");
    assert_eq!(codes.len(), 10);
    assert_eq!(
        app.call("overview", &[], Some(&renewed)).await.status(),
        200
    );

    // The step used to confirm cannot sign in.
    let pending = app.password_step("rita@example.com").await;
    let response = app
        .call("sign_in_code", &[("code", &code)], Some(&pending))
        .await;
    assert_eq!(response.status(), 422);
    let body: Value = response.json().await.expect("json");
    assert!(body["message"]
        .as_str()
        .expect("message")
        .contains("already used"));

    for action in [
        "user.invited",
        "user.invitation_accepted",
        "auth.totp_enrolled",
    ] {
        let n = count(
            &app,
            &format!("SELECT count(*) FROM audit_events WHERE action = '{action}'"),
        )
        .await;
        assert_eq!(n, 1, "{action}");
    }
    let payloads: Vec<String> = sqlx::query_scalar("SELECT payload FROM audit_events")
        .fetch_all(&app.pool)
        .await
        .expect("payloads");
    assert!(payloads
        .iter()
        .all(|p| !p.contains(&token) && !p.contains(PASSWORD) && !p.contains(&code)));
}

/// The secret of an `otpauth://` URL, as an authenticator app reads it.
pub fn secret_from(url: &str) -> TotpSecret {
    let encoded = url
        .split(['?', '&'])
        .find_map(|part| part.strip_prefix("secret="))
        .expect("secret parameter");
    TotpSecret::from_base32(encoded).expect("base32 secret")
}

#[tokio::test]
async fn invitations_expire_after_72_hours_and_can_be_revoked() {
    let app = spawn_app().await;
    app.load_demo().await;
    let admin = app.signed_in("root@example.com", &[Role::Admin]).await;
    let token = invite(
        &app,
        &admin.cookie,
        &[("email", "late@example.com"), ("name", "Late")],
    )
    .await;
    let (status, visitor) = open_invitation(&app, &token).await;
    assert_eq!(status, 200);
    let visitor = visitor.expect("cookie");
    app.advance(72 * 3600 + 1);
    let admin_cookie = app.sign_in("root@example.com", admin.totp.as_ref()).await;
    // Held since before it expired: it no longer works either.
    assert_eq!(
        app.call("invitation", &[], Some(&visitor)).await.status(),
        404
    );
    assert_eq!(
        app.call(
            "accept_invitation",
            &[("password", PASSWORD)],
            Some(&visitor)
        )
        .await
        .status(),
        404
    );
    assert_eq!(open_invitation(&app, &token).await.0, 422);

    let token = invite(
        &app,
        &admin_cookie,
        &[("email", "gone@example.com"), ("name", "Gone")],
    )
    .await;
    let page: Value = app
        .call("admin/people", &[], Some(&admin_cookie))
        .await
        .json()
        .await
        .expect("json");
    let id = page["invitations"]
        .as_array()
        .expect("invitations")
        .iter()
        .find(|i| i["email"] == "gone@example.com")
        .expect("listed")["id"]
        .as_str()
        .expect("id")
        .to_owned();
    assert_eq!(
        app.call(
            "admin/revoke_invitation",
            &[("id", &id)],
            Some(&admin_cookie)
        )
        .await
        .status(),
        200
    );
    assert_eq!(
        app.call(
            "admin/revoke_invitation",
            &[("id", &id)],
            Some(&admin_cookie)
        )
        .await
        .status(),
        404
    );
    assert_eq!(open_invitation(&app, &token).await.0, 422);

    // A new invitation replaces the open one for the same address.
    let first = invite(
        &app,
        &admin_cookie,
        &[("email", "twice@example.com"), ("name", "Twice")],
    )
    .await;
    let second = invite(
        &app,
        &admin_cookie,
        &[("email", "twice@example.com"), ("name", "Twice")],
    )
    .await;
    assert_eq!(open_invitation(&app, &first).await.0, 422);
    assert_eq!(open_invitation(&app, &second).await.0, 200);
}

#[tokio::test]
async fn bad_invitations_name_the_field_and_write_nothing() {
    let app = spawn_app().await;
    app.load_demo().await;
    let admin = app.signed_in("root@example.com", &[Role::Admin]).await;
    let long_name = "n".repeat(201);
    let cases: Vec<(Vec<(&str, &str)>, &str)> = vec![
        (vec![("email", "nope"), ("name", "N")], "email"),
        (vec![("email", "root@example.com"), ("name", "N")], "email"),
        (vec![("email", "a@example.com"), ("name", "")], "name"),
        (
            vec![("email", "a@example.com"), ("name", &long_name)],
            "name",
        ),
        (
            vec![
                ("email", "a@example.com"),
                ("name", "N"),
                ("roles[]", "superuser"),
            ],
            "roles",
        ),
        (
            vec![
                ("email", "a@example.com"),
                ("name", "N"),
                ("teams[no-such-team]", "member"),
            ],
            "teams",
        ),
        (
            vec![
                ("email", "a@example.com"),
                ("name", "N"),
                ("teams[payments]", "owner"),
            ],
            "teams",
        ),
    ];
    for (form, field) in cases {
        let response = app.call("admin/invite", &form, Some(&admin.cookie)).await;
        assert_eq!(response.status(), 422, "{form:?}");
        let body: Value = response.json().await.expect("json");
        assert_eq!(body["field"], field, "{form:?}: {body}");
    }
    assert_eq!(count(&app, "SELECT count(*) FROM invitations").await, 0);

    // Bytes that are not UTF-8 are a clear error, not a crash.
    let response = app
        .client
        .post(app.url("/api/admin/invite"))
        .header("origin", &app.address)
        .header("cookie", &admin.cookie)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(b"email=%FF%FE&name=%C3%28".to_vec())
        .send()
        .await
        .expect("request");
    assert_eq!(response.status(), 422);
    assert_eq!(count(&app, "SELECT count(*) FROM invitations").await, 0);
}
