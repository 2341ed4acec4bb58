//! The OpenAPI document: served without a token, a valid OpenAPI 3.1 document, and listing
//! exactly the `/api/v1` routes, each of which answers as documented.

use std::collections::BTreeSet;

use app::domain::Role;
use serde_json::Value;

use crate::helpers::{spawn_app, TestApp};

async fn document(app: &TestApp) -> (String, Value) {
    let response = app.get("/api/v1/openapi.json").await;
    assert_eq!(response.status(), 200);
    assert!(response.headers()["content-type"]
        .to_str()
        .expect("type")
        .starts_with("application/json"));
    let text = response.text().await.expect("body");
    let json = serde_json::from_str(&text).expect("json");
    (text, json)
}

/// Every `"$ref"` in `value`.
fn references(value: &Value, found: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            for (key, inner) in map {
                match (key.as_str(), inner) {
                    ("$ref", Value::String(target)) => found.push(target.clone()),
                    _ => references(inner, found),
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|item| references(item, found)),
        _ => {}
    }
}

#[tokio::test]
async fn the_document_is_valid_openapi_3_and_its_references_resolve() {
    let app = spawn_app().await;
    let (text, json) = document(&app).await;
    let spec = oas3::from_json(&text).expect("an OpenAPI 3.1 document");
    let version = spec.validate_version().expect("a supported version");
    assert_eq!((version.major, version.minor), (3, 1));
    assert_eq!(spec.info.title, "AI Governance Portal API");

    let mut refs = vec![];
    references(&json, &mut refs);
    assert!(refs.len() > 10, "{refs:?}");
    for target in refs {
        let name = target
            .strip_prefix("#/components/schemas/")
            .unwrap_or_else(|| panic!("unexpected reference {target}"));
        assert!(
            json["components"]["schemas"].get(name).is_some(),
            "{target} does not resolve"
        );
    }
    assert_eq!(
        json["components"]["securitySchemes"]["bearer"]["scheme"],
        "bearer"
    );
    // The closed vocabularies are enumerated for clients.
    assert_eq!(
        json["components"]["schemas"]["ToolStatus"]["enum"],
        serde_json::json!([
            "approved",
            "approved_with_conditions",
            "suspended",
            "retired",
            "prohibited"
        ])
    );
}

#[tokio::test]
async fn every_route_is_documented_and_every_documented_route_answers() {
    let app = spawn_app().await;
    app.load_demo().await;
    let (_, json) = document(&app).await;
    let paths: BTreeSet<&str> = json["paths"]
        .as_object()
        .expect("paths")
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(
        paths,
        BTreeSet::from([
            "/api/v1/audit",
            "/api/v1/audit/checkpoints",
            "/api/v1/audit/verify",
            "/api/v1/me",
            "/api/v1/data-classes",
            "/api/v1/tools",
            "/api/v1/tools/{slug}",
            "/api/v1/policy/check",
            "/api/v1/signing-key",
            "/api/v1/requests",
            "/api/v1/requests/{id}",
            "/api/v1/receipts/{id}",
            "/api/v1/teams/{slug}/progress",
            "/api/v1/incidents",
            "/api/v1/incidents/{id}",
            "/api/v1/scan",
            "/api/v1/scan/rules",
        ])
    );
    app.create_user("eve@example.com", "Eve", &[Role::Manager])
        .await;
    let token = app.api_token("eve@example.com").await;
    // The audit log is for admins (SIEMs); Eve gets 403 there, checked below.
    let admin = app
        .create_user("root@example.com", "Root", &[Role::Admin])
        .await;
    app.enroll_totp(admin).await;
    let admin_token = app.api_token("root@example.com").await;
    // Eve manages Payments: she may file requests for it and read its requests and receipts.
    sqlx::query(
        "INSERT INTO team_members (team_id, user_id, membership, added_at)
         SELECT t.team_id, u.user_id, 'manager', now() FROM teams t, users u
         WHERE t.slug = 'payments' AND u.email = 'eve@example.com'",
    )
    .execute(&app.pool)
    .await
    .expect("member");
    let (number, receipt): (i64, uuid::Uuid) = sqlx::query_as(
        "SELECT r.number, s.receipt_id FROM request_signoffs s
         JOIN tool_requests r ON r.request_id = s.request_id
         JOIN teams t ON t.team_id = r.team_id WHERE t.slug = 'payments' LIMIT 1",
    )
    .fetch_one(&app.pool)
    .await
    .expect("a demo decision in Payments");
    // The incident Eve reports (POST /incidents sorts before /incidents/{id}) is the one she reads.
    let mut incident = String::new();
    for path in paths {
        let operations = json["paths"][path].as_object().expect("operations");
        for (method, operation) in operations {
            let id = if path.starts_with("/api/v1/receipts") {
                receipt.to_string()
            } else if path.starts_with("/api/v1/incidents") {
                incident.clone()
            } else {
                number.to_string()
            };
            let slug = if path.starts_with("/api/v1/teams") {
                "payments"
            } else {
                "claude-code"
            };
            let concrete = path.replace("{slug}", slug).replace("{id}", &id)
                + if path.ends_with("/check") {
                    "?tool=claude-code&data_class=internal-documents&team=payments"
                } else {
                    ""
                };
            let (request, expected) = match method.as_str() {
                "get" => (app.client.get(app.url(&concrete)), "200"),
                "post" if path.starts_with("/api/v1/incidents") => (
                    app.client
                        .post(app.url(&concrete))
                        .json(&serde_json::json!({"title": "Documented", "kind": "other", "description": "Seen in the gateway log"})),
                    "201",
                ),
                "post" if path == "/api/v1/scan" => (
                    app.client
                        .post(app.url(&concrete))
                        .json(&serde_json::json!({"text": "Documented", "tool": "claude-code", "team": "payments"})),
                    "200",
                ),
                "post" => (
                    app.client
                        .post(app.url(&concrete))
                        .json(&serde_json::json!({"team": "payments", "tool_name": "Documented", "category": "other", "distribution": "saas"})),
                    "201",
                ),
                other => panic!("{path}: no check for {other}"),
            };
            let caller = if path.starts_with("/api/v1/audit") {
                &admin_token
            } else {
                &token
            };
            let response = request.bearer_auth(caller).send().await.expect("request");
            assert_eq!(response.status().as_str(), expected, "{method} {concrete}");
            if method == "post" && path == "/api/v1/incidents" {
                let created: Value = response.json().await.expect("json");
                incident = created["number"].to_string();
            }
            assert!(
                operation["responses"][expected].is_object(),
                "{method} {path} documents its answer"
            );
            if !["/api/v1/me", "/api/v1/signing-key"].contains(&path) {
                for status in ["401", "403"] {
                    assert!(
                        operation["responses"][status].is_object(),
                        "{path} {status}"
                    );
                }
            }
        }
    }
    // Anything else under /api/v1 is a JSON 404.
    let response = app
        .client
        .get(app.url("/api/v1/nothing"))
        .bearer_auth(&token)
        .send()
        .await
        .expect("request");
    assert_eq!(response.status(), 404);
    let body: Value = response.json().await.expect("json");
    assert_eq!(body["error"]["code"], "not_found");
}
