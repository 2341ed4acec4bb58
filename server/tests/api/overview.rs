use serde_json::Value;

use crate::helpers::{spawn_app, TestApp};

/// An employee's session cookie: the overview is for signed-in people only. A portal whose
/// organization is not named yet is a new one: it requires a second factor of everyone.
async fn employee(app: &TestApp) -> String {
    let eve = app.create_user("eve@example.com", "Eve", &[]).await;
    let secret = app.enroll_totp(eve).await;
    app.sign_in("eve@example.com", Some(&secret)).await
}

#[tokio::test]
async fn an_empty_portal_says_it_is_not_set_up() {
    let app = spawn_app().await;
    let cookie = employee(&app).await;
    let response = app.call("overview", &[], Some(&cookie)).await;
    assert_eq!(response.status(), 200);
    let body: Value = response.json().await.expect("json");
    assert_eq!(body["organization"], Value::Null);
    assert_eq!(body["teams"], Value::Array(vec![]));

    let html = app.html("/", &cookie).await;
    assert!(
        html.contains("This portal has not been set up yet"),
        "{html}"
    );
}

#[tokio::test]
async fn the_overview_server_function_returns_the_organization_and_teams() {
    let app = spawn_app().await;
    app.load_demo().await;
    let cookie = employee(&app).await;
    let response = app.call("overview", &[], Some(&cookie)).await;
    assert_eq!(response.status(), 200);
    let body: Value = response.json().await.expect("json");
    assert_eq!(body["organization"]["name"], "Northwind Analytics (demo)");
    assert_eq!(body["organization"]["is_demo"], true);
    let slugs: Vec<&str> = body["teams"]
        .as_array()
        .expect("teams")
        .iter()
        .map(|team| team["slug"].as_str().expect("slug"))
        .collect();
    // Alphabetical by name.
    assert_eq!(
        slugs,
        [
            "customer-support",
            "data-science",
            "legal-compliance",
            "marketing",
            "payments",
            "platform-engineering"
        ]
    );
}

#[tokio::test]
async fn the_home_page_is_rendered_on_the_server_with_live_data() {
    let app = spawn_app().await;
    app.load_demo().await;
    sqlx::query("UPDATE organization SET name = 'Renamed in the database'")
        .execute(&app.pool)
        .await
        .expect("rename");

    let cookie = employee(&app).await;
    let response = app.page("/", &cookie).await;
    assert_eq!(response.status(), 200);
    assert!(response.headers().contains_key("x-request-id"));
    let html = response.text().await.expect("html");
    assert!(html.contains("<h1 id=\"page-title\">Renamed in the database</h1>"));
    assert!(html.contains(r#"<dd data-testid="team-count">6</dd>"#));
    assert!(html.contains("Platform Engineering"));
    // The hydration bundle is referenced so the page comes alive in the browser.
    assert!(html.contains("import(\"/pkg/portal."), "{html}");
    assert!(html.contains("<title>Overview · AI Governance Portal</title>"));
}

#[tokio::test]
async fn the_team_filter_works_without_javascript() {
    let app = spawn_app().await;
    app.load_demo().await;
    let cookie = employee(&app).await;
    let html = app.html("/?q=PLAT", &cookie).await;
    assert!(html.contains("1 of 6 teams match"), "{html}");
    assert!(html.contains(r#"<th scope="row">Platform Engineering</th>"#));
    // The page also carries all teams as data for hydration; only the table is filtered.
    assert!(!html.contains(r#"<th scope="row">Customer Support</th>"#));

    let html = app.html("/?q=zzz", &cookie).await;
    assert!(html.contains("No team matches this filter"));
}

#[tokio::test]
async fn unknown_pages_get_a_404_page_without_internal_detail() {
    let app = spawn_app().await;
    let response = app.get("/definitely/not/here").await;
    assert_eq!(response.status(), 404);
    assert_eq!(response.headers()["x-content-type-options"], "nosniff");
    assert_eq!(response.headers()["x-frame-options"], "DENY");
    let html = response.text().await.expect("html");
    assert!(html.contains("Page not found"));
    assert!(html.contains("Go to the overview"));
}

#[tokio::test]
async fn database_failures_reach_the_user_as_a_safe_message() {
    let app = spawn_app().await;
    let cookie = employee(&app).await;
    // Break the query underneath the server function: the user must see neither SQL nor a stack.
    sqlx::query("ALTER TABLE teams RENAME TO teams_gone")
        .execute(&app.pool)
        .await
        .expect("rename table");

    let response = app.call("overview", &[], Some(&cookie)).await;
    assert_eq!(response.status(), 500);
    let body: Value = response.json().await.expect("json error");
    assert_eq!(body["code"], "internal");
    let text = body.to_string();
    assert!(!text.contains("teams"), "{text}");
    assert!(!text.to_lowercase().contains("relation"), "{text}");

    let html = app.html("/", &cookie).await;
    assert!(html.contains("Could not load this page"));
    assert!(!html.contains("relation"));
    assert!(!html.contains("teams_gone"));
}

#[tokio::test]
async fn request_ids_are_generated_or_propagated() {
    let app = spawn_app().await;
    let generated = app.get("/healthz").await;
    let id = generated.headers()["x-request-id"].to_str().expect("ascii");
    assert_eq!(id.len(), 36, "a UUID: {id}");

    let propagated = app
        .client
        .get(app.url("/healthz"))
        .header("x-request-id", "trace-me-123")
        .send()
        .await
        .expect("request");
    assert_eq!(propagated.headers()["x-request-id"], "trace-me-123");
}
