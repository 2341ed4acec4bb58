//! The registry over `/api/v1`.

use serde_json::Value;

use crate::helpers::spawn_app;

#[tokio::test]
async fn data_classes_list_the_article_defaults_most_sensitive_first() {
    let app = spawn_app().await;
    app.create_user("eve@example.com", "Eve", &[]).await;
    let token = app::backend::tokens::create(
        &app.pool,
        app::domain::Actor::Operator,
        &app::domain::Email::parse("eve@example.com").expect("email"),
        "registry",
        chrono::Utc::now(),
    )
    .await
    .expect("token")
    .token;
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
