use crate::helpers::spawn_app;

#[tokio::test]
async fn metrics_count_requests_by_route_template_and_status() {
    let app = spawn_app().await;
    for _ in 0..3 {
        assert_eq!(app.get("/healthz").await.status(), 200);
    }
    assert_eq!(app.get("/no/such/page").await.status(), 404);

    let response = app.get("/metrics").await;
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
