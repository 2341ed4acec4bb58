//! Tabletop exercises, the dry kill switch, and checklist item 10's evidence from both.

use app::domain::{Membership, Role};
use serde_json::Value;

use crate::helpers::{spawn_app, SignedIn, TestApp};

async fn call(
    app: &TestApp,
    who: &SignedIn,
    function: &str,
    form: &[(&str, &str)],
) -> (u16, Value) {
    app.call_json(function, form, Some(&who.cookie)).await
}

#[tokio::test]
async fn admins_schedule_and_record_exercises_and_reviewers_read_them() {
    let app = spawn_app().await;
    app.load_demo().await;
    let admin = app.signed_in("ada@example.com", &[Role::Admin]).await;
    let rita = app.signed_in("rita@example.com", &[Role::Reviewer]).await;
    let eli = app.signed_in("eli@example.com", &[]).await;
    let today = app.now().date_naive();
    let ahead = (today + chrono::Duration::days(30)).to_string();
    let past = (today - chrono::Duration::days(2)).to_string();
    let form = |day: &str| {
        vec![
            (
                "exercise[title]",
                "Vendor breach at our chat assistant".to_owned(),
            ),
            ("exercise[kind]", "vendor_breach".to_owned()),
            (
                "exercise[scenario]",
                "The vendor e-mails: prompts were exposed.".to_owned(),
            ),
            ("exercise[held_on]", day.to_owned()),
            (
                "exercise[participants]",
                "Security, Legal, Customer Support".to_owned(),
            ),
        ]
    };
    let pairs = |v: &[(&'static str, String)]| -> Vec<(&'static str, String)> { v.to_vec() };
    let send = |who: &SignedIn, function: &'static str, fields: Vec<(&'static str, String)>| {
        let cookie = who.cookie.clone();
        let app = &app;
        async move {
            let form: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
            app.call_json(function, &form, Some(&cookie)).await
        }
    };

    // Reviewers may not schedule; each broken field is named; nothing is stored meanwhile.
    let (status, _) = send(&rita, "schedule_exercise", pairs(&form(&ahead))).await;
    assert_eq!(status, 403);
    for (key, value, field) in [
        ("exercise[title]", "", "title"),
        ("exercise[kind]", "fire-drill", "kind"),
        ("exercise[scenario]", " ", "scenario"),
        ("exercise[held_on]", "next week", "held_on"),
        ("exercise[held_on]", "2099-01-01", "held_on"),
        ("exercise[participants]", "", "participants"),
    ] {
        let mut broken = form(&ahead);
        broken.retain(|(k, _)| *k != key);
        broken.push((key, value.to_owned()));
        let (status, body) = send(&admin, "schedule_exercise", broken).await;
        assert_eq!(
            (status, body["field"].as_str()),
            (422, Some(field)),
            "{value}: {body}"
        );
    }
    assert_eq!(
        app.count("SELECT count(*) FROM exercises").await,
        1,
        "the demo's"
    );

    let (status, number) = send(&admin, "schedule_exercise", pairs(&form(&ahead))).await;
    assert_eq!(status, 200, "{number}");
    let number = number.to_string();
    // Not held yet: its outcome waits for its day.
    let outcome = |n: &str, gaps: &str| {
        vec![
            ("number", n.to_owned()),
            ("outcome[went_well]", String::new()),
            ("outcome[gaps]", gaps.to_owned()),
        ]
    };
    let (status, body) = send(&admin, "record_exercise", outcome(&number, "Too early")).await;
    assert_eq!(
        (status, body["field"].as_str()),
        (422, Some("went_well")),
        "{body}"
    );

    // One held two days ago is recorded: something must be said, and only by admins.
    let (_, held) = send(&admin, "schedule_exercise", pairs(&form(&past))).await;
    let held = held.to_string();
    let (status, body) = send(&admin, "record_exercise", outcome(&held, "")).await;
    assert_eq!(
        (status, body["field"].as_str()),
        (422, Some("went_well")),
        "{body}"
    );
    let (status, _) = send(&rita, "record_exercise", outcome(&held, "x")).await;
    assert_eq!(status, 403);
    let gaps = "Nobody knew who calls the vendor's security contact.";
    let (status, body) = send(&admin, "record_exercise", outcome(&held, gaps)).await;
    assert_eq!(status, 200, "{body}");

    // A follow-up with an owner; the owner marks it done.
    let follow_up = vec![
        ("number", held.clone()),
        (
            "follow_up[what]",
            "Name the vendor contacts in each playbook".to_owned(),
        ),
        ("follow_up[owner]", rita.user_id.to_string()),
        ("follow_up[due]", ahead.clone()),
    ];
    let mut eli_owner = follow_up.clone();
    eli_owner[2].1 = eli.user_id.to_string();
    let (status, body) = send(&admin, "add_exercise_follow_up", eli_owner).await;
    assert_eq!(
        (status, body["field"].as_str()),
        (422, Some("owner")),
        "{body}"
    );
    let (status, body) = send(&admin, "add_exercise_follow_up", follow_up).await;
    assert_eq!(status, 200, "{body}");

    let (status, detail) = call(&app, &rita, "exercise", &[("number", &held)]).await;
    assert_eq!(status, 200, "{detail}");
    assert_eq!(detail["gaps"], gaps);
    assert!(detail["recorded_at"].is_string());
    assert_eq!(
        detail["playbook_version"],
        Value::Null,
        "no vendor-breach playbook yet"
    );
    assert_eq!(detail["may_edit"], false);
    let action = detail["follow_ups"][0]["id"]
        .as_str()
        .expect("id")
        .to_owned();
    let (status, body) = call(
        &app,
        &rita,
        "complete_exercise_follow_up",
        &[("number", &held), ("action", &action)],
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let (status, _) = call(
        &app,
        &rita,
        "complete_exercise_follow_up",
        &[("number", &held), ("action", &action)],
    )
    .await;
    assert_eq!(status, 409, "done already");

    let (status, list) = call(&app, &rita, "exercises", &[]).await;
    assert_eq!(status, 200);
    let states: Vec<(i64, bool)> = list["exercises"]
        .as_array()
        .expect("list")
        .iter()
        .map(|e| {
            (
                e["number"].as_i64().unwrap_or_default(),
                e["held"].as_bool().unwrap_or_default(),
            )
        })
        .collect();
    assert_eq!(states.len(), 3);
    assert!(states.contains(&(number.parse().expect("n"), false)));
    assert!(states.contains(&(held.parse().expect("n"), true)));
    let (status, _) = call(&app, &eli, "exercises", &[]).await;
    assert_eq!(status, 403);
    assert_eq!(
        app.count("SELECT count(*) FROM audit_events WHERE action LIKE 'exercise.%'")
            .await,
        5
    );
}

#[tokio::test]
async fn a_dry_kill_switch_shows_who_would_be_told_and_changes_nothing() {
    let app = spawn_app().await;
    app.load_demo().await;
    let rita = app.signed_in("rita@example.com", &[Role::Reviewer]).await;
    let eli = app.signed_in("eli@example.com", &[]).await;
    app.join(eli.user_id, "payments", Membership::Member).await;
    let mut draft = crate::requests::draft();
    draft.push(("request[tool]", "claude-code"));
    let (status, number) = app
        .call_json("save_request", &draft, Some(&eli.cookie))
        .await;
    assert_eq!(status, 200, "{number}");
    let number = number.to_string();
    let (status, _) = app
        .call_json(
            "request_action",
            &[("number", &number), ("action", "submit")],
            Some(&eli.cookie),
        )
        .await;
    assert_eq!(status, 200);
    let events = app.count("SELECT count(*) FROM audit_events").await;

    let (status, run) = call(&app, &rita, "dry_run", &[("tool", "claude-code")]).await;
    assert_eq!(status, 200, "{run}");
    assert_eq!(run["in_use"], true);
    let teams: Vec<&str> = run["teams"]
        .as_array()
        .expect("teams")
        .iter()
        .map(|t| t[0]["slug"].as_str().unwrap_or_default())
        .collect();
    assert!(teams.contains(&"payments"), "{run}");
    assert!(run["people"].as_i64().expect("people") >= 1);
    assert_eq!(run["open_requests"][0]["number"].to_string(), number);
    assert!(run["rollback_plan"]
        .as_str()
        .unwrap_or_default()
        .contains("GitHub Copilot"));

    // Nothing changed: the tool is in use, nothing is held or stopped, nothing audited.
    let status: String = sqlx::query_scalar("SELECT status FROM tools WHERE slug = 'claude-code'")
        .fetch_one(&app.pool)
        .await
        .expect("tool");
    assert_eq!(status, "approved_with_conditions");
    assert_eq!(app.count("SELECT count(*) FROM tool_stops").await, 0);
    assert_eq!(
        app.count("SELECT count(*) FROM tool_requests WHERE held_by IS NOT NULL")
            .await,
        0
    );
    assert_eq!(app.count("SELECT count(*) FROM audit_events").await, events);

    let (status, body) = call(&app, &rita, "dry_run", &[("tool", "no-such-tool")]).await;
    assert_eq!((status, body["field"].as_str()), (422, Some("tool")));
    let (status, _) = call(&app, &eli, "dry_run", &[("tool", "claude-code")]).await;
    assert_eq!(status, 403);
}

/// Item 10 shows the playbooks, the last exercise and the open follow-ups, and is due once
/// they are older than the organization's interval.
#[tokio::test]
async fn checklist_item_ten_shows_the_evidence_and_is_due_when_it_is_old() {
    let app = spawn_app().await;
    app.load_demo().await;
    let admin = app.signed_in("ada@example.com", &[Role::Admin]).await;
    let item_ten = |checklist: &Value| {
        checklist["progress"]["items"]
            .as_array()
            .expect("items")
            .iter()
            .find(|i| i["number"] == 10)
            .expect("item 10")
            .clone()
    };
    let (status, checklist) = call(&app, &admin, "team_checklist", &[("team", "payments")]).await;
    assert_eq!(status, 200, "{checklist}");
    let item = item_ten(&checklist);
    let evidence = &item["machine_evidence"];
    assert_eq!(
        evidence["playbooks"].as_array().map(Vec::len),
        Some(3),
        "{item}"
    );
    assert!(
        evidence["last_exercise"]["held_on"].is_string(),
        "{evidence}"
    );
    assert!(
        evidence["last_exercise"].get("title").is_none(),
        "exercises are for reviewers"
    );
    assert!(
        evidence["playbooks"][0]["reviewed_at"].is_string(),
        "reviewed by the demo's admin"
    );
    assert_eq!(
        evidence["open_follow_ups"], 2,
        "one of the exercise, one of the closed incident"
    );
    assert_eq!(
        (
            evidence["interval_months"].as_i64(),
            evidence["due"].as_bool()
        ),
        (Some(12), Some(false))
    );
    assert_eq!(
        items_with_machine_evidence(&checklist),
        [3, 10],
        "item 3 carries the data classes' detectors"
    );

    // The demo's exercise was three months ago: with a one-month interval the item is due.
    for (months, status) in [("0", 422), ("37", 422), ("x", 422), ("1", 200)] {
        let (got, body) = call(
            &app,
            &admin,
            "admin/update_settings",
            &[
                ("name", "Northwind Analytics (demo)"),
                ("response_review_months", months),
            ],
        )
        .await;
        assert_eq!(got, status, "{months}: {body}");
        if status == 422 {
            assert_eq!(body["field"], "response_review_months");
        }
    }
    let (_, checklist) = call(&app, &admin, "team_checklist", &[("team", "payments")]).await;
    let evidence = item_ten(&checklist)["machine_evidence"].clone();
    assert_eq!(
        (
            evidence["interval_months"].as_i64(),
            evidence["due"].as_bool()
        ),
        (Some(1), Some(true))
    );
    let html = app.html("/teams/payments/checklist", &admin.cookie).await;
    assert!(html.contains("Due: evidence out of date"), "{html}");
}

fn items_with_machine_evidence(checklist: &Value) -> Vec<i64> {
    checklist["progress"]["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter(|i| !i["machine_evidence"].is_null())
        .filter_map(|i| i["number"].as_i64())
        .collect()
}
