//! Nothing widens what is allowed without the workflow: a reviewer's edit that widens a tool
//! becomes a registry change request that only other reviewers decide, with fresh codes and a
//! signed receipt; what narrows takes effect at once; every "yes" of the policy check names the
//! receipt that granted it; and a stale approval answers no (or yes with a warning).

use app::domain::Role;
use serde_json::Value;

use crate::helpers::{assert_every_yes_has_a_receipt, spawn_app, SignedIn, TestApp};

/// The tool editor's form for `slug` as it stands, with `changes` applied (a key given again
/// replaces every value it had).
async fn edit_form(
    app: &TestApp,
    who: &SignedIn,
    slug: &str,
    changes: &[(&str, &str)],
) -> Vec<(String, String)> {
    let (status, editor) = app
        .call_json("tool_editor", &[("slug", slug)], Some(&who.cookie))
        .await;
    assert_eq!(status, 200, "{editor}");
    let tool = &editor["tool"];
    let text = |key: &str| tool[key].as_str().unwrap_or_default().to_owned();
    let mut form: Vec<(String, String)> = vec![("original".into(), slug.into())];
    for key in [
        "name",
        "vendor",
        "category",
        "description",
        "website",
        "status",
        "status_reason",
        "conditions",
        "distribution",
        "package_name",
        "pinned_version",
        "checksum",
        "business_owner",
        "next_review",
        "rollback_plan",
    ] {
        form.push((format!("tool[{key}]"), text(key)));
    }
    if tool["vendor_trains_on_data"] == true {
        form.push(("tool[vendor_trains_on_data]".into(), "true".into()));
    }
    match tool["teams"].as_array() {
        None => form.push(("tool[scope]".into(), "all".into())),
        Some(teams) => {
            form.push(("tool[scope]".into(), "teams".into()));
            for team in teams {
                form.push(("tool[teams][]".into(), text_of(&team["slug"])));
            }
        }
    }
    for class in tool["data_classes"].as_array().expect("classes") {
        form.push(("tool[data_classes][]".into(), text_of(&class["slug"])));
    }
    for requirement in tool["access_requirements"]
        .as_array()
        .expect("requirements")
    {
        let key = text_of(&requirement["key"]);
        if requirement["required"] == true {
            form.push(("tool[required][]".into(), key.clone()));
        }
        form.push((format!("tool[notes][{key}]"), text_of(&requirement["note"])));
    }
    for (key, _) in changes {
        form.retain(|(k, _)| k != key);
    }
    form.extend(
        changes
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned())),
    );
    form
}

fn text_of(value: &Value) -> String {
    value.as_str().unwrap_or_default().to_owned()
}

fn pairs(form: &[(String, String)]) -> Vec<(&str, &str)> {
    form.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect()
}

async fn ask(app: &TestApp, who: &SignedIn, tool: &str, class: &str, team: &str) -> Value {
    let (status, answer) = app
        .call_json(
            "policy_check",
            &[("tool", tool), ("data_class", class), ("team", team)],
            Some(&who.cookie),
        )
        .await;
    assert_eq!(status, 200, "{answer}");
    answer
}

async fn save(app: &TestApp, who: &SignedIn, form: &[(String, String)]) -> (u16, Value) {
    app.call_json("save_tool", &pairs(form), Some(&who.cookie))
        .await
}

/// Saves `form` as `who`; the editor must answer 200 with `outcome` (`applied`, `proposed`).
async fn save_expecting(
    app: &TestApp,
    who: &SignedIn,
    form: &[(String, String)],
    outcome: &str,
) -> Value {
    let (status, saved) = save(app, who, form).await;
    assert_eq!(
        (status, saved["outcome"].as_str()),
        (200, Some(outcome)),
        "{saved}"
    );
    saved
}

#[tokio::test]
async fn the_demo_approvals_have_real_receipts() {
    let app = spawn_app().await;
    app.load_demo().await;
    let yeses = assert_every_yes_has_a_receipt(&app).await;
    assert!(yeses > 50, "the demo allows plenty: {yeses}");
}

#[tokio::test]
async fn widening_an_entry_files_a_change_request_that_only_other_reviewers_decide() {
    let app = spawn_app().await;
    app.load_demo().await;
    let rita = app.signed_in("rita@example.com", &[Role::Reviewer]).await;
    let mut sam = app.signed_in("sam@example.com", &[Role::Reviewer]).await;
    let mut kai = app.signed_in("kai@example.com", &[Role::Reviewer]).await;
    let before = ask(
        &app,
        &rita,
        "claude-code",
        "internal-documents",
        "data-science",
    )
    .await;
    assert_eq!(before["allowed"], false, "{before}");

    // Adding a team widens: filed, not saved.
    let form = edit_form(&app, &rita, "claude-code", &[]).await;
    let mut wider = form.clone();
    wider.push(("tool[teams][]".into(), "data-science".into()));
    let saved = save_expecting(&app, &rita, &wider, "proposed").await;
    let number = saved["number"].as_i64().expect("number").to_string();
    let answer = ask(
        &app,
        &rita,
        "claude-code",
        "internal-documents",
        "data-science",
    )
    .await;
    assert_eq!(answer["allowed"], false, "nothing changed yet: {answer}");
    let request = app.request(&rita, &number).await;
    assert_eq!(request["kind"], "registry_change");
    assert_eq!(request["state"], "submitted");
    let changed: Vec<&str> = request["changes"]
        .as_array()
        .expect("changes")
        .iter()
        .map(|c| c["field"].as_str().expect("field"))
        .collect();
    assert_eq!(changed, ["teams"], "{request}");

    // The proposer may not take or decide it.
    let (status, _) = app
        .call_json(
            "request_action",
            &[("number", &number), ("action", "assign")],
            Some(&rita.cookie),
        )
        .await;
    assert_eq!(status, 403);
    app.assign(&sam, &number).await;
    let mut rita_deciding = rita;
    let (status, body) = app.decide(&mut rita_deciding, &number, "approve").await;
    assert_eq!(status, 403, "{body}");

    // Another reviewer (and a second, when the risk needs one) signs it off with a fresh code.
    let mut final_state = Value::Null;
    for reviewer in [&mut sam, &mut kai] {
        let (status, state) = app.decide(reviewer, &number, "approve").await;
        assert_eq!(status, 200, "{state}");
        final_state = state;
        if final_state
            .as_str()
            .is_some_and(|s| s.starts_with("approved"))
        {
            break;
        }
    }
    assert!(
        final_state
            .as_str()
            .is_some_and(|s| s.starts_with("approved")),
        "{final_state}"
    );
    let answer = ask(
        &app,
        &sam,
        "claude-code",
        "internal-documents",
        "data-science",
    )
    .await;
    assert_eq!(answer["allowed"], true, "{answer}");
    let receipt = answer["receipt_id"].as_str().expect("a receipt").to_owned();
    let (status, page) = app
        .call_json("receipt", &[("id", &receipt)], Some(&sam.cookie))
        .await;
    assert_eq!(status, 200, "{page}");
    assert_eq!(page["problem"], Value::Null, "it verifies: {page}");
    assert_eq!(page["request_number"].to_string(), number);
    assert_every_yes_has_a_receipt(&app).await;
}

#[tokio::test]
async fn a_new_approved_tool_and_a_reinstated_one_are_never_saved_directly() {
    let app = spawn_app().await;
    app.load_demo().await;
    let rita = app.signed_in("rita@example.com", &[Role::Reviewer]).await;
    let new_tool: Vec<(String, String)> = [
        ("original", ""),
        ("tool[name]", "Windsurf"),
        ("tool[vendor]", "Codeium"),
        ("tool[category]", "ai_coding"),
        ("tool[status]", "approved"),
        ("tool[scope]", "all"),
        ("tool[data_classes][]", "public-information"),
        ("tool[distribution]", "saas"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v.to_owned()))
    .collect();
    save_expecting(&app, &rita, &new_tool, "proposed").await;
    let (status, _) = app
        .call_json("tool", &[("slug", "windsurf")], Some(&rita.cookie))
        .await;
    assert_eq!(status, 404, "not in the registry until decided");

    // Prohibited → approved is a reinstatement: filed too.
    let reinstate = edit_form(
        &app,
        &rita,
        "chatgpt-personal",
        &[
            ("tool[status]", "approved"),
            ("tool[data_classes][]", "public-information"),
        ],
    )
    .await;
    save_expecting(&app, &rita, &reinstate, "proposed").await;
    let (_, page) = app
        .call_json("tool", &[("slug", "chatgpt-personal")], Some(&rita.cookie))
        .await;
    assert_eq!(page["tool"]["status"], "prohibited");
    assert_every_yes_has_a_receipt(&app).await;
}

#[tokio::test]
async fn approving_a_change_never_undoes_a_narrowing_made_after_it_was_proposed() {
    let app = spawn_app().await;
    app.load_demo().await;
    let rita = app.signed_in("rita@example.com", &[Role::Reviewer]).await;
    let mut sam = app.signed_in("sam@example.com", &[Role::Reviewer]).await;
    let mut kai = app.signed_in("kai@example.com", &[Role::Reviewer]).await;
    let mut wider = edit_form(&app, &rita, "claude-code", &[]).await;
    wider.push(("tool[teams][]".into(), "data-science".into()));
    let saved = save_expecting(&app, &rita, &wider, "proposed").await;
    let number = saved["number"].as_i64().expect("proposed").to_string();
    // Meanwhile the tool is narrowed: a data class removed, at once.
    let mut narrower = edit_form(&app, &sam, "claude-code", &[]).await;
    let class = narrower
        .iter()
        .find(|(k, _)| k == "tool[data_classes][]")
        .map(|(_, v)| v.clone())
        .expect("a data class");
    let team = narrower
        .iter()
        .find(|(k, _)| k == "tool[teams][]")
        .map_or("payments".to_owned(), |(_, v)| v.clone());
    let allowed = ask(&app, &rita, "claude-code", &class, &team).await;
    assert_eq!(allowed["allowed"], true, "{allowed}");
    narrower.retain(|(k, v)| !(k == "tool[data_classes][]" && *v == class));
    save_expecting(&app, &sam, &narrower, "applied").await;
    // Approving the older proposal would bring the class back: refused, nothing written.
    app.assign(&sam, &number).await;
    let mut refused = None;
    for reviewer in [&mut sam, &mut kai] {
        let (status, body) = app.decide(reviewer, &number, "approve").await;
        if status != 200 {
            refused = Some((status, body));
            break;
        }
    }
    let (status, body) = refused.expect("the final approval is refused");
    assert_eq!(status, 409, "{body}");
    let answer = ask(&app, &rita, "claude-code", &class, &team).await;
    assert_eq!(answer["allowed"], false, "the narrowing stands: {answer}");
    assert_every_yes_has_a_receipt(&app).await;
}

#[tokio::test]
async fn narrowing_takes_effect_at_once_and_keeps_the_remaining_receipts() {
    let app = spawn_app().await;
    app.load_demo().await;
    let rita = app.signed_in("rita@example.com", &[Role::Reviewer]).await;
    let before = ask(
        &app,
        &rita,
        "github-copilot",
        "public-information",
        "payments",
    )
    .await;
    assert_eq!(before["allowed"], true, "{before}");
    let receipt = before["receipt_id"].clone();
    // Remove a data class and a team: narrower, so saved at once with no code.
    let mut form = edit_form(&app, &rita, "github-copilot", &[]).await;
    form.retain(|(k, v)| {
        !((k == "tool[data_classes][]" && v == "core-source-code")
            || (k == "tool[teams][]" && v == "data-science"))
    });
    save_expecting(&app, &rita, &form, "applied").await;
    let gone = ask(
        &app,
        &rita,
        "github-copilot",
        "core-source-code",
        "payments",
    )
    .await;
    assert_eq!(gone["allowed"], false, "{gone}");
    let gone = ask(
        &app,
        &rita,
        "github-copilot",
        "public-information",
        "data-science",
    )
    .await;
    assert_eq!(gone["allowed"], false, "{gone}");
    let kept = ask(
        &app,
        &rita,
        "github-copilot",
        "public-information",
        "payments",
    )
    .await;
    assert_eq!(
        (&kept["allowed"], &kept["receipt_id"]),
        (&Value::Bool(true), &receipt)
    );
    assert_every_yes_has_a_receipt(&app).await;
}

#[tokio::test]
async fn a_stale_approval_answers_no_until_re_reviewed_or_yes_with_a_warning() {
    let app = spawn_app().await;
    app.load_demo().await;
    let admin = app.signed_in("root@example.com", &[Role::Admin]).await;
    let rita = app.signed_in("rita@example.com", &[Role::Reviewer]).await;
    // A new pinned version makes the approval stale and opens a re-review.
    let form = edit_form(
        &app,
        &rita,
        "github-copilot",
        &[("tool[pinned_version]", "1.251.0")],
    )
    .await;
    save_expecting(&app, &rita, &form, "applied").await;

    let answer = ask(
        &app,
        &rita,
        "github-copilot",
        "public-information",
        "payments",
    )
    .await;
    assert_eq!(answer["allowed"], false, "{answer}");
    let reason = answer["reason"].as_str().expect("reason");
    assert!(reason.starts_with("Not until re-reviewed"), "{reason}");
    assert!(
        reason.contains("pinned version 1.250.0 → 1.251.0"),
        "{reason}"
    );
    let re_review = answer["re_review_request"].as_i64().expect("the re-review");
    assert!(reason.contains(&format!("#{re_review}")), "{reason}");

    let (status, body) = app
        .call_json(
            "admin/update_settings",
            &[
                ("name", "Northwind Analytics (demo)"),
                ("max_review_months", "12"),
                ("stale_policy", "warn"),
            ],
            Some(&admin.cookie),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let answer = ask(
        &app,
        &rita,
        "github-copilot",
        "public-information",
        "payments",
    )
    .await;
    assert_eq!(answer["allowed"], true, "{answer}");
    assert!(answer["reason"]
        .as_str()
        .expect("reason")
        .contains("Warning: its approval is being re-reviewed"));
    assert_eq!(answer["re_review_request"], re_review);
}
