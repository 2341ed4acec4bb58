//! Decisions with a TOTP sign-off: fresh codes only, two distinct reviewers for high risk, never
//! one's own request, one winner among racing decisions, signed receipts, the registry written
//! on final approval, notifications, and approvals going stale.

use app::domain::requests::receipt::SignedReceipt;
use app::domain::{Membership, Role};
use serde_json::Value;

use crate::helpers::{cookie_of, pool_for, spawn_app, spawn_app_on, SignedIn, TestApp};

struct Desk {
    eli: SignedIn,
    rita: SignedIn,
    sam: SignedIn,
}

async fn desk(app: &TestApp) -> Desk {
    app.load_demo().await;
    let eli = app.signed_in("eli@example.com", &[]).await;
    app.join(eli.user_id, "payments", Membership::Member).await;
    Desk {
        eli,
        rita: app.signed_in("rita@example.com", &[Role::Reviewer]).await,
        sam: app.signed_in("sam@example.com", &[Role::Reviewer]).await,
    }
}

/// A complete request for `name`; `high` asks for production access (two approvals needed).
fn form(name: &str, high: bool) -> Vec<(String, String)> {
    let mut form: Vec<(String, String)> = [
        ("request[team]", "payments"),
        ("request[tool_name]", name),
        ("request[vendor]", "Granola Inc."),
        ("request[category]", "ai_document"),
        ("request[distribution]", "saas"),
        (
            "request[use_case]",
            "Meeting notes for the payments stand-up",
        ),
        ("request[justification]", "Saves an hour a week"),
        ("request[users]", "5"),
        ("request[data_classes][]", "internal-documents"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v.to_owned()))
    .collect();
    if high {
        form.push(("request[access][]".into(), "production".into()));
    }
    form
}

fn pairs(form: &[(String, String)]) -> Vec<(&str, &str)> {
    form.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect()
}

/// Files and submits a request as `who`, and has `reviewer` take it; returns its number.
async fn in_review(
    app: &TestApp,
    who: &SignedIn,
    reviewer: &SignedIn,
    form: &[(String, String)],
) -> String {
    let (status, number) = app
        .call_json("save_request", &pairs(form), Some(&who.cookie))
        .await;
    assert_eq!(status, 200, "{number}");
    let number = number.as_i64().expect("number").to_string();
    for (actor, action) in [(who, "submit"), (reviewer, "assign")] {
        let (status, body) = app
            .call_json(
                "request_action",
                &[("number", &number), ("action", action)],
                Some(&actor.cookie),
            )
            .await;
        assert_eq!(status, 200, "{action}: {body}");
    }
    number
}

async fn receipt_over_api(app: &TestApp, token: &str, id: &str) -> reqwest::Response {
    app.client
        .get(app.url(&format!("/api/v1/receipts/{id}")))
        .bearer_auth(token)
        .send()
        .await
        .expect("request")
}

#[tokio::test]
async fn an_approval_signed_with_a_fresh_code_writes_the_registry_and_a_verifiable_receipt() {
    let app = spawn_app().await;
    let d = desk(&app).await;
    let number = in_review(&app, &d.eli, &d.rita, &form("Granola", false)).await;
    assert_eq!(app.request(&d.rita, &number).await["assigned_to_me"], true);
    assert_eq!(app.request(&d.sam, &number).await["assigned_to_me"], false);

    // The code Rita signed in with cannot sign a decision.
    let used = d
        .rita
        .totp
        .as_ref()
        .expect("totp")
        .code_at(app.now())
        .expect("code");
    let response = app
        .decide_with(
            &d.rita,
            &number,
            &[("decision[decision]", "approve")],
            &used,
        )
        .await;
    assert_eq!(response.status(), 422);
    let body: Value = response.json().await.expect("json");
    assert_eq!(body["field"], "code", "{body}");
    assert!(
        body["message"]
            .as_str()
            .unwrap_or("")
            .contains("already used"),
        "{body}"
    );
    assert_eq!(
        app.request(&d.rita, &number).await["state"],
        "in_review",
        "nothing decided"
    );

    let code = app.fresh_code(&d.rita);
    let response = app
        .decide_with(
            &d.rita,
            &number,
            &[("decision[decision]", "approve")],
            &code,
        )
        .await;
    assert_eq!(response.status(), 200);
    let renewed = cookie_of(&response).expect("the session id is renewed after the step-up");
    assert_ne!(renewed, d.rita.cookie);
    let (status, _) = app
        .call_json("request", &[("number", &number)], Some(&d.rita.cookie))
        .await;
    assert_eq!(status, 401, "the old session id is gone");

    let detail = app.request(&d.eli, &number).await;
    assert_eq!(detail["state"], "approved");
    let signoffs = detail["signoffs"].as_array().expect("signoffs");
    assert_eq!(signoffs.len(), 1);
    let receipt_id = signoffs[0]["receipt_id"].as_str().expect("id").to_owned();

    // The registry: a new entry for Payments, reviewed again in twelve months.
    let (status, page) = app
        .call_json("tool", &[("slug", "granola")], Some(&d.eli.cookie))
        .await;
    assert_eq!(status, 200, "{page}");
    let tool = &page["tool"];
    assert_eq!(tool["status"], "approved");
    assert_eq!(
        tool["teams"],
        serde_json::json!([{"slug": "payments", "name": "Payments"}])
    );
    assert_eq!(tool["data_classes"][0]["slug"], "internal-documents");
    let in_a_year = (app.now() + chrono::Months::new(12))
        .format("%Y-%m-%d")
        .to_string();
    assert_eq!(tool["next_review"], in_a_year.as_str());
    assert_eq!(
        tool["approval"]["request"].as_i64().map(|n| n.to_string()),
        Some(number.clone())
    );

    // The receipt: the requester reads it over the API; it verifies against the portal's key
    // and records exactly what was decided.
    let token = app.api_token("eli@example.com").await;
    let response = receipt_over_api(&app, &token, &receipt_id).await;
    assert_eq!(response.status(), 200);
    let receipt: SignedReceipt = response.json().await.expect("a receipt");
    let document = app.signing_keys.verify_receipt(&receipt).expect("verifies");
    assert_eq!(document.decision, "approve");
    assert_eq!(document.request_state, "approved");
    assert_eq!(
        document.request_sha256,
        detail["version"].as_str().expect("version")
    );
    assert_eq!(document.reviewer.email, "rita@example.com");
    assert_eq!(document.totp_step, app.now().timestamp() / 30);
    let action: String = sqlx::query_scalar("SELECT action FROM audit_events WHERE seq = $1")
        .bind(document.audit_seq)
        .fetch_one(&app.pool)
        .await
        .expect("the audit event");
    assert_eq!(action, "request.decided");
    let mut forged = receipt.clone();
    forged.payload = forged.payload.replace("\"approve\"", "\"reject\"");
    assert!(
        app.signing_keys.verify_receipt(&forged).is_err(),
        "a changed receipt fails"
    );

    // The page shows the portal's own verification.
    let (status, view) = app
        .call_json("receipt", &[("id", &receipt_id)], Some(&d.eli.cookie))
        .await;
    assert_eq!(status, 200);
    assert!(
        view["problem"].is_null() && view["document"]["decision"] == "approve",
        "{view}"
    );

    // The requester is told.
    let (status, list) = app
        .call_json("notifications", &[], Some(&d.eli.cookie))
        .await;
    assert_eq!(status, 200);
    let decided = list["items"]
        .as_array()
        .expect("items")
        .iter()
        .find(|n| n["message"].as_str().unwrap_or("").contains("was approved"))
        .expect("a decision notification")
        .clone();
    assert_eq!(decided["link"], format!("/requests/{number}").as_str());
    assert!(
        list["unread"].as_i64().expect("unread") >= 2,
        "assigned and decided: {list}"
    );
    let id = decided["id"].as_i64().expect("id").to_string();
    let (status, _) = app
        .call_json("read_notifications", &[("id", &id)], Some(&d.eli.cookie))
        .await;
    assert_eq!(status, 200);
    let (status, _) = app
        .call_json("read_notifications", &[("id", &id)], Some(&renewed))
        .await;
    assert_eq!(status, 404, "another person's notification");
    let (_, after) = app
        .call_json("notifications", &[], Some(&d.eli.cookie))
        .await;
    assert_eq!(
        after["unread"].as_i64(),
        list["unread"].as_i64().map(|n| n - 1)
    );
    app.call_json("read_notifications", &[], Some(&d.eli.cookie))
        .await;
    let (_, after) = app
        .call_json("notifications", &[], Some(&d.eli.cookie))
        .await;
    assert_eq!(after["unread"], 0);

    // Final is final.
    let sam_code = app.fresh_code(&d.sam);
    let response = app
        .decide_with(
            &d.sam,
            &number,
            &[("decision[decision]", "reject")],
            &sam_code,
        )
        .await;
    assert_eq!(response.status(), 409);
}

#[tokio::test]
async fn a_high_risk_request_needs_two_distinct_reviewers_and_conditions_carry_over() {
    let app = spawn_app().await;
    let mut d = desk(&app).await;
    let number = in_review(&app, &d.eli, &d.rita, &form("Granola", true)).await;
    assert_eq!(app.request(&d.rita, &number).await["required_approvals"], 2);

    let code = app.fresh_code(&d.rita);
    let response = app
        .decide_with(
            &d.rita,
            &number,
            &[
                ("decision[decision]", "approve_with_conditions"),
                ("decision[conditions]", "Read-only production access."),
            ],
            &code,
        )
        .await;
    assert_eq!(response.status(), 200);
    d.rita.cookie = cookie_of(&response).expect("renewed");
    let detail = app.request(&d.eli, &number).await;
    assert_eq!(
        (detail["state"].as_str(), detail["approvals"].as_i64()),
        (Some("in_review"), Some(1))
    );
    let (status, page) = app
        .call_json("tool", &[("slug", "granola")], Some(&d.eli.cookie))
        .await;
    assert_eq!(status, 404, "nothing in the registry yet: {page}");

    // The same reviewer cannot give the second approval.
    let (status, body) = app.decide(&mut d.rita, &number, "approve").await;
    assert_eq!(status, 409, "{body}");
    assert!(
        body["message"]
            .as_str()
            .unwrap_or("")
            .contains("another reviewer"),
        "{body}"
    );

    let (status, body) = app.decide(&mut d.sam, &number, "approve").await;
    assert_eq!(status, 200, "{body}");
    let detail = app.request(&d.eli, &number).await;
    assert_eq!(
        detail["state"], "approved_with_conditions",
        "the first reviewer's conditions hold"
    );
    assert_eq!(detail["signoffs"].as_array().map(Vec::len), Some(2));
    let (_, page) = app
        .call_json("tool", &[("slug", "granola")], Some(&d.eli.cookie))
        .await;
    assert_eq!(page["tool"]["status"], "approved_with_conditions");
    assert_eq!(page["tool"]["conditions"], "Read-only production access.");
    let actions: Vec<String> = sqlx::query_scalar(
        "SELECT action FROM audit_events WHERE target = $1 AND action IN ('request.signed_off', 'request.decided') ORDER BY seq",
    )
    .bind(format!("request:{number}"))
    .fetch_all(&app.pool)
    .await
    .expect("audit");
    assert_eq!(actions, ["request.signed_off", "request.decided"]);
}

#[tokio::test]
async fn nobody_decides_on_their_own_request_and_bad_input_names_the_field() {
    let app = spawn_app().await;
    let mut d = desk(&app).await;
    app.join(d.rita.user_id, "payments", Membership::Member)
        .await;
    let own = in_review(&app, &d.rita, &d.sam, &form("Granola", false)).await;
    let (status, body) = app.decide(&mut d.rita, &own, "approve").await;
    assert_eq!(status, 403, "{body}");
    let version = "ab".repeat(32);
    let (status, body) = app
        .call_json(
            "decide_request",
            &[
                ("number", own.as_str()),
                ("decision[decision]", "approve"),
                ("decision[rationale]", "Fine."),
                ("decision[version]", version.as_str()),
                ("decision[code]", "123456"),
            ],
            Some(&d.eli.cookie),
        )
        .await;
    assert_eq!(status, 403, "an employee cannot decide: {body}");

    let number = in_review(&app, &d.eli, &d.rita, &form("Otter", false)).await;
    let version = app.request(&d.rita, &number).await["version"]
        .as_str()
        .expect("v")
        .to_owned();
    let code = app.fresh_code(&d.rita);
    let stale_version = "0".repeat(64);
    type Case<'a> = (Vec<(&'a str, &'a str)>, u16, &'a str);
    let cases: Vec<Case> = vec![
        (vec![("decision[decision]", "maybe")], 422, "decision"),
        (
            vec![
                ("decision[decision]", "approve"),
                ("decision[rationale]", " "),
            ],
            422,
            "rationale",
        ),
        (
            vec![("decision[decision]", "approve_with_conditions")],
            422,
            "conditions",
        ),
        (
            vec![
                ("decision[decision]", "approve"),
                ("decision[next_review]", "2020-01-01"),
            ],
            422,
            "next_review",
        ),
        (
            vec![
                ("decision[decision]", "approve"),
                ("decision[code]", "12ab56"),
            ],
            422,
            "code",
        ),
        (
            vec![
                ("decision[decision]", "approve"),
                ("decision[code]", "000000"),
            ],
            422,
            "code",
        ),
        (
            vec![
                ("decision[decision]", "approve"),
                ("decision[version]", "nope"),
            ],
            422,
            "version",
        ),
        (
            vec![
                ("decision[decision]", "approve"),
                ("decision[version]", stale_version.as_str()),
            ],
            409,
            "",
        ),
    ];
    for (fields, expected, field) in cases {
        let mut form = vec![
            ("number", number.as_str()),
            ("decision[version]", version.as_str()),
            ("decision[code]", code.as_str()),
            ("decision[rationale]", "Fine."),
        ];
        // Later entries win: the case's own values replace the defaults.
        for (key, value) in fields {
            form.retain(|(k, _)| *k != key);
            form.push((key, value));
        }
        let (status, body) = app
            .call_json("decide_request", &form, Some(&d.rita.cookie))
            .await;
        assert_eq!(status, expected, "{form:?}: {body}");
        if !field.is_empty() {
            assert_eq!(body["field"], field, "{body}");
            assert!(!body["message"]
                .as_str()
                .unwrap_or("")
                .to_lowercase()
                .contains("sql"));
        }
    }
    let detail = app.request(&d.eli, &number).await;
    assert_eq!(detail["state"], "in_review", "nothing was decided");
    assert_eq!(detail["signoffs"], serde_json::json!([]));
    // The good code was not spent by the refused attempts.
    let response = app
        .decide_with(&d.rita, &number, &[("decision[decision]", "reject")], &code)
        .await;
    assert_eq!(response.status(), 200);
    assert_eq!(app.request(&d.eli, &number).await["state"], "rejected");
    let (_, page) = app
        .call_json("tool", &[("slug", "otter")], Some(&d.eli.cookie))
        .await;
    assert!(
        page["tool"].is_null(),
        "a rejection writes nothing to the registry"
    );
}

#[tokio::test]
async fn twenty_racing_decisions_on_two_instances_have_exactly_one_winner() {
    let app = spawn_app().await;
    let second = spawn_app_on(app.database.clone(), pool_for(&app.database).await).await;
    app.load_demo().await;
    let eli = app.signed_in("eli@example.com", &[]).await;
    app.join(eli.user_id, "payments", Membership::Member).await;
    // Sign the reviewers in with the previous time step's codes, so the current one is fresh.
    app.advance(-30);
    let mut reviewers = Vec::new();
    for i in 0..20 {
        reviewers.push(
            app.signed_in(&format!("reviewer{i}@example.com"), &[Role::Reviewer])
                .await,
        );
    }
    app.advance(30);
    let number = in_review(&app, &eli, &reviewers[0], &form("Granola", false)).await;
    let version = app.request(&reviewers[0], &number).await["version"]
        .as_str()
        .expect("v")
        .to_owned();
    let tasks: Vec<_> = reviewers
        .iter()
        .enumerate()
        .map(|(i, reviewer)| {
            let instance = if i % 2 == 0 { &app } else { &second };
            let (client, url) = (instance.client.clone(), instance.url("/api/decide_request"));
            let origin = instance.address.clone();
            let code = reviewer
                .totp
                .as_ref()
                .expect("totp")
                .code_at(app.now())
                .expect("code");
            let form = vec![
                ("number".to_owned(), number.clone()),
                ("decision[decision]".to_owned(), "approve".to_owned()),
                ("decision[rationale]".to_owned(), "Race".to_owned()),
                ("decision[version]".to_owned(), version.clone()),
                ("decision[code]".to_owned(), code),
            ];
            let cookie = reviewer.cookie.clone();
            tokio::spawn(async move {
                let response = client
                    .post(url)
                    .header("origin", origin)
                    .header("cookie", cookie)
                    .form(&form)
                    .send()
                    .await
                    .expect("request");
                response.status().as_u16()
            })
        })
        .collect();
    let mut statuses = Vec::new();
    for task in tasks {
        statuses.push(task.await.expect("task"));
    }
    statuses.sort_unstable();
    assert_eq!(
        statuses.iter().filter(|s| **s == 200).count(),
        1,
        "{statuses:?}"
    );
    assert!(
        statuses.iter().all(|s| *s == 200 || *s == 409),
        "{statuses:?}"
    );
    let signoffs: i64 = sqlx::query_scalar("SELECT count(*) FROM request_signoffs s JOIN tool_requests r USING (request_id) WHERE r.number = $1")
        .bind(number.parse::<i64>().expect("number"))
        .fetch_one(&app.pool)
        .await
        .expect("count");
    assert_eq!(signoffs, 1);
    let tools: i64 = sqlx::query_scalar("SELECT count(*) FROM tools WHERE slug LIKE 'granola%'")
        .fetch_one(&app.pool)
        .await
        .expect("count");
    assert_eq!(tools, 1, "one registry entry");
}

#[tokio::test]
async fn receipts_are_visible_to_exactly_those_who_see_the_request() {
    let app = spawn_app().await;
    let mut d = desk(&app).await;
    let number = in_review(&app, &d.eli, &d.rita, &form("Granola", false)).await;
    let (status, _) = app.decide(&mut d.rita, &number, "reject").await;
    assert_eq!(status, 200);
    let receipt_id = app.request(&d.eli, &number).await["signoffs"][0]["receipt_id"]
        .as_str()
        .expect("id")
        .to_owned();
    let maya = app.signed_in("maya@example.com", &[Role::Manager]).await;
    app.join(maya.user_id, "payments", Membership::Manager)
        .await;
    let otto = app.signed_in("otto@example.com", &[Role::Manager]).await;
    app.join(otto.user_id, "marketing", Membership::Manager)
        .await;
    for (email, expected) in [
        ("eli@example.com", 200),
        ("maya@example.com", 200),
        ("otto@example.com", 404),
    ] {
        let token = app.api_token(email).await;
        assert_eq!(
            receipt_over_api(&app, &token, &receipt_id).await.status(),
            expected,
            "{email}"
        );
    }
    let token = app.api_token("otto@example.com").await;
    for id in ["00000000-0000-4000-8000-000000000000", "not-a-uuid"] {
        assert_eq!(
            receipt_over_api(&app, &token, id).await.status(),
            404,
            "{id}"
        );
    }
    let response = app
        .client
        .get(app.url(&format!("/api/v1/receipts/{receipt_id}")))
        .send()
        .await
        .expect("request");
    assert_eq!(response.status(), 401);
    let (status, _) = app
        .call_json("receipt", &[("id", &receipt_id)], Some(&otto.cookie))
        .await;
    assert_eq!(status, 404);
    // The receipt page renders complete without JavaScript.
    let html = app
        .html(&format!("/receipts/{receipt_id}"), &d.eli.cookie)
        .await;
    assert!(
        html.contains("Signature valid") && html.contains("Download receipt"),
        "{html}"
    );
}

#[tokio::test]
async fn changing_an_approved_tools_supply_chain_makes_its_approval_stale_and_opens_a_re_review() {
    let app = spawn_app().await;
    let mut d = desk(&app).await;
    let number = in_review(&app, &d.eli, &d.rita, &form("Granola", false)).await;
    let (status, _) = app.decide(&mut d.rita, &number, "approve").await;
    assert_eq!(status, 200);

    // The edits keep the review date the decision set (clearing it would widen the approval).
    let (_, page) = app
        .call_json("tool", &[("slug", "granola")], Some(&d.eli.cookie))
        .await;
    let review = page["tool"]["next_review"]
        .as_str()
        .expect("a review date")
        .to_owned();
    let edit = |pinned: &'static str, trains: bool| {
        let mut form = vec![
            ("original", "granola"),
            ("tool[next_review]", review.as_str()),
            ("tool[name]", "Granola"),
            ("tool[vendor]", "Granola Inc."),
            ("tool[category]", "ai_document"),
            ("tool[status]", "approved"),
            ("tool[scope]", "teams"),
            ("tool[teams][]", "payments"),
            ("tool[data_classes][]", "internal-documents"),
            ("tool[distribution]", "saas"),
            ("tool[pinned_version]", pinned),
        ];
        if trains {
            form.push(("tool[vendor_trains_on_data]", "true"));
        }
        form
    };
    // An edit that leaves the supply chain alone keeps the approval current.
    let (status, body) = app
        .call_json("save_tool", &edit("", false), Some(&d.sam.cookie))
        .await;
    assert_eq!(
        (status, body["outcome"].as_str()),
        (200, Some("applied")),
        "{body}"
    );
    let (_, page) = app
        .call_json("tool", &[("slug", "granola")], Some(&d.eli.cookie))
        .await;
    assert!(page["tool"]["approval"]["stale_since"].is_null(), "{page}");

    let (status, body) = app
        .call_json("save_tool", &edit("2.1.0", true), Some(&d.sam.cookie))
        .await;
    assert_eq!(
        (status, body["outcome"].as_str()),
        (200, Some("applied")),
        "{body}"
    );
    let (_, page) = app
        .call_json("tool", &[("slug", "granola")], Some(&d.eli.cookie))
        .await;
    let approval = &page["tool"]["approval"];
    assert!(approval["stale_since"].is_string(), "{page}");
    let re_review = approval["re_review_request"]
        .as_i64()
        .expect("a re-review")
        .to_string();

    let opened = app.request(&d.sam, &re_review).await;
    assert_eq!(opened["state"], "submitted");
    assert_eq!(opened["re_review"], true);
    assert_eq!(opened["pinned_version"], "2.1.0");
    assert_eq!(opened["vendor_trains_on_data"], true);
    assert!(
        opened["use_case"]
            .as_str()
            .unwrap_or("")
            .contains("pinned version none → 2.1.0"),
        "{opened}"
    );
    assert!(opened["risk"]["level"].is_string(), "assessed: {opened}");
    assert_eq!(
        opened["party"], "requester",
        "filed in the editor's name: {opened}"
    );
    let stale: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM audit_events WHERE action = 'tool.approval_stale'",
    )
    .fetch_one(&app.pool)
    .await
    .expect("count");
    assert_eq!(stale, 1);

    // The editor cannot approve their own change; another reviewer takes it and approves it.
    let (status, _) = app
        .call_json(
            "request_action",
            &[("number", &re_review), ("action", "assign")],
            Some(&d.sam.cookie),
        )
        .await;
    assert_eq!(status, 403);
    let (status, _) = app
        .call_json(
            "request_action",
            &[("number", &re_review), ("action", "assign")],
            Some(&d.rita.cookie),
        )
        .await;
    assert_eq!(status, 200);
    let (status, body) = app.decide(&mut d.rita, &re_review, "approve").await;
    assert_eq!(status, 200, "{body}");
    let (_, page) = app
        .call_json("tool", &[("slug", "granola")], Some(&d.eli.cookie))
        .await;
    let approval = &page["tool"]["approval"];
    assert!(approval["stale_since"].is_null(), "current again: {page}");
    assert_eq!(
        approval["request"].as_i64().map(|n| n.to_string()),
        Some(re_review)
    );
    assert_eq!(page["tool"]["pinned_version"], "2.1.0");
}
