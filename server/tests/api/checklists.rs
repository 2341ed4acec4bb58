//! Team checklists and dashboards: who sees and changes what, the rules of an item, history and
//! the figures it feeds, CSV exports, the progress API.

use app::domain::{Membership, Role};
use serde_json::Value;

use crate::helpers::{spawn_app, SignedIn, TestApp};

struct Team {
    member: SignedIn,
    manager: SignedIn,
    outsider: SignedIn,
}

/// A fresh team "Quality Assurance" (no demo progress) with a member and its manager; an
/// employee of another team.
async fn team(app: &TestApp) -> Team {
    app.load_demo().await;
    sqlx::query(
        "INSERT INTO teams (slug, name, description) VALUES ('qa', 'Quality Assurance', '')",
    )
    .execute(&app.pool)
    .await
    .expect("team");
    let member = app.signed_in("mia@example.com", &[]).await;
    app.join(member.user_id, "qa", Membership::Member).await;
    let manager = app.signed_in("max@example.com", &[Role::Manager]).await;
    app.join(manager.user_id, "qa", Membership::Manager).await;
    let outsider = app.signed_in("otto@example.com", &[Role::Manager]).await;
    app.join(outsider.user_id, "marketing", Membership::Manager)
        .await;
    Team {
        member,
        manager,
        outsider,
    }
}

async fn update(
    app: &TestApp,
    who: &SignedIn,
    team: &str,
    number: &str,
    fields: &[(&str, &str)],
) -> (u16, Value) {
    let mut form = vec![("team", team), ("number", number)];
    form.extend_from_slice(fields);
    app.call_json("update_checklist_item", &form, Some(&who.cookie))
        .await
}

async fn checklist(app: &TestApp, who: &SignedIn, team: &str) -> (u16, Value) {
    app.call_json("team_checklist", &[("team", team)], Some(&who.cookie))
        .await
}

#[tokio::test]
async fn a_member_marks_items_and_the_managers_dashboard_follows() {
    let app = spawn_app().await;
    let t = team(&app).await;
    let (status, page) = checklist(&app, &t.member, "qa").await;
    assert_eq!(status, 200, "{page}");
    assert_eq!(page["progress"]["percent"], 0);
    assert_eq!(page["progress"]["items"].as_array().map(Vec::len), Some(10));

    let member_id = t.member.user_id.to_string();
    let (status, body) = update(
        &app,
        &t.member,
        "qa",
        "2",
        &[
            ("item[status]", "done"),
            ("item[owner]", &member_id),
            ("item[due_date]", "2027-01-31"),
        ],
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let (status, body) = update(
        &app,
        &t.member,
        "qa",
        "1",
        &[
            ("item[status]", "done"),
            ("item[evidence]", "Policy v1 approved by the board"),
            ("item[links]", "https://wiki.example/policy"),
        ],
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let (status, body) = update(
        &app,
        &t.member,
        "qa",
        "6",
        &[
            ("item[status]", "not_applicable"),
            ("item[na_reason]", "We ship no software"),
        ],
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let (status, body) = update(
        &app,
        &t.member,
        "qa",
        "4",
        &[
            ("item[status]", "in_progress"),
            ("item[due_date]", "2020-01-01"),
        ],
    )
    .await;
    assert_eq!(status, 200, "{body}");

    let (_, page) = checklist(&app, &t.manager, "qa").await;
    let progress = &page["progress"];
    assert_eq!(
        progress["counts"],
        serde_json::json!({"done": 2, "applicable": 9})
    );
    assert_eq!(progress["percent"], 22, "2 of 9, rounded down");
    let policy = progress["categories"]
        .as_array()
        .expect("categories")
        .iter()
        .find(|c| c["category"] == "policy")
        .expect("policy")
        .clone();
    assert_eq!(policy["percent"], 100);
    let item2 = &progress["items"][1];
    assert_eq!(
        (
            item2["status"].as_str(),
            item2["owner"].as_str(),
            item2["due_date"].as_str()
        ),
        (Some("done"), Some("mia@example.com"), Some("2027-01-31"))
    );
    assert_eq!(progress["items"][3]["overdue"], true);
    assert_eq!(page["history"].as_array().map(Vec::len), Some(4));
    assert_eq!(page["history"][0]["item"], 4, "newest first");
    assert_eq!(page["trend"].as_array().map(Vec::len), Some(12));
    assert_eq!(page["trend"][11]["percent"], 22, "this week's figure");

    // The manager's dashboard covers exactly the team they manage.
    let (status, dashboard) = app
        .call_json("dashboard", &[], Some(&t.manager.cookie))
        .await;
    assert_eq!(status, 200, "{dashboard}");
    assert_eq!(
        (dashboard["teams"].as_i64(), dashboard["percent"].as_i64()),
        (Some(1), Some(22))
    );
    assert_eq!(dashboard["heat"][0]["team"], "qa");
    assert_eq!(dashboard["heat"][0]["cells"][0], "done");
    assert_eq!(dashboard["heat"][0]["cells"][5], "not_applicable");
    assert_eq!(dashboard["overdue_total"], 1);
    assert_eq!(dashboard["overdue"][0]["number"], 4);
    // An admin sees every team.
    let admin = app.signed_in("ada@example.com", &[Role::Admin]).await;
    let (_, all) = app.call_json("dashboard", &[], Some(&admin.cookie)).await;
    assert_eq!(all["teams"], 7, "six demo teams and QA");
    assert_eq!(all["scope_all"], true);

    // Going back from done moves the figures back.
    let (status, _) = update(
        &app,
        &t.member,
        "qa",
        "2",
        &[("item[status]", "in_progress")],
    )
    .await;
    assert_eq!(status, 200);
    let (_, page) = checklist(&app, &t.member, "qa").await;
    assert_eq!(page["progress"]["percent"], 11);
    assert_eq!(page["trend"][11]["percent"], 11);
    let audited: i64 = sqlx::query_scalar("SELECT count(*) FROM audit_events WHERE action = 'checklist.item_updated' AND target LIKE 'team:qa/%'")
        .fetch_one(&app.pool)
        .await
        .expect("count");
    assert_eq!(audited, 5);
}

#[tokio::test]
async fn bad_updates_name_the_field_and_change_nothing() {
    let app = spawn_app().await;
    let t = team(&app).await;
    let eli = app.signed_in("eli@example.com", &[]).await;
    let eli_id = eli.user_id.to_string();
    for (number, fields, expected, field) in [
        ("1", vec![("item[status]", "finished")], 422, "status"),
        (
            "2",
            vec![("item[status]", "not_applicable")],
            422,
            "na_reason",
        ),
        ("1", vec![("item[status]", "done")], 422, "evidence"),
        (
            "2",
            vec![("item[status]", "done"), ("item[owner]", eli_id.as_str())],
            422,
            "owner",
        ),
        (
            "2",
            vec![("item[status]", "done"), ("item[owner]", "nobody")],
            422,
            "owner",
        ),
        (
            "2",
            vec![("item[status]", "done"), ("item[due_date]", "31/01/2027")],
            422,
            "due_date",
        ),
        (
            "2",
            vec![
                ("item[status]", "done"),
                ("item[links]", "ftp://files.example/x"),
            ],
            422,
            "links",
        ),
        ("99", vec![("item[status]", "done")], 422, "number"),
    ] {
        let (status, body) = update(&app, &t.member, "qa", number, &fields).await;
        assert_eq!(
            (status, body["field"].as_str()),
            (expected, Some(field)),
            "{fields:?}: {body}"
        );
    }
    // Another team's member, and another team's manager, may neither change nor see it.
    for who in [&eli, &t.outsider] {
        let (status, _) = update(&app, who, "qa", "2", &[("item[status]", "done")]).await;
        assert_eq!(status, 403);
        let (status, _) = checklist(&app, who, "qa").await;
        assert_eq!(status, 403);
    }
    let (status, _) = checklist(&app, &t.member, "no-such-team").await;
    assert_eq!(status, 404);
    let rows: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM team_checklist_items t JOIN teams USING (team_id) WHERE slug = 'qa'",
    )
    .fetch_one(&app.pool)
    .await
    .expect("count");
    assert_eq!(rows, 0, "nothing was stored");
    // The outsider's dashboard holds only Marketing.
    let (_, dashboard) = app
        .call_json("dashboard", &[], Some(&t.outsider.cookie))
        .await;
    assert_eq!(dashboard["teams"], 1);
    assert_eq!(dashboard["heat"][0]["team"], "marketing");
    let (status, body) = app
        .call_json("dashboard", &[("page", "2")], Some(&t.outsider.cookie))
        .await;
    assert_eq!((status, body["field"].as_str()), (422, Some("page")));
}

#[tokio::test]
async fn csv_exports_carry_the_figures_and_never_formulas() {
    let app = spawn_app().await;
    let t = team(&app).await;
    let (status, _) = update(
        &app,
        &t.member,
        "qa",
        "1",
        &[
            ("item[status]", "done"),
            (
                "item[evidence]",
                "=HYPERLINK(\"http://evil.example\",\"click\")",
            ),
        ],
    )
    .await;
    assert_eq!(status, 200);
    let response = app.page("/teams/qa/checklist.csv", &t.member.cookie).await;
    assert_eq!(response.status(), 200);
    assert_eq!(
        response.headers()["content-type"],
        "text/csv; charset=utf-8"
    );
    assert!(response.headers()["content-disposition"]
        .to_str()
        .unwrap_or("")
        .contains("ai-checklist-qa.csv"));
    let body = response.text().await.expect("csv");
    let lines: Vec<&str> = body.split("\r\n").collect();
    assert!(
        lines[0].starts_with("\"team\",\"number\",\"title\",\"category\",\"status\""),
        "{body}"
    );
    assert!(
        lines[1]
            .starts_with("\"qa\",\"1\",\"Establish an AI Governance Policy\",\"Policy\",\"done\""),
        "{body}"
    );
    assert!(
        lines[1].contains("\"'=HYPERLINK(\"\"http://evil.example\"\",\"\"click\"\")\""),
        "neutralised: {}",
        lines[1]
    );
    assert_eq!(lines.len(), 12, "header, ten items, final line break");

    let response = app.page("/dashboard.csv", &t.manager.cookie).await;
    assert_eq!(response.status(), 200);
    let body = response.text().await.expect("csv");
    assert!(body.starts_with("\"team\",\"team_name\",\"completion_percent\",\"1. Establish an AI Governance Policy\""), "{body}");
    assert!(
        body.contains("\"qa\",\"Quality Assurance\",\"10\",\"done\",\"not_started\""),
        "{body}"
    );
    assert_eq!(body.matches("\r\n").count(), 2, "the manager's one team");

    assert_eq!(
        app.page("/dashboard.csv", &t.member.cookie).await.status(),
        403,
        "an employee has no dashboard"
    );
    assert_eq!(
        app.page("/teams/qa/checklist.csv", &t.outsider.cookie)
            .await
            .status(),
        403
    );
    assert_eq!(app.get("/dashboard.csv").await.status(), 401);
}

#[tokio::test]
async fn scripts_read_a_teams_progress_with_the_same_rules() {
    let app = spawn_app().await;
    let t = team(&app).await;
    update(&app, &t.member, "qa", "2", &[("item[status]", "done")]).await;
    let get = |token: String| {
        let app = &app;
        async move {
            app.client
                .get(app.url("/api/v1/teams/qa/progress"))
                .bearer_auth(token)
                .send()
                .await
                .expect("request")
        }
    };
    let response = get(app.api_token("mia@example.com").await).await;
    assert_eq!(response.status(), 200);
    let body: Value = response.json().await.expect("json");
    assert_eq!(
        (body["team"].as_str(), body["percent"].as_i64()),
        (Some("qa"), Some(10))
    );
    assert_eq!(body["items"][1]["status"], "done");
    assert_eq!(
        get(app.api_token("otto@example.com").await).await.status(),
        403
    );
    let response = app
        .client
        .get(app.url("/api/v1/teams/nope/progress"))
        .bearer_auth(app.api_token("mia@example.com").await)
        .send()
        .await
        .expect("request");
    assert_eq!(response.status(), 404);
    assert_eq!(app.get("/api/v1/teams/qa/progress").await.status(), 401);
}

#[tokio::test]
async fn the_demo_teams_have_different_histories_over_twelve_weeks() {
    let app = spawn_app().await;
    app.load_demo().await;
    let admin = app.signed_in("ada@example.com", &[Role::Admin]).await;
    let (_, dashboard) = app.call_json("dashboard", &[], Some(&admin.cookie)).await;
    let percents: Vec<i64> = dashboard["heat"]
        .as_array()
        .expect("rows")
        .iter()
        .map(|r| r["percent"].as_i64().unwrap_or(-1))
        .collect();
    let mut distinct = percents.clone();
    distinct.sort_unstable();
    distinct.dedup();
    assert_eq!(
        distinct.len(),
        percents.len(),
        "every team differs: {percents:?}"
    );
    let trend: Vec<i64> = dashboard["trend"]
        .as_array()
        .expect("trend")
        .iter()
        .map(|p| p["percent"].as_i64().unwrap_or(0))
        .collect();
    assert!(trend.windows(2).all(|w| w[0] <= w[1]), "rising: {trend:?}");
    assert!(trend[0] < trend[11], "{trend:?}");
    assert!(dashboard["overdue_total"].as_i64().unwrap_or(0) > 0);
    let html = app.html("/dashboard", &admin.cookie).await;
    assert!(
        html.contains("<svg")
            && html.contains("Overall completion by week")
            && html.contains("How is this computed?")
    );
}

#[tokio::test]
async fn admins_change_the_checklist_in_versions_without_losing_progress() {
    let app = spawn_app().await;
    let t = team(&app).await;
    let admin = app.signed_in("ada@example.com", &[Role::Admin]).await;
    update(&app, &t.member, "qa", "2", &[("item[status]", "done")]).await;
    update(&app, &t.member, "qa", "8", &[("item[status]", "done")]).await;
    let (_, framework) = app
        .call_json("admin/checklist", &[], Some(&admin.cookie))
        .await;
    assert_eq!(framework["version"], 1);
    assert_eq!(framework["items"].as_array().map(Vec::len), Some(10));

    // Add an item: version 2, every team has eleven items, progress kept.
    let (status, number) = app
        .call_json(
            "admin/save_checklist_item",
            &[
                ("item[title]", "Review AI vendors yearly"),
                ("item[category]", "supply_chain"),
                ("item[evidence_required]", "true"),
            ],
            Some(&admin.cookie),
        )
        .await;
    assert_eq!((status, number.as_i64()), (200, Some(11)));
    let (_, page) = checklist(&app, &t.member, "qa").await;
    assert_eq!(page["progress"]["framework_version"], 2);
    assert_eq!(page["progress"]["items"].as_array().map(Vec::len), Some(11));
    assert_eq!(
        page["progress"]["counts"],
        serde_json::json!({"done": 2, "applicable": 11})
    );
    let (status, body) = update(&app, &t.member, "qa", "11", &[("item[status]", "done")]).await;
    assert_eq!(
        (status, body["field"].as_str()),
        (422, Some("evidence")),
        "the new rule holds"
    );

    // Edit one: version 3, the title changes, progress stays.
    let (status, _) = app
        .call_json(
            "admin/save_checklist_item",
            &[
                ("number", "2"),
                ("item[title]", "Keep the approved AI tool list current"),
                ("item[category]", "policy"),
            ],
            Some(&admin.cookie),
        )
        .await;
    assert_eq!(status, 200);
    let (_, page) = checklist(&app, &t.member, "qa").await;
    assert_eq!(
        page["progress"]["items"][1]["title"],
        "Keep the approved AI tool list current"
    );
    assert_eq!(page["progress"]["items"][1]["status"], "done");

    // Retire one that was done: version 4, it no longer counts, today or in the trend.
    let (status, _) = app
        .call_json(
            "admin/retire_checklist_item",
            &[("number", "8")],
            Some(&admin.cookie),
        )
        .await;
    assert_eq!(status, 200);
    let (_, page) = checklist(&app, &t.member, "qa").await;
    assert_eq!(page["progress"]["framework_version"], 4);
    assert_eq!(
        page["progress"]["counts"],
        serde_json::json!({"done": 1, "applicable": 10})
    );
    assert_eq!(page["trend"][11]["percent"], 10);
    let (_, framework) = app
        .call_json("admin/checklist", &[], Some(&admin.cookie))
        .await;
    assert_eq!(framework["items"][7]["retired_in_version"], 4);
    let (status, body) = update(&app, &t.member, "qa", "8", &[("item[status]", "done")]).await;
    assert_eq!((status, body["field"].as_str()), (422, Some("number")));
    let (status, _) = app
        .call_json(
            "admin/retire_checklist_item",
            &[("number", "8")],
            Some(&admin.cookie),
        )
        .await;
    assert_eq!(status, 404, "already retired");
    for (fields, field) in [
        (
            vec![("item[title]", ""), ("item[category]", "policy")],
            "title",
        ),
        (
            vec![("item[title]", "X"), ("item[category]", "hr")],
            "category",
        ),
    ] {
        let (status, body) = app
            .call_json("admin/save_checklist_item", &fields, Some(&admin.cookie))
            .await;
        assert_eq!((status, body["field"].as_str()), (422, Some(field)));
    }
    let (_, framework) = app
        .call_json("admin/checklist", &[], Some(&admin.cookie))
        .await;
    assert_eq!(framework["version"], 4, "refused changes make no version");
}
