//! Reviewers maintain the registry through the browser's server functions: tools and data
//! classes, validated field by field, saved in one transaction with their audit event, and
//! shown with their history. What widens what a tool allows goes through a registry change
//! request that other reviewers sign off.

use app::domain::Role;
use serde_json::Value;

use crate::helpers::{assert_every_yes_has_a_receipt, spawn_app, SignedIn, TestApp};

async fn reviewer(app: &TestApp) -> SignedIn {
    app.load_demo().await;
    app.signed_in("rita@example.com", &[Role::Reviewer]).await
}

/// Rita proposes `form` in the tool editor; Sam and, when the risk needs a second reviewer,
/// Kai sign it off with fresh codes. Returns the change request's number.
async fn propose_and_approve(app: &TestApp, rita: &SignedIn, form: &[(&str, &str)]) -> String {
    let (status, saved) = app.call_json("save_tool", form, Some(&rita.cookie)).await;
    assert_eq!(
        (status, saved["outcome"].as_str()),
        (200, Some("proposed")),
        "{saved}"
    );
    let number = saved["number"].as_i64().expect("number").to_string();
    let mut sam = app.signed_in("sam@example.com", &[Role::Reviewer]).await;
    let mut kai = app.signed_in("kai@example.com", &[Role::Reviewer]).await;
    app.assign(&sam, &number).await;
    for reviewer in [&mut sam, &mut kai] {
        let (status, state) = app.decide(reviewer, &number, "approve").await;
        assert_eq!(status, 200, "{state}");
        if state.as_str().is_some_and(|s| s.starts_with("approved")) {
            break;
        }
    }
    number
}

/// The fields of a valid new tool, as the form posts them.
pub(crate) fn new_tool() -> Vec<(&'static str, &'static str)> {
    vec![
        ("original", ""),
        ("tool[name]", "Windsurf Editor"),
        ("tool[vendor]", "Codeium"),
        ("tool[category]", "ai_coding"),
        ("tool[description]", "An agentic IDE."),
        ("tool[website]", "https://windsurf.com"),
        ("tool[status]", "approved_with_conditions"),
        ("tool[conditions]", "Project directory only."),
        ("tool[scope]", "teams"),
        ("tool[teams][]", "payments"),
        ("tool[data_classes][]", "internal-documents"),
        ("tool[data_classes][]", "core-source-code"),
        ("tool[required][]", "commands_logged"),
        (
            "tool[notes][commands_logged]",
            "Through the shell audit proxy",
        ),
        ("tool[distribution]", "binary"),
        ("tool[package_name]", "windsurf"),
        ("tool[pinned_version]", "1.12.3"),
        (
            "tool[checksum]",
            "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
        ),
        ("tool[business_owner]", "Head of Payments"),
        ("tool[next_review]", "2027-06-30"),
        ("tool[rollback_plan]", "Use GitHub Copilot."),
    ]
}

fn with<'a>(
    base: &[(&'a str, &'a str)],
    changes: &[(&'a str, &'a str)],
) -> Vec<(&'a str, &'a str)> {
    let mut form: Vec<_> = base
        .iter()
        .filter(|(key, _)| !changes.iter().any(|(k, _)| k == key))
        .copied()
        .collect();
    form.extend(changes.iter().copied());
    form
}

async fn count(app: &TestApp, sql: &str) -> i64 {
    sqlx::query_scalar(sql)
        .fetch_one(&app.pool)
        .await
        .expect("count")
}

#[tokio::test]
async fn a_reviewer_adds_a_tool_and_everyone_sees_it_with_its_history() {
    let app = spawn_app().await;
    let rita = reviewer(&app).await;
    propose_and_approve(&app, &rita, &new_tool()).await;

    let employee = app.signed_in("eve@example.com", &[Role::Employee]).await;
    // The history names people as the rest of the portal does, by their current name.
    sqlx::query(
        "UPDATE users SET display_name = initcap(split_part(email, '@', 1)) || ' Reviewer'",
    )
    .execute(&app.pool)
    .await
    .expect("rename");
    let (status, page) = app
        .call_json(
            "tool",
            &[("slug", "windsurf-editor")],
            Some(&employee.cookie),
        )
        .await;
    assert_eq!(status, 200, "{page}");
    let tool = &page["tool"];
    assert_eq!(tool["status"], "approved_with_conditions");
    assert_eq!(
        tool["teams"],
        serde_json::json!([{"slug": "payments", "name": "Payments"}])
    );
    let classes: Vec<&str> = tool["data_classes"]
        .as_array()
        .expect("classes")
        .iter()
        .map(|c| c["slug"].as_str().expect("slug"))
        .collect();
    assert_eq!(classes, ["core-source-code", "internal-documents"]);
    let logged = tool["access_requirements"]
        .as_array()
        .expect("requirements")
        .iter()
        .find(|r| r["key"] == "commands_logged")
        .expect("commands logged");
    assert_eq!(logged["required"], true);
    assert_eq!(logged["note"], "Through the shell audit proxy");
    assert_eq!(page["can_edit"], false, "employees do not edit");
    assert_eq!(page["history"][0]["action"], "tool.created");
    // Written by the final sign-off, never by the reviewer who proposed it.
    let author = page["history"][0]["actor"].as_str().expect("actor");
    assert!(
        ["Sam Reviewer", "Kai Reviewer"].contains(&author),
        "{author}"
    );

    // Found by part of a word, and answered by the widget's server function.
    let (_, found) = app
        .call_json("registry", &[("q", "WINDS")], Some(&employee.cookie))
        .await;
    assert_eq!(found["results"]["tools"][0]["slug"], "windsurf-editor");
    let ask = |team: &'static str, class: &'static str| {
        [
            ("tool", "windsurf-editor"),
            ("data_class", class),
            ("team", team),
        ]
    };
    let (_, answer) = app
        .call_json(
            "policy_check",
            &ask("payments", "core-source-code"),
            Some(&employee.cookie),
        )
        .await;
    assert_eq!(answer["allowed"], true, "{answer}");
    assert!(answer["reason"]
        .as_str()
        .expect("reason")
        .contains("Project directory only"));
    let (_, answer) = app
        .call_json(
            "policy_check",
            &ask("marketing", "internal-documents"),
            Some(&employee.cookie),
        )
        .await;
    assert_eq!(answer["allowed"], false);
    assert_eq!(answer["reason"], "Approved for the Payments team only.");
    assert_every_yes_has_a_receipt(&app).await;
}

#[tokio::test]
async fn a_change_is_recorded_field_by_field_and_a_suspension_needs_a_reason() {
    let app = spawn_app().await;
    let rita = reviewer(&app).await;
    propose_and_approve(&app, &rita, &new_tool()).await;
    let events_before = count(&app, "SELECT count(*) FROM audit_events").await;

    let suspend = with(
        &new_tool(),
        &[
            ("original", "windsurf-editor"),
            ("tool[status]", "suspended"),
        ],
    );
    let (status, body) = app
        .call_json("save_tool", &suspend, Some(&rita.cookie))
        .await;
    assert_eq!(
        (status, body["field"].as_str()),
        (422, Some("status_reason")),
        "{body}"
    );
    assert_eq!(
        count(&app, "SELECT count(*) FROM audit_events").await,
        events_before,
        "nothing recorded"
    );

    let suspend = with(
        &suspend,
        &[("tool[status_reason]", "Vendor breach under investigation")],
    );
    // Stopping a tool for everyone is signed with a fresh code.
    let (status, body) = app
        .call_json("save_tool", &suspend, Some(&rita.cookie))
        .await;
    assert_eq!(
        (status, body["field"].as_str()),
        (422, Some("code")),
        "{body}"
    );
    let code = app.fresh_code(&rita);
    let signed = with(&suspend, &[("code", code.as_str())]);
    let (status, body) = app
        .call_json("save_tool", &signed, Some(&rita.cookie))
        .await;
    assert_eq!(
        (status, body["outcome"].as_str()),
        (200, Some("applied")),
        "{body}"
    );
    // The same code does not sign twice.
    let (status, body) = app
        .call_json(
            "save_tool",
            &with(&signed, &[("tool[status]", "prohibited")]),
            Some(&rita.cookie),
        )
        .await;
    assert_eq!(
        (status, body["field"].as_str()),
        (422, Some("code")),
        "{body}"
    );
    let (_, page) = app
        .call_json("tool", &[("slug", "windsurf-editor")], Some(&rita.cookie))
        .await;
    assert_eq!(page["tool"]["status"], "suspended");
    assert_eq!(page["can_edit"], true);
    let latest = &page["history"][0];
    assert_eq!(latest["action"], "tool.updated");
    let mut changed: Vec<&str> = latest["changes"]
        .as_array()
        .expect("changes")
        .iter()
        .map(|c| c["field"].as_str().expect("field"))
        .collect();
    changed.sort_unstable();
    assert_eq!(changed, ["status", "status_reason"]);
    assert_eq!(latest["changes"][0]["before"], "Approved with conditions");
    assert_eq!(latest["changes"][0]["after"], "Suspended");

    // The identifier stays; saving again without a change records nothing.
    let (_, saved) = app
        .call_json("save_tool", &suspend, Some(&rita.cookie))
        .await;
    assert_eq!(saved["slug"], "windsurf-editor", "{saved}");
    let (_, page) = app
        .call_json("tool", &[("slug", "windsurf-editor")], Some(&rita.cookie))
        .await;
    assert_eq!(page["history"].as_array().expect("history").len(), 2);
    assert_every_yes_has_a_receipt(&app).await;
}

#[tokio::test]
async fn bad_tool_input_names_the_field_and_stores_nothing() {
    let app = spawn_app().await;
    let rita = reviewer(&app).await;
    let long_name = "x".repeat(121);
    let cases: Vec<(Vec<(&str, &str)>, &str)> = vec![
        (with(&new_tool(), &[("tool[name]", "")]), "name"),
        (
            with(&new_tool(), &[("tool[name]", long_name.as_str())]),
            "name",
        ),
        (
            with(&new_tool(), &[("tool[checksum]", "not-a-checksum")]),
            "checksum",
        ),
        (with(&new_tool(), &[("tool[status]", "banned")]), "status"),
        (
            with(&new_tool(), &[("tool[category]", "robots")]),
            "category",
        ),
        (
            with(&new_tool(), &[("tool[teams][]", "no-such-team")]),
            "teams",
        ),
        (
            with(&new_tool(), &[("tool[data_classes][]", "no-such-class")]),
            "data_classes",
        ),
        (
            with(&new_tool(), &[("tool[next_review]", "2027-02-30")]),
            "next_review",
        ),
        (
            with(&new_tool(), &[("tool[website]", "javascript:alert(1)")]),
            "website",
        ),
        (
            with(&new_tool(), &[("tool[required][]", "root_access")]),
            "access_requirements",
        ),
        (with(&new_tool(), &[("tool[slug]", "claude-code")]), "slug"),
        (with(&new_tool(), &[("tool[slug]", "new")]), "slug"),
    ];
    let tools = count(&app, "SELECT count(*) FROM tools").await;
    let requests = count(&app, "SELECT count(*) FROM tool_requests").await;
    let events = count(&app, "SELECT count(*) FROM audit_events").await;
    for (form, field) in cases {
        let (status, body) = app.call_json("save_tool", &form, Some(&rita.cookie)).await;
        assert_eq!(status, 422, "{field}: {body}");
        assert_eq!(body["field"], field, "{body}");
        assert!(!body.to_string().contains("SQL"), "{body}");
    }
    assert_eq!(count(&app, "SELECT count(*) FROM tools").await, tools);
    assert_eq!(
        count(&app, "SELECT count(*) FROM tool_requests").await,
        requests,
        "no change request filed"
    );
    assert_eq!(
        count(&app, "SELECT count(*) FROM audit_events").await,
        events
    );

    // Bytes that are not UTF-8 are refused as a request error, not a 500.
    let response = app
        .client
        .post(app.url("/api/save_tool"))
        .header("origin", app.address.as_str())
        .header("cookie", rita.cookie.as_str())
        .header("content-type", "application/x-www-form-urlencoded")
        .body(b"original=&tool%5Bname%5D=%FF%FE".to_vec())
        .send()
        .await
        .expect("request");
    assert_eq!(response.status(), 422);
    assert_eq!(count(&app, "SELECT count(*) FROM tools").await, tools);

    // Changing a tool that does not exist.
    let (status, _) = app
        .call_json(
            "save_tool",
            &with(&new_tool(), &[("original", "ghost")]),
            Some(&rita.cookie),
        )
        .await;
    assert_eq!(status, 404);
}

/// Rita renames the class `trade-secrets` and lowers it to confidential, signing with `code`.
async fn loosen(app: &TestApp, rita: &SignedIn, code: &str) -> (u16, Value) {
    let form = [
        ("original", "trade-secrets"),
        ("class[name]", "Trade secrets and recipes"),
        ("class[level]", "confidential"),
        ("class[prohibited_by_default]", "true"),
        ("code", code),
    ];
    app.call_json("save_data_class", &form, Some(&rita.cookie))
        .await
}

#[tokio::test]
async fn reviewers_add_and_change_data_classes_and_a_tool_may_name_a_prohibited_one() {
    let app = spawn_app().await;
    let rita = reviewer(&app).await;
    let (status, slug) = app
        .call_json(
            "save_data_class",
            &[
                ("original", ""),
                ("class[name]", "Trade secrets"),
                ("class[level]", "restricted"),
                ("class[prohibited_by_default]", "true"),
                ("class[examples]", "Formulas; unreleased designs"),
            ],
            Some(&rita.cookie),
        )
        .await;
    assert_eq!((status, slug.as_str()), (200, Some("trade-secrets")));
    let (status, body) = app
        .call_json(
            "save_data_class",
            &[
                ("original", ""),
                ("class[name]", "Trade secrets"),
                ("class[level]", "restricted"),
            ],
            Some(&rita.cookie),
        )
        .await;
    assert_eq!((status, body["field"].as_str()), (422, Some("slug")));
    let (status, body) = app
        .call_json(
            "save_data_class",
            &[
                ("original", ""),
                ("class[name]", "X"),
                ("class[level]", "top-secret"),
            ],
            Some(&rita.cookie),
        )
        .await;
    assert_eq!((status, body["field"].as_str()), (422, Some("level")));

    // A tool whose approval names the class explicitly may receive it; others may not.
    let form = with(
        &new_tool(),
        &[
            ("tool[scope]", "all"),
            ("tool[data_classes][]", "trade-secrets"),
        ],
    );
    propose_and_approve(&app, &rita, &form).await;
    let ask = |tool: &'static str| {
        [
            ("tool", tool),
            ("data_class", "trade-secrets"),
            ("team", "payments"),
        ]
    };
    let (_, answer) = app
        .call_json("policy_check", &ask("windsurf-editor"), Some(&rita.cookie))
        .await;
    assert_eq!(answer["allowed"], true, "{answer}");
    assert!(answer["reason"]
        .as_str()
        .expect("reason")
        .contains("names it explicitly"));
    let (_, answer) = app
        .call_json("policy_check", &ask("claude"), Some(&rita.cookie))
        .await;
    assert_eq!(answer["allowed"], false, "{answer}");

    // Changing the class keeps its identifier and shows in its history. A lower
    // classification lowers the risk of every request touching the class: without a fresh
    // code it is refused at the code field and nothing changes.
    let (status, body) = loosen(&app, &rita, "").await;
    assert_eq!(
        (status, body["field"].as_str()),
        (422, Some("code")),
        "{body}"
    );
    let (status, body) = loosen(&app, &rita, "000000").await;
    assert_eq!(
        (status, body["field"].as_str()),
        (422, Some("code")),
        "{body}"
    );
    let (_, unchanged) = app
        .call_json(
            "data_class_editor",
            &[("slug", "trade-secrets")],
            Some(&rita.cookie),
        )
        .await;
    assert_eq!(unchanged["class"]["name"], "Trade secrets");
    assert_eq!(unchanged["class"]["level"], "restricted");
    let una = app.signed_in("una@example.com", &[Role::Reviewer]).await;
    let ida = app
        .create_user("ida@example.com", "Ida", &[Role::Admin])
        .await;
    let (status, _) = loosen(&app, &rita, &app.fresh_code(&rita)).await;
    assert_eq!(status, 200);
    let told: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM notifications WHERE user_id = ANY($1)
           AND message LIKE '%loosened the data class Trade secrets and recipes: classification restricted → confidential.'",
    )
    .bind(vec![una.user_id, ida])
    .fetch_one(&app.pool)
    .await
    .expect("notifications");
    assert_eq!(told, 2, "every other reviewer and every admin is told");
    let (_, editor) = app
        .call_json(
            "data_class_editor",
            &[("slug", "trade-secrets")],
            Some(&rita.cookie),
        )
        .await;
    assert_eq!(editor["class"]["name"], "Trade secrets and recipes");
    assert_eq!(editor["history"][0]["action"], "data_class.updated");
    let mut fields: Vec<&str> = editor["history"][0]["changes"]
        .as_array()
        .expect("changes")
        .iter()
        .map(|c| c["field"].as_str().expect("field"))
        .collect();
    fields.sort_unstable();
    assert_eq!(fields, ["examples", "level", "loosened", "name"]);
    assert_every_yes_has_a_receipt(&app).await;
}

#[tokio::test]
async fn the_registry_filters_by_data_class_and_team() {
    let app = spawn_app().await;
    let rita = reviewer(&app).await;
    let slugs = |page: &Value| -> Vec<String> {
        page["tools"]
            .as_array()
            .expect("tools")
            .iter()
            .map(|t| t["slug"].as_str().expect("slug").to_owned())
            .collect()
    };
    let (_, page) = app
        .call_json(
            "registry",
            &[("data_class", "personal-data")],
            Some(&rita.cookie),
        )
        .await;
    assert_eq!(slugs(&page["results"]), ["microsoft-copilot"]);
    let (_, page) = app
        .call_json(
            "registry",
            &[("team", "marketing"), ("category", "ai_coding")],
            Some(&rita.cookie),
        )
        .await;
    assert_eq!(
        page["results"]["total"], 0,
        "coding tools are for engineering teams"
    );
    let (_, page) = app
        .call_json(
            "registry",
            &[("team", "marketing"), ("q", "gem")],
            Some(&rita.cookie),
        )
        .await;
    assert_eq!(
        slugs(&page["results"]),
        ["gemini", "google-duet"],
        "approved for marketing; the name match before the description match"
    );
    assert_eq!(page["data_classes"].as_array().expect("classes").len(), 8);
    let (_, page) = app
        .call_json("registry", &[("q", "copilot")], Some(&rita.cookie))
        .await;
    let overdue: Vec<(&str, bool)> = page["results"]["tools"]
        .as_array()
        .expect("tools")
        .iter()
        .map(|t| {
            (
                t["slug"].as_str().expect("slug"),
                t["review_overdue"] == true,
            )
        })
        .collect();
    assert_eq!(
        overdue,
        [("github-copilot", true), ("microsoft-copilot", false)],
        "the demo's Copilot review date has passed"
    );
    let (status, body) = app
        .call_json("registry", &[("status", "nope")], Some(&rita.cookie))
        .await;
    assert_eq!((status, body["field"].as_str()), (422, Some("status")));
}

#[tokio::test]
async fn registry_pages_render_complete_without_javascript() {
    let app = spawn_app().await;
    let rita = reviewer(&app).await;
    let employee = app.signed_in("eve@example.com", &[Role::Employee]).await;
    for (path, cookie, texts) in [
        (
            "/tools",
            &employee.cookie,
            vec!["Claude Code", "Suspended", "Next review", "Overdue"],
        ),
        (
            "/tools?q=zzzz",
            &employee.cookie,
            vec!["No tool matches “zzzz”", "clear the search"],
        ),
        (
            "/tools/cursor",
            &employee.cookie,
            vec![
                "Suspended since 2026-11-02",
                "Instead: ",
                "May I use it?",
                "History",
            ],
        ),
        (
            "/tools/cursor?team=payments&data_class=internal-documents",
            &employee.cookie,
            vec!["data-testid=\"policy-answer\"", "Suspended on 2026-11-02"],
        ),
        (
            "/data-classes",
            &employee.cookie,
            vec!["Credentials and secrets", "Prohibited by default"],
        ),
        (
            "/tools/new",
            &rita.cookie,
            vec!["Add a tool", "SHA-256 checksum"],
        ),
        (
            "/tools/claude-code/edit",
            &rita.cookie,
            vec!["Edit Claude Code", "@anthropic-ai/claude-code"],
        ),
        (
            "/data-classes/customer-data",
            &rita.cookie,
            vec!["Customer data", "History"],
        ),
    ] {
        let response = app.page(path, cookie).await;
        assert_eq!(response.status(), 200, "{path}");
        let html = response.text().await.expect("html");
        for text in texts {
            assert!(html.contains(text), "{path}: {text}");
        }
    }
    for path in [
        "/tools/new",
        "/tools/claude-code/edit",
        "/data-classes/customer-data",
    ] {
        let response = app.page(path, &employee.cookie).await;
        assert_eq!(response.status(), 403, "{path}");
    }
    let response = app.page("/tools/no-such-tool", &employee.cookie).await;
    assert_eq!(response.status(), 404);
}

#[tokio::test]
async fn an_error_about_a_field_the_edit_form_lacks_is_shown_above_it_and_the_input_comes_back() {
    let app = spawn_app().await;
    let rita = reviewer(&app).await;
    // A name with nothing to make an identifier of: the error names `slug`, which an edit form
    // has no field for.
    let form = with(
        &new_tool(),
        &[
            ("original", "claude-code"),
            ("tool[name]", "!!!"),
            ("tool[vendor]", "Anthropic PBC"),
        ],
    );
    let back = app
        .refused_form("save_tool", &form, "/tools/claude-code/edit", &rita.cookie)
        .await;
    let html = app.html(&back, &rita.cookie).await;
    assert!(
        !html.contains(r#"id="tool-slug""#),
        "an edit form has no identifier field"
    );
    assert!(
        html.contains(r#"notice--error"><p>Slug: must not be empty.</p>"#),
        "an error above the form: {html}"
    );
    assert!(
        html.contains(r#"value="Anthropic PBC""#),
        "the input comes back"
    );
}
