//! The incident register over the browser's server functions and `/api/v1`: reporting,
//! who sees which incident, triage through review to closing, and bad input on every field.

use app::domain::{Membership, Role};
use serde_json::Value;

use crate::helpers::{spawn_app, SignedIn, TestApp};

struct People {
    eli: SignedIn,
    rita: SignedIn,
    maya: SignedIn,
    otto: SignedIn,
    pat: SignedIn,
}

/// Eli works in Payments, Maya manages it, Otto manages another team, Pat is another employee
/// and Rita reviews.
async fn people(app: &TestApp) -> People {
    app.load_demo().await;
    let eli = app.signed_in("eli@example.com", &[]).await;
    let maya = app.signed_in("maya@example.com", &[Role::Manager]).await;
    let otto = app.signed_in("otto@example.com", &[Role::Manager]).await;
    app.join(eli.user_id, "payments", Membership::Member).await;
    app.join(maya.user_id, "payments", Membership::Manager)
        .await;
    app.join(otto.user_id, "platform", Membership::Manager)
        .await;
    People {
        eli,
        rita: app.signed_in("rita@example.com", &[Role::Reviewer]).await,
        maya,
        otto,
        pat: app.signed_in("pat@example.com", &[]).await,
    }
}

fn report() -> Vec<(&'static str, &'static str)> {
    vec![
        (
            "incident[title]",
            "Fake cursor-agent package on two laptops",
        ),
        ("incident[kind]", "malicious_package"),
        (
            "incident[description]",
            "A typosquatted npm package was installed while following a blog post.",
        ),
        ("incident[occurred_at]", "2026-01-05T09:30"),
        ("incident[tools][]", "cursor"),
        ("incident[data_classes][]", "core-source-code"),
        ("incident[teams][]", "payments"),
    ]
}

async fn reported(app: &TestApp, who: &SignedIn) -> String {
    let (status, number) = app
        .call_json("report_incident", &report(), Some(&who.cookie))
        .await;
    assert_eq!(status, 200, "{number}");
    number.as_i64().expect("a number").to_string()
}

async fn incident(app: &TestApp, who: &SignedIn, number: &str) -> (u16, Value) {
    app.call_json("incident", &[("number", number)], Some(&who.cookie))
        .await
}

async fn triage(
    app: &TestApp,
    who: &SignedIn,
    number: &str,
    form: &[(&str, &str)],
) -> (u16, Value) {
    let mut fields = vec![("number", number)];
    fields.extend_from_slice(form);
    app.call_json("triage_incident", &fields, Some(&who.cookie))
        .await
}

/// The demo organization's incidents (one closed, one under triage).
const DEMO_INCIDENTS: i64 = 2;

async fn count(app: &TestApp, sql: &str) -> i64 {
    sqlx::query_scalar(sql)
        .fetch_one(&app.pool)
        .await
        .expect("count")
}

#[tokio::test]
async fn an_incident_goes_from_report_through_triage_and_review_to_closed() {
    let app = spawn_app().await;
    let p = people(&app).await;
    let number = reported(&app, &p.eli).await;

    let (status, detail) = incident(&app, &p.eli, &number).await;
    assert_eq!(status, 200, "{detail}");
    assert_eq!(detail["status"], "reported");
    assert_eq!(detail["severity"], Value::Null);
    assert_eq!(detail["tools"][0]["slug"], "cursor");
    assert_eq!(detail["teams"][0]["slug"], "payments");
    assert_eq!(detail["data_classes"][0]["slug"], "core-source-code");
    assert_eq!(detail["occurred_at"], "2026-01-05T09:30:00Z");
    assert_eq!(detail["may_triage"], false);
    assert_eq!(
        detail["owners"],
        serde_json::json!([]),
        "only triagers see the owner list"
    );
    // The request that approved Cursor, if it went through the workflow, is linked.
    let approved_by_request = count(
        &app,
        "SELECT count(approval_request_id) FROM tools WHERE slug = 'cursor'",
    )
    .await;
    assert_eq!(
        detail["requests"].as_array().expect("requests").len(),
        usize::try_from(approved_by_request).expect("count"),
        "{detail}"
    );
    // Rita hears of it at once.
    let told = count(
        &app,
        &format!(
            "SELECT count(*) FROM notifications n JOIN users u ON u.user_id = n.user_id
             WHERE u.email = 'rita@example.com' AND n.link = '/incidents/{number}'"
        ),
    )
    .await;
    assert_eq!(told, 1);

    // Triage needs a severity and an owner; Eli may not triage at all.
    let rita = p.rita.user_id.to_string();
    let (status, body) = triage(&app, &p.eli, &number, &[("triage[status]", "triaged")]).await;
    assert_eq!((status, body["code"].as_str()), (403, Some("forbidden")));
    let (status, body) = triage(
        &app,
        &p.rita,
        &number,
        &[("triage[status]", "triaged"), ("triage[owner]", &rita)],
    )
    .await;
    assert_eq!(
        (status, body["field"].as_str()),
        (422, Some("severity")),
        "{body}"
    );
    let eli = p.eli.user_id.to_string();
    let (status, body) = triage(
        &app,
        &p.rita,
        &number,
        &[
            ("triage[status]", "triaged"),
            ("triage[severity]", "high"),
            ("triage[owner]", &eli),
        ],
    )
    .await;
    assert_eq!(
        (status, body["field"].as_str()),
        (422, Some("owner")),
        "an employee owns nothing: {body}"
    );
    let (status, body) = triage(
        &app,
        &p.rita,
        &number,
        &[
            ("triage[status]", "triaged"),
            ("triage[severity]", "high"),
            ("triage[owner]", &rita),
            ("triage[note]", "Two laptops isolated."),
        ],
    )
    .await;
    assert_eq!((status, body.as_str()), (200, Some("triaged")), "{body}");

    // No skipping to closed; no closing without the review.
    let (status, body) = triage(&app, &p.rita, &number, &[("triage[status]", "closed")]).await;
    assert_eq!(
        (status, body["field"].as_str()),
        (422, Some("status")),
        "{body}"
    );
    for step in ["contained", "resolved"] {
        let (status, body) = triage(&app, &p.rita, &number, &[("triage[status]", step)]).await;
        assert_eq!((status, body.as_str()), (200, Some(step)), "{body}");
    }
    let (status, body) = triage(&app, &p.rita, &number, &[("triage[status]", "closed")]).await;
    assert_eq!(
        (status, body["field"].as_str()),
        (422, Some("status")),
        "{body}"
    );
    assert!(
        body["message"]
            .as_str()
            .unwrap_or_default()
            .contains("review"),
        "{body}"
    );

    let (status, body) = app
        .call_json(
            "comment_on_incident",
            &[("number", &number), ("body", "Both laptops re-imaged.")],
            Some(&p.eli.cookie),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let (status, body) = app
        .call_json(
            "review_incident",
            &[
                ("number", &number),
                (
                    "review[summary]",
                    "Installed at 09:30, found at 11:00, re-imaged by 14:00.",
                ),
                ("review[root_cause]", ""),
            ],
            Some(&p.rita.cookie),
        )
        .await;
    assert_eq!(
        (status, body["field"].as_str()),
        (422, Some("root_cause")),
        "{body}"
    );
    let (status, body) = app
        .call_json(
            "review_incident",
            &[
                ("number", &number),
                (
                    "review[summary]",
                    "Installed at 09:30, found at 11:00, re-imaged by 14:00.",
                ),
                (
                    "review[root_cause]",
                    "Packages installed by name, not pinned by checksum.",
                ),
            ],
            Some(&p.rita.cookie),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let due = (app.now() + chrono::Duration::days(14))
        .format("%Y-%m-%d")
        .to_string();
    let (status, body) = app
        .call_json(
            "add_incident_follow_up",
            &[
                ("number", &number),
                ("follow_up[what]", "Pin every npm package by checksum"),
                ("follow_up[owner]", &rita),
                ("follow_up[due]", "2020-01-01"),
            ],
            Some(&p.rita.cookie),
        )
        .await;
    assert_eq!(
        (status, body["field"].as_str()),
        (422, Some("due")),
        "{body}"
    );
    let (status, body) = app
        .call_json(
            "add_incident_follow_up",
            &[
                ("number", &number),
                ("follow_up[what]", "Pin every npm package by checksum"),
                ("follow_up[owner]", &rita),
                ("follow_up[due]", &due),
            ],
            Some(&p.rita.cookie),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let (status, body) = triage(&app, &p.rita, &number, &[("triage[status]", "closed")]).await;
    assert_eq!((status, body.as_str()), (200, Some("closed")), "{body}");

    // Closed is final, but its follow-ups can still be completed.
    let (status, body) = app
        .call_json(
            "comment_on_incident",
            &[("number", &number), ("body", "One more thing")],
            Some(&p.eli.cookie),
        )
        .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (409, Some("conflict")),
        "{body}"
    );
    let (_, detail) = incident(&app, &p.rita, &number).await;
    let action = detail["follow_ups"][0]["id"]
        .as_str()
        .expect("id")
        .to_owned();
    assert_eq!(detail["follow_ups"][0]["overdue"], false);
    let (status, body) = app
        .call_json(
            "complete_incident_follow_up",
            &[("number", &number), ("action", &action)],
            Some(&p.eli.cookie),
        )
        .await;
    assert_eq!(status, 403, "only its owner or a triager: {body}");
    let (status, body) = app
        .call_json(
            "complete_incident_follow_up",
            &[("number", &number), ("action", &action)],
            Some(&p.rita.cookie),
        )
        .await;
    assert_eq!(status, 200, "{body}");

    let (_, detail) = incident(&app, &p.rita, &number).await;
    let kinds: Vec<&str> = detail["timeline"]
        .as_array()
        .expect("timeline")
        .iter()
        .map(|e| e["kind"].as_str().unwrap_or_default())
        .collect();
    assert_eq!(
        kinds,
        [
            "reported",
            "status_changed",
            "status_changed",
            "status_changed",
            "commented",
            "reviewed",
            "action_added",
            "status_changed",
            "action_done"
        ]
    );
    assert_eq!(
        detail["timeline"][1]["body"],
        "severity high · owner rita@example.com\n\nTwo laptops isolated."
    );
    assert_eq!(detail["owner"]["name"], "rita@example.com");
    assert!(detail["follow_ups"][0]["done_at"].is_string());
    // Every step is in the audit chain, and the chain holds.
    let audited = count(
        &app,
        &format!("SELECT count(*) FROM audit_events WHERE target = 'incident:{number}'"),
    )
    .await;
    assert_eq!(audited, 9);
    let verification = app::backend::audit::verify(&app.pool)
        .await
        .expect("verify");
    assert!(
        matches!(
            verification,
            app::backend::audit::Verification::Intact { .. }
        ),
        "{verification:?}"
    );
}

#[tokio::test]
async fn reporters_see_their_own_managers_their_teams_and_triagers_all() {
    let app = spawn_app().await;
    let p = people(&app).await;
    let number = reported(&app, &p.eli).await;
    // The demo's incidents: Maya manages Payments, which the closed one names; Rita sees both.
    for (who, sees, listed_too) in [
        (&p.eli, true, 0),
        (&p.maya, true, 1),
        (&p.rita, true, 2),
        (&p.otto, false, 0),
        (&p.pat, false, 0),
    ] {
        let (status, body) = incident(&app, who, &number).await;
        assert_eq!(status, if sees { 200 } else { 404 }, "{body}");
        let (status, list) = app
            .call_json("incidents", &[("query[status]", "")], Some(&who.cookie))
            .await;
        assert_eq!(status, 200);
        let listed = list["incidents"].as_array().expect("list").len();
        assert_eq!(listed, usize::from(sees) + listed_too, "{list}");
        // Someone who cannot see it cannot comment on it either, and learns nothing.
        let (status, _) = app
            .call_json(
                "comment_on_incident",
                &[("number", &number), ("body", "hello")],
                Some(&who.cookie),
            )
            .await;
        assert_eq!(status, if sees { 200 } else { 404 });
    }
    assert_eq!(
        count(
            &app,
            "SELECT count(*) FROM incident_events e JOIN users u ON u.user_id = e.actor_id
             WHERE e.kind = 'commented' AND u.email LIKE '%@example.com'"
        )
        .await,
        3
    );

    // Filters: by status (or every open one) and by tool; a bad status names its field.
    for (query, expected) in [
        (vec![("query[status]", "reported")], 1),
        (vec![("query[status]", "open")], 2),
        (vec![("query[status]", "closed")], 1),
        (vec![("query[tool]", "cursor")], 1),
        (vec![("query[tool]", "claude-code")], 1),
        (vec![("query[tool]", "gemini")], 0),
    ] {
        let (status, list) = app
            .call_json("incidents", &query, Some(&p.rita.cookie))
            .await;
        assert_eq!(status, 200, "{list}");
        assert_eq!(
            list["incidents"].as_array().expect("list").len(),
            expected,
            "{query:?}"
        );
    }
    let (status, body) = app
        .call_json(
            "incidents",
            &[("query[status]", "panic")],
            Some(&p.rita.cookie),
        )
        .await;
    assert_eq!((status, body["field"].as_str()), (422, Some("status")));
}

#[tokio::test]
async fn a_bad_report_names_its_field_and_stores_nothing() {
    let app = spawn_app().await;
    let p = people(&app).await;
    let cases: [(&str, &str, &str); 8] = [
        ("incident[title]", "", "title"),
        ("incident[kind]", "", "kind"),
        ("incident[kind]", "meteor", "kind"),
        ("incident[description]", " ", "description"),
        ("incident[occurred_at]", "last tuesday", "occurred_at"),
        ("incident[occurred_at]", "2999-01-01T00:00", "occurred_at"),
        ("incident[tools][]", "no-such-tool", "tools"),
        ("incident[teams][]", "no-such-team", "teams"),
    ];
    for (name, value, field) in cases {
        let mut form: Vec<(&str, &str)> =
            report().into_iter().filter(|(n, _)| *n != name).collect();
        form.push((name, value));
        let (status, body) = app
            .call_json("report_incident", &form, Some(&p.eli.cookie))
            .await;
        assert_eq!(
            (status, body["field"].as_str()),
            (422, Some(field)),
            "{name}={value}: {body}"
        );
    }
    let mut form = report();
    form.push(("incident[data_classes][]", "no-such-class"));
    let (status, body) = app
        .call_json("report_incident", &form, Some(&p.eli.cookie))
        .await;
    assert_eq!(
        (status, body["field"].as_str()),
        (422, Some("data_classes"))
    );
    // Only the demo's own incidents are there.
    assert_eq!(
        count(&app, "SELECT count(*) FROM incidents").await,
        DEMO_INCIDENTS
    );
    assert_eq!(
        count(
            &app,
            "SELECT count(*) FROM incident_events e JOIN users u ON u.user_id = e.actor_id
             WHERE u.email = 'eli@example.com'"
        )
        .await,
        0
    );

    // Without JavaScript the form comes back with the message and what was typed.
    let mut form = report();
    form.retain(|(n, _)| *n != "incident[kind]");
    let back = app
        .refused_form("report_incident", &form, "/incidents/new", &p.eli.cookie)
        .await;
    let html = app.html(&back, &p.eli.cookie).await;
    assert!(
        html.contains("choose what kind of incident it is"),
        "{html}"
    );
    assert!(
        html.contains("Fake cursor-agent package on two laptops"),
        "the title is kept"
    );
}

#[tokio::test]
async fn a_gateway_opens_an_incident_with_a_token_and_reads_it_back() {
    let app = spawn_app().await;
    let p = people(&app).await;
    let token = app.api_token("eli@example.com").await;
    let read_only = app
        .api_token_with("eli@example.com", app::domain::TokenScope::Read, 1)
        .await;
    let post = |token: &str, body: Value| {
        app.client
            .post(app.url("/api/v1/incidents"))
            .bearer_auth(token)
            .json(&body)
            .send()
    };
    let incident = serde_json::json!({
        "title": "Customer e-mails pasted into ChatGPT",
        "kind": "data_sent",
        "description": "The gateway blocked a prompt holding 40 customer e-mail addresses.",
        "occurred_at": "2026-02-01T08:00:00Z",
        "tools": ["chatgpt-personal"],
        "data_classes": ["personal-data"],
        "teams": ["payments"],
    });
    let response = post(&read_only, incident.clone()).await.expect("request");
    assert_eq!(response.status(), 403);
    for (change, field) in [
        (serde_json::json!({"kind": "oops"}), "kind"),
        (serde_json::json!({"tools": ["nope"]}), "tools"),
        (serde_json::json!({"occurred_at": "soon"}), "occurred_at"),
        (serde_json::json!({"severity": "critical"}), "body"),
    ] {
        let mut body = incident.clone();
        for (key, value) in change.as_object().expect("object") {
            body[key] = value.clone();
        }
        let response = post(&token, body).await.expect("request");
        assert_eq!(response.status(), 422);
        let error: Value = response.json().await.expect("json");
        assert_eq!(error["error"]["field"], field, "{error}");
    }
    assert_eq!(
        count(&app, "SELECT count(*) FROM incidents").await,
        DEMO_INCIDENTS
    );
    let response = post(&token, incident).await.expect("request");
    assert_eq!(response.status(), 201);
    let location = response.headers()["location"]
        .to_str()
        .expect("ascii")
        .to_owned();
    let created: Value = response.json().await.expect("json");
    assert_eq!(location, format!("/api/v1/incidents/{}", created["number"]));
    assert_eq!(created["status"], "reported");
    assert_eq!(created["data_classes"][0]["slug"], "personal-data");

    let response = app.api_get(&location, &token).await;
    assert_eq!(response.status(), 200);
    let rita_token = app.api_token("rita@example.com").await;
    let response = app
        .api_get(
            "/api/v1/incidents?status=reported&tool=chatgpt-personal",
            &rita_token,
        )
        .await;
    let listed: Value = response.json().await.expect("json");
    assert_eq!(listed.as_array().expect("list").len(), 1, "{listed}");
    assert_eq!(listed[0]["title"], "Customer e-mails pasted into ChatGPT");
    let response = app
        .api_get("/api/v1/incidents?status=bogus", &rita_token)
        .await;
    assert_eq!(response.status(), 422);
    let pat_token = app.api_token("pat@example.com").await;
    let response = app.api_get(&location, &pat_token).await;
    assert_eq!(
        response.status(),
        404,
        "hidden from someone it does not concern"
    );
    let response = app.api_get("/api/v1/incidents", &pat_token).await;
    let listed: Value = response.json().await.expect("json");
    assert_eq!(listed, serde_json::json!([]));
    // The API's report is audited with the address it came from.
    let source: Option<String> = sqlx::query_scalar(
        "SELECT payload::jsonb->>'source' FROM audit_events WHERE action = 'incident.reported'",
    )
    .fetch_one(&app.pool)
    .await
    .expect("audited");
    assert_eq!(source.as_deref(), Some("127.0.0.1"));
    drop(p);
}
