//! The registry over `/api/v1`.

use serde_json::Value;

use crate::helpers::{spawn_app, TestApp};

#[tokio::test]
async fn data_classes_list_the_article_defaults_most_sensitive_first() {
    let app = spawn_app().await;
    let eve = app.create_user("eve@example.com", "Eve", &[]).await;
    // A new organization requires a second factor of everyone, API callers included.
    app.enroll_totp(eve).await;
    let token = app.api_token("eve@example.com").await;
    let response = app
        .client
        .get(app.url("/api/v1/data-classes"))
        .bearer_auth(&token)
        .send()
        .await
        .expect("request");
    assert_eq!(response.status(), 200);
    let classes: Vec<Value> = response.json().await.expect("json");
    assert_eq!(classes.len(), 8);
    let credentials = classes
        .iter()
        .find(|c| c["slug"] == "credentials-secrets")
        .expect("credentials");
    assert_eq!(credentials["level"], "restricted");
    assert_eq!(credentials["prohibited_by_default"], true);
    assert_eq!(classes[0]["level"], "restricted");
    let internal = classes
        .iter()
        .find(|c| c["slug"] == "internal-documents")
        .expect("internal documents");
    assert_eq!(internal["prohibited_by_default"], false);
}

/// A tool put in the registry as a reviewer would (an approved one through the workflow, with
/// real receipts), so these tests pin the search and the policy answers on known entries.
#[allow(clippy::too_many_arguments)]
async fn insert_tool(
    app: &TestApp,
    slug: &str,
    name: &str,
    vendor: &str,
    status: &str,
    reason: &str,
    classes: &[&str],
    teams: Option<&[&str]>,
) {
    use app::backend::platform::change::{today, Change};
    use app::backend::registry::editing::save_in;
    let owned = |items: &[&str]| items.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
    let form = app::domain::ToolForm {
        name: name.into(),
        slug: slug.into(),
        vendor: vendor.into(),
        category: "ai_coding".into(),
        description: format!("{name} helps developers write code."),
        status: status.into(),
        status_reason: reason.into(),
        scope: if teams.is_some() { "teams" } else { "all" }.into(),
        teams: owned(teams.unwrap_or_default()),
        data_classes: owned(classes),
        distribution: "saas".into(),
        next_review: "2027-03-01".into(),
        rollback_plan: "use GitHub Copilot instead".into(),
        ..Default::default()
    };
    if matches!(status, "approved" | "approved_with_conditions") {
        app.approve_tool(&form).await;
    } else {
        let now = app.now();
        let change = Change {
            actor: app::domain::Actor::Operator,
            by: None,
            source: None,
            now,
            today: today(now).expect("today"),
        };
        let mut tx = app.pool.begin().await.expect("tx");
        save_in(
            &mut tx,
            &change,
            None,
            form.validate().expect("valid"),
            None,
        )
        .await
        .expect("saved");
        tx.commit().await.expect("commit");
    }
    sqlx::query("UPDATE tools SET status_since = '2026-11-02' WHERE slug = $1")
        .bind(slug)
        .execute(&app.pool)
        .await
        .expect("status since");
}

async fn registry(app: &TestApp) -> String {
    app.load_demo().await;
    // Start from four tools of our own rather than the demo's registry (and its incidents).
    for table in ["incidents", "tools"] {
        sqlx::query(&format!("DELETE FROM {table}"))
            .execute(&app.pool)
            .await
            .expect("empty registry");
    }
    insert_tool(
        app,
        "claude-code",
        "Claude Code",
        "Anthropic",
        "approved",
        "",
        &["internal-documents", "core-source-code"],
        None,
    )
    .await;
    insert_tool(
        app,
        "cursor",
        "Cursor",
        "Anysphere",
        "suspended",
        "vendor incident under review",
        &["internal-documents"],
        None,
    )
    .await;
    insert_tool(
        app,
        "copilot",
        "GitHub Copilot",
        "GitHub",
        "approved",
        "",
        &["internal-documents"],
        Some(&["payments"]),
    )
    .await;
    insert_tool(
        app,
        "deepseek",
        "DeepSeek Chat",
        "DeepSeek",
        "prohibited",
        "data leaves the EU",
        &[],
        None,
    )
    .await;
    app.create_user("eve@example.com", "Eve", &[]).await;
    app.api_token("eve@example.com").await
}

async fn api(app: &TestApp, token: &str, path: &str) -> (u16, Value) {
    let response = app
        .client
        .get(app.url(path))
        .bearer_auth(token)
        .send()
        .await
        .expect("request");
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

#[tokio::test]
async fn tools_are_found_by_part_of_a_word_best_match_first() {
    let app = spawn_app().await;
    let token = registry(&app).await;
    let (status, page) = api(&app, &token, "/api/v1/tools").await;
    assert_eq!(status, 200);
    assert_eq!(page["total"], 4);
    let (_, page) = api(&app, &token, "/api/v1/tools?q=CODE").await;
    let slugs: Vec<&str> = page["tools"]
        .as_array()
        .expect("tools")
        .iter()
        .map(|t| t["slug"].as_str().expect("slug"))
        .collect();
    assert_eq!(
        slugs[0], "claude-code",
        "a name match ranks first: {slugs:?}"
    );
    assert_eq!(slugs.len(), 4, "every description mentions code: {slugs:?}");
    let (_, page) = api(&app, &token, "/api/v1/tools?q=anthro").await;
    assert_eq!(
        page["tools"][0]["slug"], "claude-code",
        "vendor, partial word"
    );
    let (_, page) = api(&app, &token, "/api/v1/tools?status=suspended").await;
    assert_eq!(page["total"], 1);
    assert_eq!(page["tools"][0]["slug"], "cursor");
    let (_, page) = api(&app, &token, "/api/v1/tools?q=100%25").await;
    assert_eq!(page["total"], 0, "wildcards are literal");
    let (_, page) = api(&app, &token, "/api/v1/tools?page=2").await;
    assert_eq!(page["tools"], serde_json::json!([]));
}

#[tokio::test]
async fn bad_searches_say_which_parameter() {
    let app = spawn_app().await;
    let token = registry(&app).await;
    for (path, status, field) in [
        ("/api/v1/tools?status=banned", 422, Some("status")),
        ("/api/v1/tools?category=robots", 422, Some("category")),
        ("/api/v1/tools?page=0", 422, Some("page")),
        ("/api/v1/tools?page=abc", 400, None),
    ] {
        let (got, body) = api(&app, &token, path).await;
        assert_eq!(got, status, "{path}: {body}");
        assert_eq!(body["error"]["field"].as_str(), field, "{path}: {body}");
    }
    let long = format!("/api/v1/tools?q={}", "x".repeat(101));
    let (status, body) = api(&app, &token, &long).await;
    assert_eq!((status, body["error"]["field"].as_str()), (422, Some("q")));
}

#[tokio::test]
async fn a_tool_page_holds_the_whole_entry() {
    let app = spawn_app().await;
    let token = registry(&app).await;
    let (status, tool) = api(&app, &token, "/api/v1/tools/copilot").await;
    assert_eq!(status, 200);
    assert_eq!(
        tool["teams"],
        serde_json::json!([{"slug": "payments", "name": "Payments"}])
    );
    assert_eq!(tool["data_classes"][0]["slug"], "internal-documents");
    assert_eq!(
        tool["access_requirements"].as_array().expect("five").len(),
        5
    );
    let (_, tool) = api(&app, &token, "/api/v1/tools/claude-code").await;
    assert_eq!(tool["teams"], Value::Null, "approved for every team");
    let (status, body) = api(&app, &token, "/api/v1/tools/nothing-here").await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (404, Some("not_found"))
    );
}

#[tokio::test]
async fn the_policy_check_answers_with_the_reason() {
    let app = spawn_app().await;
    let token = registry(&app).await;
    let ask = |tool: &str, class: &str, team: &str| {
        format!("/api/v1/policy/check?tool={tool}&data_class={class}&team={team}")
    };
    for (tool, class, team, allowed, reason) in [
        ("claude-code", "internal-documents", "marketing", true, "Approved."),
        ("claude-code", "core-source-code", "platform-engineering", true, "names it explicitly"),
        ("claude-code", "credentials-secrets", "platform-engineering", false, "Prohibited: credentials and secrets may not be sent to any AI tool"),
        ("cursor", "internal-documents", "marketing", false, "Suspended on 2026-11-02: vendor incident under review. Instead: use GitHub Copilot instead."),
        ("copilot", "internal-documents", "marketing", false, "Approved for the Payments team only."),
        ("copilot", "internal-documents", "payments", true, "Approved."),
        ("deepseek", "public-information", "payments", false, "Prohibited"),
    ] {
        let (status, answer) = api(&app, &token, &ask(tool, class, team)).await;
        assert_eq!(status, 200, "{tool} {class} {team}: {answer}");
        assert_eq!(answer["allowed"], allowed, "{tool} {class} {team}: {answer}");
        assert!(answer["reason"].as_str().expect("reason").contains(reason), "{answer}");
    }
    for (path, status, field) in [
        (
            ask("nope", "internal-documents", "payments"),
            422,
            Some("tool"),
        ),
        (ask("copilot", "nope", "payments"), 422, Some("data_class")),
        (
            ask("copilot", "internal-documents", "nope"),
            422,
            Some("team"),
        ),
        ("/api/v1/policy/check?tool=copilot".to_owned(), 400, None),
    ] {
        let (got, body) = api(&app, &token, &path).await;
        assert_eq!(got, status, "{path}: {body}");
        assert_eq!(body["error"]["field"].as_str(), field, "{path}");
    }
}
