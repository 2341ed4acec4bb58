//! The kill switch: a reviewer stops a tool for the whole organization with a fresh code; the
//! policy check says no at once with the rollback plan, open requests wait, everyone affected is
//! told, and the stop is signed like a decision.

use app::domain::requests::receipt::SignedReceipt;
use app::domain::{Membership, Role};
use serde_json::Value;

use crate::helpers::{cookie_of, spawn_app, SignedIn, TestApp};

async fn policy(app: &TestApp, token: &str) -> Value {
    let response = app
        .api_get(
            "/api/v1/policy/check?tool=claude-code&data_class=internal-documents&team=payments",
            token,
        )
        .await;
    assert_eq!(response.status(), 200);
    response.json().await.expect("json")
}

async fn stop(app: &TestApp, who: &mut SignedIn, fields: &[(&str, &str)]) -> (u16, Value) {
    let response = app.call("stop_tool", fields, Some(&who.cookie)).await;
    let status = response.status().as_u16();
    if let Some(cookie) = cookie_of(&response) {
        who.cookie = cookie;
    }
    (status, response.json().await.unwrap_or(Value::Null))
}

fn call<'a>(pairs: &'a [(&'static str, String)]) -> Vec<(&'static str, &'a str)> {
    pairs.iter().map(|(k, v)| (*k, v.as_str())).collect()
}

async fn count(app: &TestApp, sql: &str) -> i64 {
    sqlx::query_scalar(sql)
        .fetch_one(&app.pool)
        .await
        .expect("count")
}

#[tokio::test]
async fn the_kill_switch_stops_a_tool_everywhere_with_a_signed_receipt() {
    let app = spawn_app().await;
    app.load_demo().await;
    let mut eli = app.signed_in("eli@example.com", &[]).await;
    app.join(eli.user_id, "payments", Membership::Member).await;
    let pat = app.signed_in("pat@example.com", &[]).await;
    let mut rita = app.signed_in("rita@example.com", &[Role::Reviewer]).await;
    let token = app.api_token("eli@example.com").await;
    assert_eq!(policy(&app, &token).await["allowed"], true);

    // Eli asks for a wider approval of Claude Code: an open request the stop puts on hold.
    let mut draft = crate::requests::draft();
    draft.push(("request[tool]", "claude-code"));
    let request = app.submit_form(&eli, &draft).await;
    let (status, incident) = app
        .call_json(
            "report_incident",
            &[
                (
                    "incident[title]",
                    "Claude Code source leaked; fake npm packages",
                ),
                ("incident[kind]", "tool_compromised"),
                (
                    "incident[description]",
                    "Look-alike packages appeared within hours.",
                ),
                ("incident[tools][]", "claude-code"),
            ],
            Some(&eli.cookie),
        )
        .await;
    assert_eq!(status, 200, "{incident}");
    let incident = incident.to_string();

    let reason = "Source leaked; look-alike npm packages carry a RAT";
    let form = |code: &str| {
        vec![
            ("stop[tool]", "claude-code".to_owned()),
            ("stop[incident]", incident.clone()),
            ("stop[reason]", reason.to_owned()),
            ("stop[code]", code.to_owned()),
        ]
    };
    // An employee may not; a wrong code or no reason stops nothing.
    let (status, _) = stop(&app, &mut eli, &call(&form("123456"))).await;
    assert_eq!(status, 403);
    let (status, body) = stop(&app, &mut rita, &call(&form("000000"))).await;
    assert_eq!(
        (status, body["field"].as_str()),
        (422, Some("code")),
        "{body}"
    );
    let mut no_reason = form(&app.fresh_code(&rita));
    no_reason.retain(|(k, _)| *k != "stop[reason]");
    let (status, body) = stop(&app, &mut rita, &call(&no_reason)).await;
    assert_eq!(
        (status, body["field"].as_str()),
        (422, Some("reason")),
        "{body}"
    );
    assert_eq!(
        policy(&app, &token).await["allowed"],
        true,
        "nothing changed"
    );
    assert_eq!(count(&app, "SELECT count(*) FROM tool_stops").await, 0);

    let code = app.fresh_code(&rita);
    let (status, receipt_id) = stop(&app, &mut rita, &call(&form(&code))).await;
    assert_eq!(status, 200, "{receipt_id}");
    let receipt_id = receipt_id.as_str().expect("receipt id").to_owned();

    // The policy check says no at once, with the rollback plan as what to use instead.
    let answer = policy(&app, &token).await;
    assert_eq!(answer["allowed"], false, "{answer}");
    let said = answer["reason"].as_str().unwrap_or_default();
    assert!(said.contains(reason), "{said}");
    assert!(said.contains("Fall back to GitHub Copilot"), "{said}");

    // The open request waits; a decision on it is refused.
    let held = app.request(&eli, &request).await;
    assert_eq!(held["on_hold"], true, "{held}");
    app.assign(&rita, &request).await;
    let (status, body) = app.decide(&mut rita, &request, "approve").await;
    assert_eq!(
        (status, body["code"].as_str()),
        (409, Some("conflict")),
        "{body}"
    );
    assert!(body["message"]
        .as_str()
        .unwrap_or_default()
        .contains("on hold"));

    // Eli (Payments uses it) is told; Pat (no team) is not.
    for (email, expected) in [("eli@example.com", 1), ("pat@example.com", 0)] {
        let told = count(
            &app,
            &format!(
                "SELECT count(*) FROM notifications n JOIN users u ON u.user_id = n.user_id
                 WHERE u.email = '{email}' AND n.message LIKE 'Claude Code is stopped for everyone%'"
            ),
        )
        .await;
        assert_eq!(told, expected, "{email}");
    }
    let (_, detail) = app
        .call_json("incident", &[("number", &incident)], Some(&rita.cookie))
        .await;
    let kinds: Vec<&str> = detail["timeline"]
        .as_array()
        .expect("timeline")
        .iter()
        .map(|e| e["kind"].as_str().unwrap_or_default())
        .collect();
    assert_eq!(kinds, ["reported", "tool_stopped", "first_no"], "{detail}");
    assert_eq!(
        detail["stoppable"],
        serde_json::json!([]),
        "nothing left to stop"
    );

    // Stopping it again is refused before any code is used.
    let code = app.fresh_code(&rita);
    let (status, body) = stop(&app, &mut rita, &call(&form(&code))).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (409, Some("conflict")),
        "{body}"
    );

    // Anyone signed in reads the receipt; it verifies against the portal's keys.
    let pat_token = app.api_token("pat@example.com").await;
    let response = app
        .api_get(&format!("/api/v1/receipts/{receipt_id}"), &pat_token)
        .await;
    assert_eq!(response.status(), 200);
    let receipt: SignedReceipt = response.json().await.expect("receipt");
    let document = app.signing_keys.verify_stop(&receipt).expect("verifies");
    assert_eq!(document.tool, "claude-code");
    assert_eq!(document.reason, reason);
    assert_eq!(
        document.incident_number.map(|n| n.to_string()),
        Some(incident.clone())
    );
    assert_eq!(
        document.held_requests,
        [request.parse::<i64>().expect("number")]
    );
    assert!(
        app.signing_keys.verify_receipt(&receipt).is_err(),
        "not a decision"
    );
    let mut forged = receipt.clone();
    forged.payload = forged.payload.replace(reason, "Routine maintenance");
    assert!(app.signing_keys.verify_stop(&forged).is_err());
    let verification = app::backend::audit::verify(&app.pool)
        .await
        .expect("verify");
    assert!(matches!(
        verification,
        app::backend::audit::Verification::Intact { .. }
    ));

    // Anything that would let the stopped tool be used again needs two reviewers.
    let again = app.submit_form(&eli, &draft).await;
    let risk = &app.request(&eli, &again).await["risk"];
    assert_eq!(risk["required_approvals"], 2, "{risk}");
    assert!(risk["hits"]
        .as_array()
        .expect("hits")
        .iter()
        .any(|h| h["rule"] == "stopped_tool"));

    // Eli sees the banner on every page until he acknowledges it; Pat never does.
    let banners = |who: &SignedIn| {
        let cookie = who.cookie.clone();
        let app = &app;
        async move {
            let (status, user) = app.call_json("current_user", &[], Some(&cookie)).await;
            assert_eq!(status, 200);
            user["stops"].as_array().expect("stops").clone()
        }
    };
    let stops = banners(&eli).await;
    assert_eq!(stops.len(), 1);
    assert_eq!(stops[0]["tool"]["slug"], "claude-code");
    assert_eq!(stops[0]["reason"], reason);
    assert!(stops[0]["instead"]
        .as_str()
        .unwrap_or_default()
        .contains("Fall back to GitHub Copilot"));
    assert!(banners(&pat).await.is_empty());
    let html = app.html("/tools", &eli.cookie).await;
    assert!(
        html.contains("Claude Code is stopped for everyone"),
        "{html}"
    );
    let (status, _) = app
        .call_json(
            "acknowledge_stop",
            &[("stop", &receipt_id)],
            Some(&pat.cookie),
        )
        .await;
    assert_eq!(status, 404, "a stop that does not concern Pat");
    for _ in 0..2 {
        let (status, body) = app
            .call_json(
                "acknowledge_stop",
                &[("stop", &receipt_id)],
                Some(&eli.cookie),
            )
            .await;
        assert_eq!(status, 200, "{body}");
    }
    assert!(banners(&eli).await.is_empty());
    let (_, detail) = app
        .call_json("incident", &[("number", &incident)], Some(&rita.cookie))
        .await;
    let kinds: Vec<&str> = detail["timeline"]
        .as_array()
        .expect("timeline")
        .iter()
        .map(|e| e["kind"].as_str().unwrap_or_default())
        .collect();
    assert_eq!(
        kinds,
        ["reported", "tool_stopped", "first_no", "acknowledged"]
    );
    let stop = &detail["stops"][0];
    assert_eq!(stop["receipt_id"], receipt_id.as_str());
    assert!(stop["first_no_at"].is_string(), "{stop}");
    let payments = stop["teams"]
        .as_array()
        .expect("teams")
        .iter()
        .find(|t| t["team"]["slug"] == "payments")
        .expect("Payments uses Claude Code")
        .clone();
    assert_eq!(payments["acknowledged"], 1, "{payments}");
    let waiting = payments["waiting"].as_array().expect("waiting");
    // The reporter sees how far the word has gone, not who has not read it.
    let (_, seen_by_eli) = app
        .call_json("incident", &[("number", &incident)], Some(&eli.cookie))
        .await;
    for team in seen_by_eli["stops"][0]["teams"].as_array().expect("teams") {
        assert_eq!(team["waiting"], serde_json::json!([]), "{team}");
    }
    assert!(
        !waiting.iter().any(|w| w == "eli@example.com"),
        "{payments}"
    );
    assert_eq!(
        payments["members"].as_i64().expect("members"),
        i64::try_from(waiting.len()).expect("len") + 1
    );
}

/// A request for the tool that the stop did not hold (submitted at the very moment of the stop)
/// cannot allow the tool again: only the tool's reinstatement request can, so no approval of it
/// lands while the stop is in force; it may still be rejected.
#[tokio::test]
async fn a_request_the_stop_missed_cannot_reinstate_the_tool() {
    let app = spawn_app().await;
    app.load_demo().await;
    let eli = app.signed_in("eli@example.com", &[]).await;
    app.join(eli.user_id, "payments", Membership::Member).await;
    let mut rita = app.signed_in("rita@example.com", &[Role::Reviewer]).await;
    let mut sam = app.signed_in("sam@example.com", &[Role::Reviewer]).await;
    let form = [
        ("request[team]", "payments"),
        ("request[tool]", "claude-code"),
        ("request[tool_name]", "Claude Code"),
        ("request[vendor]", "Anthropic"),
        ("request[category]", "ai_coding"),
        ("request[distribution]", "saas"),
        ("request[use_case]", "Reading internal documents"),
        ("request[justification]", "Faster reviews"),
        ("request[data_classes][]", "internal-documents"),
    ];
    let request = app.submit_form(&eli, &form).await;
    let code = app.fresh_code(&rita);
    let stop = vec![
        ("stop[tool]", "claude-code".to_owned()),
        ("stop[reason]", "Source leaked".to_owned()),
        ("stop[code]", code),
    ];
    let response = app
        .call("stop_tool", &call(&stop), Some(&rita.cookie))
        .await;
    assert_eq!(response.status(), 200);
    rita.cookie = cookie_of(&response).unwrap_or(rita.cookie);
    // As if it had been submitted after the stop read the open requests.
    sqlx::query("UPDATE tool_requests SET held_by = NULL")
        .execute(&app.pool)
        .await
        .expect("release");
    app.assign(&sam, &request).await;
    let (status, body) = app.decide(&mut sam, &request, "approve").await;
    assert_eq!(
        (status, body["code"].as_str()),
        (409, Some("conflict")),
        "{body}"
    );
    assert!(body["message"]
        .as_str()
        .unwrap_or_default()
        .contains("reinstatement request"));
    let tool: String = sqlx::query_scalar("SELECT status FROM tools WHERE slug = 'claude-code'")
        .fetch_one(&app.pool)
        .await
        .expect("tool");
    assert_eq!(tool, "suspended");
    let (status, state) = app.decide(&mut rita, &request, "reject").await;
    assert_eq!((status, state.as_str()), (200, Some("rejected")), "{state}");
}

/// Reinstating: a reviewer proposes it with a justification and what changed (a new pin); two
/// other reviewers approve it with fresh codes; the tool is back as it was with the new pin, the
/// banner is gone, held requests are released, and every receipt verifies.
#[tokio::test]
async fn reinstating_takes_a_justification_and_two_other_reviewers() {
    let app = spawn_app().await;
    app.load_demo().await;
    let eli = app.signed_in("eli@example.com", &[]).await;
    app.join(eli.user_id, "payments", Membership::Member).await;
    let mut rita = app.signed_in("rita@example.com", &[Role::Reviewer]).await;
    let mut sam = app.signed_in("sam@example.com", &[Role::Reviewer]).await;
    let mut kim = app.signed_in("kim@example.com", &[Role::Reviewer]).await;
    let token = app.api_token("eli@example.com").await;
    let mut draft = crate::requests::draft();
    draft.push(("request[tool]", "claude-code"));
    let held = app.submit_form(&eli, &draft).await;
    let (status, incident) = app
        .call_json(
            "report_incident",
            &[
                ("incident[title]", "Claude Code leaked"),
                ("incident[kind]", "tool_compromised"),
                ("incident[description]", "Source map published."),
                ("incident[tools][]", "claude-code"),
            ],
            Some(&eli.cookie),
        )
        .await;
    assert_eq!(status, 200, "{incident}");
    let incident = incident.to_string();
    let reinstate = |fields: &[(&'static str, &'static str)]| {
        let mut form = vec![
            ("tool", "claude-code"),
            (
                "reinstate[justification]",
                "The vendor shipped a fixed release and rotated its signing keys.",
            ),
            (
                "reinstate[facts_changed]",
                "Pinned to 2.1.4 with its checksum.",
            ),
            ("reinstate[pinned_version]", "2.1.4"),
            (
                "reinstate[checksum]",
                "ab12ab12ab12ab12ab12ab12ab12ab12ab12ab12ab12ab12ab12ab12ab12ab12",
            ),
        ];
        for (key, value) in fields {
            form.retain(|(k, _)| k != key);
            form.push((key, value));
        }
        form
    };
    // Nothing to reinstate before the stop.
    let (status, body) = app
        .call_json("reinstate_tool", &reinstate(&[]), Some(&rita.cookie))
        .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (409, Some("conflict")),
        "{body}"
    );

    let code = app.fresh_code(&rita);
    let stop = vec![
        ("stop[tool]", "claude-code".to_owned()),
        ("stop[incident]", incident.clone()),
        ("stop[reason]", "Source leaked".to_owned()),
        ("stop[code]", code),
    ];
    let response = app
        .call("stop_tool", &call(&stop), Some(&rita.cookie))
        .await;
    assert_eq!(response.status(), 200);
    rita.cookie = cookie_of(&response).unwrap_or(rita.cookie);
    assert_eq!(policy(&app, &token).await["allowed"], false);

    // Editing the tool back to approved is not a way round.
    let tool_form = [
        ("original", "claude-code"),
        ("tool[name]", "Claude Code"),
        ("tool[vendor]", "Anthropic"),
        ("tool[category]", "ai_coding"),
        ("tool[status]", "approved"),
        ("tool[scope]", "all"),
        ("tool[distribution]", "npm"),
    ];
    let (status, body) = app
        .call_json("save_tool", &tool_form, Some(&rita.cookie))
        .await;
    assert_eq!(
        (status, body["field"].as_str()),
        (422, Some("status")),
        "{body}"
    );

    // Only reviewers propose it; each broken field is named and nothing is filed.
    let requests_before = count(&app, "SELECT count(*) FROM tool_requests").await;
    let (status, _) = app
        .call_json("reinstate_tool", &reinstate(&[]), Some(&eli.cookie))
        .await;
    assert_eq!(status, 403);
    for (field, value) in [
        ("justification", "Fixed."),
        ("facts_changed", " "),
        ("pinned_version", &*"v".repeat(101).leak()),
        ("checksum", "not-a-checksum"),
    ] {
        let key: &'static str = format!("reinstate[{field}]").leak();
        let (status, body) = app
            .call_json(
                "reinstate_tool",
                &reinstate(&[(key, value)]),
                Some(&rita.cookie),
            )
            .await;
        assert_eq!(
            (status, body["field"].as_str()),
            (422, Some(field)),
            "{body}"
        );
    }
    let (status, body) = app
        .call_json(
            "reinstate_tool",
            &[
                ("tool", "no-such-tool"),
                ("reinstate[justification]", "x".repeat(30).leak()),
                ("reinstate[facts_changed]", "y"),
            ],
            Some(&rita.cookie),
        )
        .await;
    assert_eq!(status, 404, "{body}");
    assert_eq!(
        count(&app, "SELECT count(*) FROM tool_requests").await,
        requests_before
    );

    let (status, number) = app
        .call_json("reinstate_tool", &reinstate(&[]), Some(&rita.cookie))
        .await;
    assert_eq!(status, 200, "{number}");
    let number = number.as_i64().expect("number").to_string();
    let (status, body) = app
        .call_json("reinstate_tool", &reinstate(&[]), Some(&sam.cookie))
        .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (409, Some("conflict")),
        "one at a time: {body}"
    );
    let proposal = app.request(&rita, &number).await;
    let use_case = proposal["use_case"].as_str().unwrap_or_default();
    assert!(use_case.contains("rotated its signing keys"), "{proposal}");
    assert!(
        use_case.contains("What changed: Pinned to 2.1.4"),
        "{proposal}"
    );
    assert_eq!(proposal["risk"]["required_approvals"], 2, "{proposal}");

    // The proposer may not decide it; one other reviewer is not enough — even when someone with
    // the database dresses the stop up as an automatic suspension and lowers the approvals the
    // request needs (the stop's signed receipt says it is the kill switch).
    let tamper = "UPDATE tool_stops SET review_due_on = current_date, stopped_by = NULL,
                    totp_step = NULL, incident_id = NULL;
                  UPDATE tool_requests SET required_approvals = 1 WHERE reinstates IS NOT NULL";
    let restore = "UPDATE tool_stops s SET review_due_on = NULL, stopped_by = u.user_id,
                     totp_step = (s.payload::jsonb->>'totp_step')::bigint,
                     incident_id = (SELECT incident_id FROM incidents i
                                    WHERE i.number = (s.payload::jsonb->>'incident_number')::bigint)
                   FROM users u WHERE u.email = 'rita@example.com';
                   UPDATE tool_requests SET required_approvals = 2 WHERE reinstates IS NOT NULL";
    sqlx::raw_sql(tamper)
        .execute(&app.pool)
        .await
        .expect("tampered");
    app.assign(&sam, &number).await;
    let (status, body) = app.decide(&mut rita, &number, "approve").await;
    assert_eq!(status, 403, "{body}");
    let (status, state) = app.decide(&mut sam, &number, "approve").await;
    assert_eq!(
        (status, state.as_str()),
        (200, Some("in_review")),
        "{state}"
    );
    sqlx::raw_sql(restore)
        .execute(&app.pool)
        .await
        .expect("restored");
    assert_eq!(
        policy(&app, &token).await["allowed"],
        false,
        "still stopped"
    );
    let (status, state) = app.decide(&mut kim, &number, "approve").await;
    assert_eq!((status, state.as_str()), (200, Some("approved")), "{state}");

    // Back as it was, with the new pin; the stop is lifted and what it held is released.
    let answer = policy(&app, &token).await;
    assert_eq!(answer["allowed"], true, "{answer}");
    let (status, pin): (String, String) =
        sqlx::query_as("SELECT status, pinned_version FROM tools WHERE slug = 'claude-code'")
            .fetch_one(&app.pool)
            .await
            .expect("tool");
    assert_eq!(
        (status.as_str(), pin.as_str()),
        ("approved_with_conditions", "2.1.4"),
        "as before the stop, with the new pin"
    );
    assert_eq!(
        count(
            &app,
            "SELECT count(*) FROM tool_stops WHERE lifted_at IS NULL"
        )
        .await,
        0
    );
    assert_eq!(app.request(&eli, &held).await["on_hold"], false);
    let (_, user) = app.call_json("current_user", &[], Some(&eli.cookie)).await;
    assert_eq!(user["stops"], serde_json::json!([]), "the banner is gone");
    let (_, detail) = app
        .call_json("incident", &[("number", &incident)], Some(&rita.cookie))
        .await;
    let kinds: Vec<&str> = detail["timeline"]
        .as_array()
        .expect("timeline")
        .iter()
        .map(|e| e["kind"].as_str().unwrap_or_default())
        .collect();
    assert!(
        kinds.ends_with(&["reinstatement_proposed", "tool_reinstated"]),
        "{kinds:?}"
    );

    // Both sign-offs have receipts that verify and cover the justification.
    let signoffs = app.request(&kim, &number).await["signoffs"].clone();
    let signoffs = signoffs.as_array().expect("signoffs");
    assert_eq!(signoffs.len(), 2);
    for signoff in signoffs {
        let id = signoff["receipt_id"].as_str().expect("receipt id");
        let response = app
            .api_get(
                &format!("/api/v1/receipts/{id}"),
                &app.api_token("kim@example.com").await,
            )
            .await;
        assert_eq!(response.status(), 200);
        let receipt: SignedReceipt = response.json().await.expect("receipt");
        let document = app.signing_keys.verify_receipt(&receipt).expect("verifies");
        assert_eq!(document.request_number.to_string(), number);
    }
    let verification = app::backend::audit::verify(&app.pool)
        .await
        .expect("verify");
    assert!(matches!(
        verification,
        app::backend::audit::Verification::Intact { .. }
    ));
}
