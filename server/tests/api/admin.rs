//! Administration over HTTP: roles and teams, disabling, resetting a second factor, teams,
//! settings and the audit log.

use app::domain::Role;
use serde_json::Value;
use sqlx::{Connection, Executor};

use crate::helpers::{
    cookie_of, spawn_app, spawn_configured_app, test_options, SignedIn, TestApp, PASSWORD,
};

async fn json(app: &TestApp, function: &str, form: &[(&str, &str)], cookie: &str) -> (u16, Value) {
    app.call_json(function, form, Some(cookie)).await
}

async fn who(app: &TestApp, cookie: &str) -> Value {
    json(app, "current_user", &[], cookie).await.1
}

async fn setup(app: &TestApp) -> SignedIn {
    app.load_demo().await;
    app.signed_in("root@example.com", &[Role::Admin]).await
}

async fn last_event(app: &TestApp, action: &str) -> Value {
    let payload: String = sqlx::query_scalar(
        "SELECT payload FROM audit_events WHERE action = $1 ORDER BY seq DESC LIMIT 1",
    )
    .bind(action)
    .fetch_one(&app.pool)
    .await
    .expect("audited");
    serde_json::from_str(&payload).expect("json")
}

#[tokio::test]
async fn changing_roles_signs_the_person_out_and_is_audited() {
    let app = spawn_app().await;
    let admin = setup(&app).await;
    let eve = app.signed_in("eve@example.com", &[]).await;
    let id = eve.user_id.to_string();

    // Teams only: the session stays.
    let (status, _) = json(
        &app,
        "admin/update_person",
        &[("id", &id), ("teams[payments]", "member")],
        &admin.cookie,
    )
    .await;
    assert_eq!(status, 200);
    assert_ne!(who(&app, &eve.cookie).await, Value::Null);
    let event = last_event(&app, "user.teams_changed").await;
    assert_eq!(
        event["after"]["teams"],
        serde_json::json!(["payments:member"])
    );

    let (status, _) = json(
        &app,
        "admin/update_person",
        &[
            ("id", &id),
            ("roles[]", "manager"),
            ("teams[payments]", "manager"),
        ],
        &admin.cookie,
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(
        who(&app, &eve.cookie).await,
        Value::Null,
        "new rights need a new session"
    );
    let event = last_event(&app, "user.roles_changed").await;
    assert_eq!(event["before"]["roles"], serde_json::json!(["employee"]));
    assert_eq!(
        event["after"]["roles"],
        serde_json::json!(["employee", "manager"])
    );
    assert_eq!(event["actor"]["email"], "root@example.com");
    let cookie = app.sign_in("eve@example.com", None).await;
    assert_eq!(
        who(&app, &cookie).await["roles"],
        serde_json::json!(["employee", "manager"])
    );

    let (status, body) = json(
        &app,
        "admin/update_person",
        &[("id", &id), ("roles[]", "owner")],
        &admin.cookie,
    )
    .await;
    assert_eq!((status, body["field"].as_str()), (422, Some("roles")));
    let (status, body) = json(
        &app,
        "admin/update_person",
        &[("id", &id), ("teams[nowhere]", "member")],
        &admin.cookie,
    )
    .await;
    assert_eq!((status, body["field"].as_str()), (422, Some("teams")));
    assert_eq!(
        who(&app, &cookie).await["roles"],
        serde_json::json!(["employee", "manager"]),
        "nothing half-written"
    );
}

#[tokio::test]
async fn the_last_admin_cannot_be_removed_and_own_role_changes_renew_the_session() {
    let app = spawn_app().await;
    let admin = app.signed_in("root@example.com", &[Role::Admin]).await;
    let id = admin.user_id.to_string();
    let (status, body) = json(&app, "admin/update_person", &[("id", &id)], &admin.cookie).await;
    assert_eq!(
        (status, body["field"].as_str()),
        (422, Some("roles")),
        "{body}"
    );
    let (status, _) = json(
        &app,
        "admin/set_person_disabled",
        &[("id", &id), ("disabled", "true")],
        &admin.cookie,
    )
    .await;
    assert_eq!(status, 409, "nobody disables themselves");

    let response = app
        .call(
            "admin/update_person",
            &[("id", &id), ("roles[]", "admin"), ("roles[]", "reviewer")],
            Some(&admin.cookie),
        )
        .await;
    assert_eq!(response.status(), 200);
    let renewed = cookie_of(&response).expect("new session id");
    assert_eq!(who(&app, &admin.cookie).await, Value::Null);
    assert_eq!(
        who(&app, &renewed).await["roles"],
        serde_json::json!(["employee", "reviewer", "admin"])
    );
}

#[tokio::test]
async fn two_admins_removing_each_other_at_once_leave_one_admin() {
    use app::backend::identity::people::{set_disabled, update_access};
    use app::backend::identity::users::active_principal;
    let app = spawn_app().await;
    let a = app.create_user("a@example.com", "A", &[Role::Admin]).await;
    let b = app.create_user("b@example.com", "B", &[Role::Admin]).await;
    let admins = || async {
        sqlx::query_scalar::<_, i64>(
            "SELECT count(*) FROM user_roles r JOIN users u ON u.user_id = r.user_id
             WHERE r.role = 'admin' AND u.disabled_at IS NULL",
        )
        .fetch_one(&app.pool)
        .await
        .expect("count")
    };
    for round in 0..20 {
        let (pa, pb) = (
            active_principal(&app.pool, a)
                .await
                .expect("a")
                .expect("active"),
            active_principal(&app.pool, b)
                .await
                .expect("b")
                .expect("active"),
        );
        let now = app.now();
        let (first, second) = if round % 2 == 0 {
            tokio::join!(
                update_access(&app.pool, &pa, b, &[], &[], None, now),
                update_access(&app.pool, &pb, a, &[], &[], None, now),
            )
        } else {
            let (x, y) = tokio::join!(
                set_disabled(&app.pool, &pa, b, true, now),
                set_disabled(&app.pool, &pb, a, true, now),
            );
            (x.map(|()| true), y.map(|()| true))
        };
        assert_eq!(
            admins().await,
            1,
            "round {round}: exactly one admin is left"
        );
        assert!(
            first.is_ok() != second.is_ok(),
            "round {round}: one change wins, the other is refused: {first:?} {second:?}"
        );
        // Both admins again for the next round.
        sqlx::query(
            "INSERT INTO user_roles (user_id, role) SELECT u, 'admin' FROM unnest($1::uuid[]) u
             ON CONFLICT DO NOTHING",
        )
        .bind(vec![a, b])
        .execute(&app.pool)
        .await
        .expect("restore roles");
        sqlx::query("UPDATE users SET disabled_at = NULL")
            .execute(&app.pool)
            .await
            .expect("enable");
    }
}

#[tokio::test]
async fn disabling_ends_sessions_and_tokens_until_enabled_again() {
    let app = spawn_app().await;
    let admin = setup(&app).await;
    let eve = app.signed_in("eve@example.com", &[]).await;
    let id = eve.user_id.to_string();
    let token = app.api_token("eve@example.com").await;

    let (status, body) = json(
        &app,
        "admin/set_person_disabled",
        &[("id", &id), ("disabled", "maybe")],
        &admin.cookie,
    )
    .await;
    // A typed argument: anything but true or false is a malformed request.
    assert_eq!((status, body["field"].as_str()), (422, Some("request")));
    let (status, _) = json(
        &app,
        "admin/set_person_disabled",
        &[("id", &id), ("disabled", "true")],
        &admin.cookie,
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(who(&app, &eve.cookie).await, Value::Null);
    let api = app
        .client
        .get(app.url("/api/v1/me"))
        .bearer_auth(&token)
        .send()
        .await
        .expect("request");
    assert_eq!(api.status(), 401);
    let sign_in = app
        .call(
            "sign_in",
            &[("email", "eve@example.com"), ("password", PASSWORD)],
            None,
        )
        .await;
    assert_eq!(sign_in.status(), 401);
    let (_, page) = json(&app, "admin/person", &[("id", &id)], &admin.cookie).await;
    assert_eq!(page["person"]["disabled"], true);

    let (status, _) = json(
        &app,
        "admin/set_person_disabled",
        &[("id", &id), ("disabled", "false")],
        &admin.cookie,
    )
    .await;
    assert_eq!(status, 200);
    let sign_in = app
        .call(
            "sign_in",
            &[("email", "eve@example.com"), ("password", PASSWORD)],
            None,
        )
        .await;
    assert_eq!(sign_in.status(), 200);
    assert_eq!(
        last_event(&app, "user.disabled").await["target"],
        "user:eve@example.com"
    );
    assert_eq!(
        last_event(&app, "user.enabled").await["target"],
        "user:eve@example.com"
    );
}

#[tokio::test]
async fn resetting_a_lost_second_factor_makes_the_person_enroll_again() {
    let app = spawn_app().await;
    let admin = setup(&app).await;
    let rita = app.signed_in("rita@example.com", &[Role::Reviewer]).await;
    let id = rita.user_id.to_string();
    let (status, _) = json(
        &app,
        "admin/reset_person_totp",
        &[("id", &id)],
        &admin.cookie,
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(who(&app, &rita.cookie).await, Value::Null, "signed out");
    let (status, _) = json(
        &app,
        "admin/reset_person_totp",
        &[("id", &id)],
        &admin.cookie,
    )
    .await;
    assert_eq!(status, 409, "nothing left to reset");
    let cookie = app.sign_in("rita@example.com", None).await;
    assert_eq!(who(&app, &cookie).await["needs_two_factor"], true);
    assert_eq!(app.call("overview", &[], Some(&cookie)).await.status(), 403);
    assert_eq!(
        last_event(&app, "user.totp_reset").await["target"],
        "user:rita@example.com"
    );

    // An employee the organization lets work without a second factor, who had set one up:
    // after a reset, nothing but setting up a new one until they have.
    let eve = app.signed_in("eve@example.com", &[]).await;
    app.enroll_totp(eve.user_id).await;
    let (status, _) = json(
        &app,
        "admin/reset_person_totp",
        &[("id", &eve.user_id.to_string())],
        &admin.cookie,
    )
    .await;
    assert_eq!(status, 200);
    let cookie = app.sign_in("eve@example.com", None).await;
    assert_eq!(who(&app, &cookie).await["needs_two_factor"], true);
    let (status, body) = json(&app, "overview", &[], &cookie).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (403, Some("enrollment_required"))
    );
    let (status, _) = json(&app, "two_factor", &[], &cookie).await;
    assert_eq!(status, 200, "setting one up is allowed");
    let secret = enroll_through_the_page(&app, &cookie).await;
    let cookie = app.sign_in("eve@example.com", Some(&secret)).await;
    assert_eq!(app.call("overview", &[], Some(&cookie)).await.status(), 200);
}

/// Sets up an authenticator app through the two-factor page as `cookie` (no factor yet).
async fn enroll_through_the_page(
    app: &TestApp,
    cookie: &str,
) -> app::backend::identity::auth::totp::TotpSecret {
    let (status, body) = json(
        app,
        "begin_two_factor",
        &[("current_password", PASSWORD)],
        cookie,
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let (_, page) = json(app, "two_factor", &[], cookie).await;
    let secret =
        crate::onboarding::secret_from(page["pending"]["otpauth_url"].as_str().expect("pending"));
    let code = secret.code_at(app.now()).expect("code");
    let (status, body) = json(app, "confirm_two_factor", &[("code", &code)], cookie).await;
    assert_eq!(status, 200, "{body}");
    app.advance(30);
    secret
}

#[tokio::test]
async fn teams_are_created_renamed_and_staffed() {
    let app = spawn_app().await;
    let admin = setup(&app).await;
    let (status, slug) = json(
        &app,
        "admin/create_team",
        &[("name", "Risk & Fraud"), ("description", "Stops fraud.")],
        &admin.cookie,
    )
    .await;
    assert_eq!((status, slug.as_str()), (200, Some("risk-fraud")));
    for (form, field) in [
        (vec![("name", "Risk"), ("slug", "risk-fraud")], "slug"),
        (vec![("name", "Risk"), ("slug", "Not A Slug")], "slug"),
        (vec![("name", "")], "name"),
    ] {
        let (status, body) = json(&app, "admin/create_team", &form, &admin.cookie).await;
        assert_eq!(
            (status, body["field"].as_str()),
            (422, Some(field)),
            "{form:?}"
        );
    }
    let long = "d".repeat(2001);
    let (status, body) = json(
        &app,
        "admin/create_team",
        &[("name", "Long"), ("description", &long)],
        &admin.cookie,
    )
    .await;
    assert_eq!((status, body["field"].as_str()), (422, Some("description")));

    let (status, _) = json(
        &app,
        "admin/update_team",
        &[("slug", "risk-fraud"), ("name", "Fraud Prevention")],
        &admin.cookie,
    )
    .await;
    assert_eq!(status, 200);
    let event = last_event(&app, "team.updated").await;
    assert_eq!(event["before"]["name"], "Risk & Fraud");
    assert_eq!(event["after"]["name"], "Fraud Prevention");

    for (membership, expected) in [
        ("member", Some("member")),
        ("manager", Some("manager")),
        ("", None),
    ] {
        let (status, _) = json(
            &app,
            "admin/set_team_member",
            &[
                ("slug", "risk-fraud"),
                ("email", "eli.employee@northwind.example"),
                ("membership", membership),
            ],
            &admin.cookie,
        )
        .await;
        assert_eq!(status, 200);
        let (_, team) = json(&app, "admin/team", &[("slug", "risk-fraud")], &admin.cookie).await;
        assert_eq!(team["name"], "Fraud Prevention");
        let found = team["members"]
            .as_array()
            .expect("members")
            .first()
            .map(|m| m["membership"].as_str().expect("m").to_owned());
        assert_eq!(found.as_deref(), expected);
    }
    let (status, body) = json(
        &app,
        "admin/set_team_member",
        &[
            ("slug", "risk-fraud"),
            ("email", "nobody@example.com"),
            ("membership", "member"),
        ],
        &admin.cookie,
    )
    .await;
    assert_eq!((status, body["field"].as_str()), (422, Some("email")));
    let (status, body) = json(
        &app,
        "admin/set_team_member",
        &[
            ("slug", "risk-fraud"),
            ("email", "eli.employee@northwind.example"),
            ("membership", "boss"),
        ],
        &admin.cookie,
    )
    .await;
    assert_eq!((status, body["field"].as_str()), (422, Some("membership")));

    let (_, teams) = json(&app, "admin/teams", &[], &admin.cookie).await;
    let payments = teams
        .as_array()
        .expect("teams")
        .iter()
        .find(|t| t["slug"] == "payments")
        .expect("payments")
        .clone();
    assert_eq!(
        (payments["members"].as_i64(), payments["managers"].as_i64()),
        (Some(3), Some(1)),
        "demo people are in teams"
    );
}

#[tokio::test]
async fn requiring_two_factor_for_everyone_applies_at_once() {
    let app = spawn_app().await;
    let admin = setup(&app).await;
    let eve = app.signed_in("eve@example.com", &[]).await;
    let (status, body) = json(
        &app,
        "admin/update_settings",
        &[("name", "")],
        &admin.cookie,
    )
    .await;
    assert_eq!((status, body["field"].as_str()), (422, Some("name")));
    let (status, _) = json(
        &app,
        "admin/update_settings",
        &[("name", "Northwind"), ("require_totp_for_all", "on")],
        &admin.cookie,
    )
    .await;
    assert_eq!(status, 200);
    let (_, settings) = json(&app, "admin/settings", &[], &admin.cookie).await;
    assert_eq!(
        settings,
        serde_json::json!({"name": "Northwind", "require_totp_for_all": true,
                           "max_review_months": 12, "stale_policy": "deny",
                           "response_review_months": 12, "review_target_days": 3,
                           "overdue_policy": "warn"})
    );
    assert_eq!(who(&app, &eve.cookie).await["needs_two_factor"], true);
    assert_eq!(
        app.call("overview", &[], Some(&eve.cookie)).await.status(),
        403
    );
    let (status, _) = json(
        &app,
        "admin/update_settings",
        &[("name", "Northwind")],
        &admin.cookie,
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(
        app.call("overview", &[], Some(&eve.cookie)).await.status(),
        200
    );
}

#[tokio::test]
async fn the_audit_log_filters_pages_and_verifies() {
    let app = spawn_app().await;
    let admin = setup(&app).await;
    for i in 0..55 {
        let name = format!("Team {i}");
        json(&app, "admin/create_team", &[("name", &name)], &admin.cookie).await;
    }
    let (status, page) = json(
        &app,
        "admin/audit",
        &[("query[action]", "team.created")],
        &admin.cookie,
    )
    .await;
    assert_eq!(status, 200);
    let entries = page["entries"].as_array().expect("entries");
    assert_eq!(entries.len(), 50);
    assert!(entries.iter().all(|e| e["action"] == "team.created"));
    let before = page["next_before"]
        .as_i64()
        .expect("a next page")
        .to_string();
    let (_, older) = json(
        &app,
        "admin/audit",
        &[
            ("query[action]", "team.created"),
            ("query[before]", &before),
        ],
        &admin.cookie,
    )
    .await;
    assert_eq!(older["entries"].as_array().expect("entries").len(), 5);
    assert_eq!(older["next_before"], Value::Null);

    let (_, page) = json(
        &app,
        "admin/audit",
        &[("query[actor]", "ROOT@"), ("query[target]", "team:team-1")],
        &admin.cookie,
    )
    .await;
    let targets: Vec<&str> = page["entries"]
        .as_array()
        .expect("entries")
        .iter()
        .map(|e| e["target"].as_str().expect("t"))
        .collect();
    assert!(
        targets.len() >= 11 && targets.iter().all(|t| t.starts_with("team:team-1")),
        "{targets:?}"
    );
    let today = chrono::Utc::now().format("%Y-%m-%d").to_string();
    let (_, page) = json(
        &app,
        "admin/audit",
        &[
            ("query[from]", &today),
            ("query[to]", &today),
            ("query[actor]", "100%_"),
        ],
        &admin.cookie,
    )
    .await;
    assert_eq!(
        page["entries"],
        serde_json::json!([]),
        "wildcards are literal"
    );

    for (key, value, field) in [
        ("query[action]", "user.exploded", "action"),
        ("query[from]", "yesterday", "from"),
        ("query[to]", "2026-13-01", "to"),
    ] {
        let (status, body) = json(&app, "admin/audit", &[(key, value)], &admin.cookie).await;
        assert_eq!(
            (status, body["field"].as_str()),
            (422, Some(field)),
            "{key}"
        );
    }
    let (status, body) = json(
        &app,
        "admin/audit",
        &[("query[from]", "2026-11-02"), ("query[to]", "2026-11-01")],
        &admin.cookie,
    )
    .await;
    assert_eq!((status, body["field"].as_str()), (422, Some("to")));

    let (_, check) = json(&app, "admin/verify_audit", &[], &admin.cookie).await;
    assert_eq!(check["intact"], true);
    let mut conn =
        sqlx::PgConnection::connect_with(&crate::helpers::server_options().database(&app.database))
            .await
            .expect("connect");
    conn.execute("SET session_replication_role = replica")
        .await
        .expect("superuser");
    conn.execute("UPDATE audit_events SET payload = replace(payload, 'Team 7', 'Team 8') WHERE seq = (SELECT seq FROM audit_events WHERE payload LIKE '%Team 7\"%')").await.expect("tamper");
    let (_, check) = json(&app, "admin/verify_audit", &[], &admin.cookie).await;
    assert_eq!(check["intact"], false);
    let bad: i64 = sqlx::query_scalar(
        "SELECT seq FROM audit_events WHERE payload LIKE '%Team 8\"%' ORDER BY seq LIMIT 1",
    )
    .fetch_one(&app.pool)
    .await
    .expect("seq");
    assert_eq!(check["first_bad_seq"].as_i64(), Some(bad));
    let html = app.html("/admin/audit?verify=1", &admin.cookie).await;
    assert!(
        html.contains(&format!("Broken at event {bad}")),
        "the page reports it without JavaScript"
    );
}

#[tokio::test]
async fn the_client_address_comes_from_a_proxy_only_when_it_is_trusted() {
    for (trusted, expected) in [(false, "address:127.0.0.1"), (true, "address:203.0.113.9")] {
        let mut options = test_options();
        if trusted {
            options.trusted_proxies = vec!["127.0.0.1".parse().expect("ip")];
        }
        let app = spawn_configured_app(options).await;
        let response = app
            .post(
                "sign_in",
                &[
                    ("email", "x@example.com"),
                    ("password", "wrong password here"),
                ],
                &[
                    ("origin", &app.address),
                    ("x-forwarded-for", "198.51.100.1, 203.0.113.9"),
                ],
            )
            .await;
        assert_eq!(response.status(), 401);
        let keys: Vec<String> = sqlx::query_scalar(
            "SELECT throttle_key FROM auth_failures WHERE throttle_key LIKE 'address:%'",
        )
        .fetch_all(&app.pool)
        .await
        .expect("keys");
        assert_eq!(keys, [expected], "trusted: {trusted}");
    }
}

#[tokio::test]
async fn an_admin_made_at_the_command_line_names_the_organization_in_settings() {
    let app = spawn_app().await;
    let admin = app.signed_in("root@example.com", &[Role::Admin]).await;
    let (status, settings) = json(&app, "admin/settings", &[], &admin.cookie).await;
    assert_eq!(status, 200);
    assert_eq!(settings["name"], "");
    let (status, _) = json(
        &app,
        "admin/update_settings",
        &[("name", "Acme Corp")],
        &admin.cookie,
    )
    .await;
    assert_eq!(status, 200);
    let (_, overview) = json(&app, "overview", &[], &admin.cookie).await;
    assert_eq!(overview["organization"]["name"], "Acme Corp");
    assert_eq!(overview["organization"]["is_demo"], false);
    assert_eq!(
        last_event(&app, "settings.changed").await["before"],
        Value::Null
    );
}
