use app::domain::TokenScope;

use crate::helpers::{spawn_app, spawn_configured_app, test_options};

#[tokio::test]
async fn metrics_count_requests_by_route_template_and_status() {
    let app = spawn_app().await;
    for _ in 0..3 {
        assert_eq!(app.get("/healthz").await.status(), 200);
    }
    assert_eq!(app.get("/no/such/page").await.status(), 404);

    // On the main address only a token with the `metrics` scope reads them.
    assert_eq!(app.get("/metrics").await.status(), 401);
    app.create_user(
        "prom@example.com",
        "Prometheus",
        &[app::domain::Role::Admin],
    )
    .await;
    app.create_user("eve@example.com", "Eve", &[]).await;
    let not_an_admin = app
        .api_token_with("eve@example.com", TokenScope::Metrics, 30)
        .await;
    let read = app
        .api_token_with("prom@example.com", TokenScope::Read, 30)
        .await;
    let scrape = app
        .api_token_with("prom@example.com", TokenScope::Metrics, 30)
        .await;
    let with = |token: String| {
        app.client
            .get(app.url("/metrics"))
            .bearer_auth(token)
            .send()
    };
    assert_eq!(with(read).await.expect("request").status(), 403);
    assert_eq!(
        with(not_an_admin).await.expect("request").status(),
        403,
        "the token's holder must be an admin when it is used"
    );
    let response = with(scrape).await.expect("request");
    assert_eq!(response.status(), 200);
    let content_type = response.headers()["content-type"]
        .to_str()
        .expect("ascii")
        .to_owned();
    assert!(
        content_type.starts_with("text/plain; version=0.0.4"),
        "{content_type}"
    );
    let text = response.text().await.expect("text");

    assert!(text.contains("# TYPE portal_http_requests_total counter"));
    assert!(text
        .contains(r#"portal_http_requests_total{method="GET",route="/healthz",status="200"} 3"#));
    // Unknown URLs are grouped, never recorded as their own label values.
    assert!(
        text.contains(r#"route="unmatched",status="404"} 1"#),
        "{text}"
    );
    assert!(!text.contains("/no/such/page"));

    assert!(text.contains("# TYPE portal_http_request_duration_seconds histogram"));
    assert!(text.contains(
        r#"portal_http_request_duration_seconds_bucket{method="GET",route="/healthz",status="200",le="+Inf"} 3"#
    ));
    assert!(text.contains(
        r#"portal_http_request_duration_seconds_count{method="GET",route="/healthz",status="200"} 3"#
    ));
    assert!(text.contains(r#"portal_db_connections{state="idle"}"#));
    assert!(text.contains(r#"portal_build_info{version=""#));
}

#[tokio::test]
async fn a_separate_metrics_address_serves_them_without_a_token() {
    let mut options = test_options();
    options.metrics_address = Some("127.0.0.1:0".parse().expect("address"));
    let app = spawn_configured_app(options).await;
    assert_eq!(app.get("/healthz").await.status(), 200);
    let address = app.metrics_address.expect("bound");
    let response = app
        .client
        .get(format!("http://{address}/metrics"))
        .send()
        .await
        .expect("request");
    assert_eq!(response.status(), 200);
    let text = response.text().await.expect("text");
    assert!(
        text.contains(
            r#"portal_http_requests_total{method="GET",route="/healthz",status="200"} 1"#
        ),
        "the main address's counters: {text}"
    );
    // Nothing else is served there.
    let other = app
        .client
        .get(format!("http://{address}/healthz"))
        .send()
        .await
        .expect("request");
    assert_eq!(other.status(), 404);
    assert_eq!(
        app.get("/metrics").await.status(),
        401,
        "still closed on the main address"
    );
}
