//! Refused authorizations — a 403, and the 404 that hides an object from someone who may not
//! see it — are audited as `access.denied`, counted per actor, source and minute: through server
//! functions, the JSON API and the CSV downloads alike. A 404 for what does not exist is not a
//! refusal.

use serde_json::Value;

use crate::helpers::{spawn_app, TestApp};

async fn denials(app: &TestApp) -> Vec<Value> {
    sqlx::query_scalar::<_, String>(
        "SELECT payload FROM audit_events WHERE action = 'access.denied' ORDER BY seq",
    )
    .fetch_all(&app.pool)
    .await
    .expect("audit")
    .iter()
    .map(|payload| serde_json::from_str(payload).expect("json"))
    .collect()
}

#[tokio::test]
async fn refusals_and_hidden_objects_are_audited_as_access_denied_and_counted() {
    let app = spawn_app().await;
    app.load_demo().await;
    let eve = app.signed_in("eve@example.com", &[]).await;
    let token = app.api_token("eve@example.com").await;
    // A demo request Eve has nothing to do with: not hers, not her team's.
    let number: i64 = sqlx::query_scalar("SELECT min(number) FROM tool_requests")
        .fetch_one(&app.pool)
        .await
        .expect("a demo request");
    let number = number.to_string();

    // Hidden: the same answer as a number that does not exist…
    let (status, hidden) = app
        .call_json("request", &[("number", &number)], Some(&eve.cookie))
        .await;
    let (missing_status, missing) = app
        .call_json("request", &[("number", "99999")], Some(&eve.cookie))
        .await;
    assert_eq!((status, missing_status), (404, 404));
    assert_eq!(
        hidden, missing,
        "nothing tells a hidden request from a missing one"
    );
    let api = |path: String| app.client.get(app.url(&path)).bearer_auth(&token).send();
    let hidden_api = api(format!("/api/v1/requests/{number}"))
        .await
        .expect("request");
    let missing_api = api("/api/v1/requests/99999".into()).await.expect("request");
    assert_eq!(
        (hidden_api.status().as_u16(), missing_api.status().as_u16()),
        (404, 404)
    );
    assert_eq!(
        hidden_api.text().await.expect("body"),
        missing_api.text().await.expect("body")
    );
    // …and plain refusals.
    let (status, _) = app
        .call_json("admin/verify_audit", &[], Some(&eve.cookie))
        .await;
    assert_eq!(status, 403);
    assert_eq!(
        api("/api/v1/audit".into()).await.expect("request").status(),
        403
    );
    assert_eq!(app.page("/dashboard.csv", &eve.cookie).await.status(), 403);

    // Counted (after each answer has left) while the minute runs; one event per actor, source
    // and minute once it is over.
    assert!(denials(&app).await.is_empty());
    for _ in 0..100 {
        let counted: i64 = sqlx::query_scalar(
            "SELECT COALESCE(sum(count), 0)::bigint FROM audit_tallies WHERE action = 'access.denied'",
        )
        .fetch_one(&app.pool)
        .await
        .expect("tallies");
        if counted >= 5 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    app::backend::audit::tallies::flush(&app.pool, app.now() + chrono::Duration::minutes(1))
        .await
        .expect("flush");
    let events = denials(&app).await;
    assert!(!events.is_empty() && events.len() <= 2, "{events:?}");
    let counted: i64 = events
        .iter()
        .map(|event| event["after"]["count"].as_i64().expect("count"))
        .sum();
    assert_eq!(
        counted, 5,
        "two hidden requests, three refusals; missing ones are not counted"
    );
    let targets: Vec<&str> = events
        .iter()
        .flat_map(|event| event["after"]["targets"].as_array().expect("targets"))
        .map(|target| target.as_str().expect("text"))
        .collect();
    assert!(
        targets.contains(&format!("/api/v1/requests/{number}").as_str()),
        "{targets:?}"
    );
    assert!(targets.contains(&"/dashboard.csv"), "{targets:?}");
    for event in &events {
        assert_eq!(event["actor"]["email"], "eve@example.com");
        assert_eq!(event["source"], "127.0.0.1");
    }
}
