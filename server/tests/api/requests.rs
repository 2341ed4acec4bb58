//! Tool requests over the browser's server functions: drafts, submission with the risk score,
//! assignment, changes requested and answered, comments, withdrawal, who may see what.

use app::domain::{Membership, Role};
use serde_json::Value;

use crate::helpers::{spawn_app, SignedIn, TestApp};

struct People {
    eli: SignedIn,
    rita: SignedIn,
    maya: SignedIn,
    outsider: SignedIn,
}

async fn people(app: &TestApp) -> People {
    app.load_demo().await;
    let eli = app.signed_in("eli@example.com", &[]).await;
    let maya = app.signed_in("maya@example.com", &[Role::Manager]).await;
    app.join(eli.user_id, "payments", Membership::Member).await;
    app.join(maya.user_id, "payments", Membership::Manager)
        .await;
    People {
        eli,
        rita: app.signed_in("rita@example.com", &[Role::Reviewer]).await,
        maya,
        outsider: app.signed_in("otto@example.com", &[Role::Manager]).await,
    }
}

pub fn draft() -> Vec<(&'static str, &'static str)> {
    vec![
        ("request[team]", "payments"),
        ("request[tool_name]", "Windsurf"),
        ("request[vendor]", "Codeium"),
        ("request[category]", "ai_coding"),
        ("request[distribution]", "binary"),
        ("request[use_case]", "Refactoring the ledger service"),
        ("request[justification]", "Saves a week per quarter"),
        ("request[users]", "12"),
        ("request[access][]", "terminal"),
        ("request[access][]", "git"),
        ("request[data_classes][]", "core-source-code"),
        ("request[pinned_version]", "1.12.3"),
    ]
}

async fn act(
    app: &TestApp,
    who: &SignedIn,
    number: &str,
    action: &str,
    body: &str,
) -> (u16, Value) {
    app.call_json(
        "request_action",
        &[("number", number), ("action", action), ("body", body)],
        Some(&who.cookie),
    )
    .await
}

#[tokio::test]
async fn a_request_goes_from_draft_through_changes_and_back_to_review() {
    let app = spawn_app().await;
    let p = people(&app).await;
    let (status, number) = app
        .call_json("save_request", &draft(), Some(&p.eli.cookie))
        .await;
    assert_eq!(status, 200, "{number}");
    let number = number.as_i64().expect("a number").to_string();

    let (status, state) = act(&app, &p.eli, &number, "submit", "").await;
    assert_eq!((status, state.as_str()), (200, Some("submitted")));
    let (_, request) = app
        .call_json("request", &[("number", &number)], Some(&p.eli.cookie))
        .await;
    assert_eq!(
        request["risk"]["level"], "high",
        "no checksum, terminal, core source code: {request}"
    );
    assert_eq!(request["required_approvals"], 2);
    let rules: Vec<&str> = request["risk"]["hits"]
        .as_array()
        .expect("hits")
        .iter()
        .map(|h| h["rule"].as_str().expect("rule"))
        .collect();
    assert_eq!(
        rules,
        [
            "prohibited_by_default_data",
            "confidential_data",
            "terminal_access",
            "git_access",
            "no_checksum"
        ]
    );

    // The requester cannot review their own request; the reviewer takes it.
    let (status, _) = act(&app, &p.eli, &number, "assign", "").await;
    assert_eq!(status, 403);
    let (status, state) = act(&app, &p.rita, &number, "assign", "").await;
    assert_eq!((status, state.as_str()), (200, Some("in_review")));
    let (status, body) = act(&app, &p.rita, &number, "request_changes", "").await;
    assert_eq!((status, body["field"].as_str()), (422, Some("body")));
    let (status, _) = act(
        &app,
        &p.rita,
        &number,
        "request_changes",
        "Pin a checksum, please",
    )
    .await;
    assert_eq!(status, 200);

    // The requester edits and answers; the manager comments.
    let mut changed = draft();
    changed.push(("number", number.as_str()));
    let checksum = "ab".repeat(32);
    changed.push(("request[checksum]", checksum.as_str()));
    let (status, _) = app
        .call_json("save_request", &changed, Some(&p.eli.cookie))
        .await;
    assert_eq!(status, 200);
    let (status, state) = act(&app, &p.eli, &number, "resubmit", "Checksum added").await;
    assert_eq!((status, state.as_str()), (200, Some("in_review")));
    let (status, _) = act(
        &app,
        &p.maya,
        &number,
        "comment",
        "Payments needs this by March",
    )
    .await;
    assert_eq!(status, 200);
    let (_, request) = app
        .call_json("request", &[("number", &number)], Some(&p.maya.cookie))
        .await;
    assert_eq!(request["party"], "observer");
    assert_eq!(request["assignee"], "rita@example.com");
    let kinds: Vec<&str> = request["timeline"]
        .as_array()
        .expect("timeline")
        .iter()
        .map(|e| e["kind"].as_str().expect("kind"))
        .collect();
    assert_eq!(
        kinds,
        [
            "created",
            "submitted",
            "assigned",
            "changes_requested",
            "edited",
            "resubmitted",
            "commented"
        ]
    );
    let audited: Vec<String> =
        sqlx::query_scalar("SELECT action FROM audit_events WHERE target = $1 ORDER BY seq")
            .bind(format!("request:{number}"))
            .fetch_all(&app.pool)
            .await
            .expect("audit");
    assert_eq!(
        audited,
        [
            "request.submitted",
            "request.assigned",
            "request.changes_requested",
            "request.resubmitted"
        ]
    );

    // Withdrawn is final.
    let (status, state) = act(&app, &p.eli, &number, "withdraw", "").await;
    assert_eq!((status, state.as_str()), (200, Some("withdrawn")));
    let (status, body) = act(&app, &p.rita, &number, "comment", "Too late").await;
    assert_eq!(status, 409, "{body}");
}

#[tokio::test]
async fn guessing_numbers_reveals_nothing() {
    let app = spawn_app().await;
    let p = people(&app).await;
    let (_, number) = app
        .call_json("save_request", &draft(), Some(&p.eli.cookie))
        .await;
    let number = number.as_i64().expect("number").to_string();
    // Another team's manager and an employee outside the request see exactly what a missing
    // number shows.
    let stranger = app.signed_in("sam@example.com", &[]).await;
    for who in [&p.outsider, &stranger] {
        for n in [number.as_str(), "999999"] {
            let (status, body) = app
                .call_json("request", &[("number", n)], Some(&who.cookie))
                .await;
            assert_eq!(
                (status, body["code"].as_str()),
                (404, Some("not_found")),
                "{n}"
            );
            let (status, _) = act(&app, who, n, "comment", "hello").await;
            assert_eq!(status, 404, "{n}");
        }
    }
    for who in [&p.eli, &p.rita, &p.maya] {
        let (status, _) = app
            .call_json("request", &[("number", number.as_str())], Some(&who.cookie))
            .await;
        assert_eq!(status, 200);
    }
    // Lists follow the same rule.
    let (_, list) = app
        .call_json(
            "requests",
            &[("query[scope]", "teams")],
            Some(&p.outsider.cookie),
        )
        .await;
    assert_eq!(list["requests"], serde_json::json!([]));
    let (_, list) = app
        .call_json(
            "requests",
            &[("query[scope]", "teams")],
            Some(&p.maya.cookie),
        )
        .await;
    assert_eq!(list["requests"][0]["tool_name"], "Windsurf");
    let (status, _) = app
        .call_json(
            "requests",
            &[("query[scope]", "queue")],
            Some(&p.eli.cookie),
        )
        .await;
    assert_eq!(status, 403, "only reviewers see the queue");
}

#[tokio::test]
async fn bad_requests_name_the_field_and_store_nothing() {
    let app = spawn_app().await;
    let p = people(&app).await;
    let with = |key: &'static str, value: &'static str| {
        let mut form: Vec<_> = draft().into_iter().filter(|(k, _)| *k != key).collect();
        form.push((key, value));
        form
    };
    for (form, field) in [
        (with("request[team]", "marketing"), "team"),
        (with("request[team]", "no-such-team"), "team"),
        (with("request[tool]", "no-such-tool"), "tool"),
        (with("request[tool_name]", ""), "tool_name"),
        (with("request[users]", "-3"), "users"),
        (with("request[access][]", "root"), "access"),
        (
            with("request[data_classes][]", "no-such-class"),
            "data_classes",
        ),
        (with("request[checksum]", "xyz"), "checksum"),
        (with("request[category]", "robot"), "category"),
    ] {
        let (status, body) = app
            .call_json("save_request", &form, Some(&p.eli.cookie))
            .await;
        assert_eq!(
            (status, body["field"].as_str()),
            (422, Some(field)),
            "{body}"
        );
    }
    let requests: i64 =
        sqlx::query_scalar("SELECT count(*) FROM tool_requests WHERE requester_id = $1")
            .bind(p.eli.user_id)
            .fetch_one(&app.pool)
            .await
            .expect("count");
    assert_eq!(requests, 0);

    // An incomplete draft is saved but cannot be submitted.
    let incomplete: Vec<_> = draft()
        .into_iter()
        .filter(|(k, _)| *k != "request[justification]")
        .collect();
    let (_, number) = app
        .call_json("save_request", &incomplete, Some(&p.eli.cookie))
        .await;
    let number = number.as_i64().expect("number").to_string();
    let (status, body) = act(&app, &p.eli, &number, "submit", "").await;
    assert_eq!(
        (status, body["field"].as_str()),
        (422, Some("justification"))
    );
    let (status, body) = act(&app, &p.eli, &number, "approve", "").await;
    assert_eq!((status, body["field"].as_str()), (422, Some("action")));
}

#[tokio::test]
async fn request_pages_render_complete_without_javascript() {
    let app = spawn_app().await;
    let p = people(&app).await;
    let (_, number) = app
        .call_json("save_request", &draft(), Some(&p.eli.cookie))
        .await;
    let number = number.as_i64().expect("number");
    act(&app, &p.eli, &number.to_string(), "submit", "").await;
    for (path, who, texts) in [
        (
            "/requests".to_owned(),
            &p.eli,
            vec!["My requests", "Windsurf", "Submitted", "High risk"],
        ),
        (
            "/requests?scope=queue".to_owned(),
            &p.rita,
            vec!["Review queue", "Windsurf", "Assigned to me"],
        ),
        (
            "/requests/new".to_owned(),
            &p.eli,
            vec!["Request a tool", "Business justification", "Payments"],
        ),
        (
            format!("/requests/{number}"),
            &p.rita,
            vec![
                "Assign to me",
                "Request changes",
                "No SHA-256 checksum",
                "submitted it for review",
            ],
        ),
        (
            format!("/requests/{number}"),
            &p.eli,
            vec![
                "Withdraw",
                "Waiting for a reviewer",
                "2 reviewers must approve",
            ],
        ),
    ] {
        let response = app.page(&path, &who.cookie).await;
        assert_eq!(response.status(), 200, "{path}");
        let html = response.text().await.expect("html");
        for text in texts {
            assert!(html.contains(text), "{path}: {text}");
        }
    }
    let response = app
        .page(&format!("/requests/{number}"), &p.outsider.cookie)
        .await;
    assert_eq!(response.status(), 404, "not theirs: as if it did not exist");
    let response = app.page("/requests/not-a-number", &p.eli.cookie).await;
    assert_eq!(response.status(), 404);
}

#[tokio::test]
async fn scripts_file_and_read_requests_over_the_api() {
    let app = spawn_app().await;
    people(&app).await;
    let eli = app.api_token("eli@example.com").await;
    let body = serde_json::json!({
        "team": "payments",
        "tool_name": "Windsurf",
        "vendor": "Codeium",
        "category": "ai_coding",
        "use_case": "Refactoring",
        "justification": "Speed",
        "users": 12,
        "access": ["terminal"],
        "data_classes": ["internal-documents"],
        "distribution": "binary",
        "pinned_version": "1.12.3",
        "checksum": "ab".repeat(32),
        "submit": true
    });
    let post = |token: String, body: Value| {
        app.client
            .post(app.url("/api/v1/requests"))
            .bearer_auth(token)
            .json(&body)
            .send()
    };
    let response = post(eli.clone(), body.clone()).await.expect("request");
    assert_eq!(response.status(), 201);
    let location = response.headers()["location"]
        .to_str()
        .expect("location")
        .to_owned();
    let created: Value = response.json().await.expect("json");
    assert_eq!(created["state"], "submitted");
    assert_eq!(created["risk"]["level"], "low", "{created}");
    assert_eq!(location, format!("/api/v1/requests/{}", created["number"]));

    let get = |token: String| app.client.get(app.url(&location)).bearer_auth(token).send();
    let response = get(eli.clone()).await.expect("request");
    assert_eq!(response.status(), 200);
    let stranger = app.api_token("otto@example.com").await;
    let response = get(stranger.clone()).await.expect("request");
    assert_eq!(response.status(), 404, "not theirs");
    let response = app.get(&location).await;
    assert_eq!(response.status(), 401);
    let response = app
        .client
        .get(app.url("/api/v1/requests/abc"))
        .bearer_auth(&eli)
        .send()
        .await
        .expect("request");
    assert_eq!(response.status(), 404);

    // Bad bodies: each names what is wrong, nothing is stored.
    let before: i64 = sqlx::query_scalar("SELECT count(*) FROM tool_requests")
        .fetch_one(&app.pool)
        .await
        .expect("count");
    let mut missing_team = body.clone();
    missing_team["team"] = Value::from("");
    let mut wrong_type = body.clone();
    wrong_type["users"] = Value::from("many");
    let mut unknown = body.clone();
    unknown["approved"] = Value::from(true);
    let mut incomplete = body.clone();
    incomplete["justification"] = Value::from("");
    for (bad, status, field) in [
        (missing_team, 422, Some("team")),
        (wrong_type, 422, Some("body")),
        (unknown, 422, Some("body")),
        (incomplete, 422, Some("justification")),
    ] {
        let response = post(eli.clone(), bad).await.expect("request");
        assert_eq!(response.status(), status);
        let error: Value = response.json().await.expect("json");
        assert_eq!(error["error"]["field"].as_str(), field, "{error}");
    }
    let response = app
        .client
        .post(app.url("/api/v1/requests"))
        .bearer_auth(&eli)
        .header("content-type", "application/json")
        .body("{not json")
        .send()
        .await
        .expect("request");
    assert_eq!(response.status(), 400);
    let after: i64 = sqlx::query_scalar("SELECT count(*) FROM tool_requests")
        .fetch_one(&app.pool)
        .await
        .expect("count");
    assert_eq!(after, before, "a refused request leaves nothing behind");
}

#[tokio::test]
async fn the_queue_filters_by_age_and_team_and_names_a_bad_filter() {
    let app = spawn_app().await;
    let p = people(&app).await;
    let list = |query: &'static [(&'static str, &'static str)]| {
        let app = &app;
        let cookie = p.rita.cookie.clone();
        async move {
            let mut form = vec![("query[scope]", "queue")];
            form.extend_from_slice(query);
            app.call_json("requests", &form, Some(&cookie)).await
        }
    };
    let tools = |body: &Value| -> Vec<String> {
        body["requests"]
            .as_array()
            .expect("requests")
            .iter()
            .map(|r| r["tool_name"].as_str().expect("name").to_owned())
            .collect()
    };
    // The demo queue: Windsurf (2 days), Jupyter AI (6 days), Tabnine (9 days), Devin (4 days).
    let (status, all) = list(&[]).await;
    assert_eq!(status, 200, "{all}");
    assert_eq!(
        tools(&all),
        ["Tabnine", "Jupyter AI", "Devin", "Windsurf"],
        "oldest first"
    );
    let (_, week) = list(&[("query[age]", "7")]).await;
    assert_eq!(tools(&week), ["Tabnine"]);
    let (_, payments) = list(&[("query[team]", "payments")]).await;
    assert_eq!(tools(&payments), ["Tabnine", "Devin", "Windsurf"]);
    let (status, body) = list(&[("query[age]", "5")]).await;
    assert_eq!(
        (status, body["field"].as_str()),
        (422, Some("age")),
        "{body}"
    );
}
