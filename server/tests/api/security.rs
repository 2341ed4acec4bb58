//! Security headers and the cross-site request check, over real HTTP.

use reqwest::Response;
use serde_json::Value;

use crate::helpers::{linked, spawn_app, spawn_configured_app, test_options, TestApp};

fn header<'a>(response: &'a Response, name: &str) -> &'a str {
    response
        .headers()
        .get(name)
        .unwrap_or_else(|| panic!("{name} missing"))
        .to_str()
        .expect("ascii")
}

fn assert_baseline_headers(response: &Response) {
    assert_eq!(header(response, "x-content-type-options"), "nosniff");
    assert_eq!(header(response, "x-frame-options"), "DENY");
    assert_eq!(header(response, "referrer-policy"), "same-origin");
    assert_eq!(
        header(response, "cross-origin-opener-policy"),
        "same-origin"
    );
    let csp = header(response, "content-security-policy");
    assert!(csp.contains("frame-ancestors 'none'"), "{csp}");
    assert!(csp.contains("base-uri 'none'"), "{csp}");
}

async fn post_function(app: &TestApp, headers: &[(&str, &str)]) -> Response {
    let mut request = app.client.post(app.url("/api/setup_status"));
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    request.send().await.expect("request")
}

#[tokio::test]
async fn pages_carry_a_nonce_based_content_security_policy() {
    let app = spawn_app().await;
    let response = app.get("/sign-in").await;
    assert_baseline_headers(&response);
    assert_eq!(header(&response, "cache-control"), "no-store");
    let csp = header(&response, "content-security-policy").to_owned();
    assert!(csp.contains("object-src 'none'"), "{csp}");
    assert!(csp.contains("'wasm-unsafe-eval'"), "{csp}");
    assert!(!csp.contains("unsafe-inline"), "{csp}");
    let nonce = csp
        .split("'nonce-")
        .nth(1)
        .and_then(|rest| rest.split('\'').next())
        .expect("a nonce in the policy")
        .to_owned();
    let html = response.text().await.expect("html");
    assert!(
        html.contains(&format!("nonce=\"{nonce}\"")),
        "the inline scripts carry the policy's nonce"
    );

    // A fresh nonce for every response.
    let again = app.get("/sign-in").await;
    assert!(!header(&again, "content-security-policy").contains(&nonce));
}

#[tokio::test]
async fn every_kind_of_response_carries_the_headers() {
    let site = tempfile::tempdir().expect("tempdir");
    std::fs::create_dir_all(site.path().join("pkg")).expect("mkdir");
    std::fs::write(site.path().join("pkg/portal.css"), "body{}").expect("write");
    std::fs::write(site.path().join("favicon.svg"), "<svg/>").expect("write");
    let mut options = test_options();
    options.site_root = site.path().to_owned();
    let app = spawn_configured_app(options).await;

    let not_found = app.get("/no/such/page").await;
    assert_eq!(not_found.status(), 404);
    assert_baseline_headers(&not_found);
    assert!(header(&not_found, "content-security-policy").contains("'nonce-"));

    let probe = app.get("/healthz").await;
    assert_baseline_headers(&probe);
    assert_eq!(header(&probe, "cache-control"), "no-store");
    assert!(header(&probe, "content-security-policy").starts_with("default-src 'none'"));

    let server_fn = post_function(&app, &[]).await;
    assert_eq!(server_fn.status(), 200);
    assert_baseline_headers(&server_fn);
    assert_eq!(header(&server_fn, "cache-control"), "no-store");

    // A file of the site folder keeps its name between releases: revalidated at each use…
    let asset = app.get("/favicon.svg").await;
    assert_eq!(asset.status(), 200);
    assert_baseline_headers(&asset);
    assert_eq!(header(&asset, "cache-control"), "no-cache");
    // …while the bundle's name changes with its content: kept for good.
    let page = app.get("/sign-in").await.text().await.expect("html");
    let css = linked(&page, ".css");
    let bundle = app.get(&css).await;
    assert_eq!(bundle.status(), 200);
    assert_baseline_headers(&bundle);
    assert_eq!(
        header(&bundle, "cache-control"),
        "public, max-age=31536000, immutable"
    );

    // Over plain http there is no HSTS.
    assert!(asset.headers().get("strict-transport-security").is_none());
}

#[tokio::test]
async fn the_bundle_is_never_compressed_on_the_fly() {
    // No precompressed copy beside it (bundle::… checks that one is sent when there is).
    let site = tempfile::tempdir().expect("tempdir");
    std::fs::create_dir_all(site.path().join("pkg")).expect("mkdir");
    std::fs::write(site.path().join("pkg/portal.wasm"), vec![0u8; 4096]).expect("write");
    let mut options = test_options();
    options.site_root = site.path().to_owned();
    let app = spawn_configured_app(options).await;

    let fetch = |path: String| {
        let request = app
            .client
            .get(app.url(&path))
            .header("accept-encoding", "gzip, br");
        async move { request.send().await.expect("request") }
    };
    // Pages are compressed.
    let page = fetch("/sign-in".into()).await;
    assert!(page.headers().get("content-encoding").is_some());
    let html = app
        .client
        .get(app.url("/sign-in"))
        .send()
        .await
        .expect("page")
        .text()
        .await
        .expect("html");
    let wasm = linked(&html, ".wasm");

    let plain = fetch(wasm).await;
    assert_eq!(plain.status(), 200);
    assert!(plain.headers().get("content-encoding").is_none());
    assert_eq!(plain.bytes().await.expect("body").len(), 4096);
}

#[tokio::test]
async fn hsts_is_sent_when_the_public_url_is_https() {
    let mut options = test_options();
    options.public_url = Some("https://ai.example.com".into());
    let app = spawn_configured_app(options).await;
    let response = app.get("/healthz").await;
    assert_eq!(
        header(&response, "strict-transport-security"),
        "max-age=31536000; includeSubDomains"
    );
    // The allowed origin follows the public URL.
    let ok = post_function(&app, &[("origin", "https://ai.example.com")]).await;
    assert_eq!(ok.status(), 200);
    let refused = post_function(&app, &[("origin", &app.address)]).await;
    assert_eq!(refused.status(), 403);
}

#[tokio::test]
async fn cross_site_posts_are_refused() {
    let app = spawn_app().await;
    let refused = [
        vec![("origin", "https://evil.example")],
        vec![("origin", "null")],
        vec![("sec-fetch-site", "cross-site")],
        vec![
            ("sec-fetch-site", "same-site"),
            ("origin", "https://evil.example"),
        ],
        vec![("cookie", "id=stolen")],
    ];
    let attempts = refused.len();
    for headers in refused {
        let response = post_function(&app, &headers).await;
        assert_eq!(response.status(), 403, "{headers:?}");
        assert_baseline_headers(&response);
        let body: Value = response.json().await.expect("json");
        assert_eq!(body["code"], "forbidden", "{headers:?}");
    }
    // Refusals are counted, not appended one by one: once the minute is over they become one
    // event with the count, the path and the client address.
    assert_eq!(audited_refusals(&app).await, vec![]);
    app::backend::audit::tallies::flush(&app.pool, app.now() + chrono::Duration::minutes(1))
        .await
        .expect("flush");
    let audited = audited_refusals(&app).await;
    assert_eq!(audited.len(), 1, "{audited:?}");
    let (target, payload) = &audited[0];
    assert_eq!(target, "/api/setup_status");
    let record: Value = serde_json::from_str(payload).expect("json");
    assert_eq!(record["after"]["count"], attempts);
    assert_eq!(record["source"], "127.0.0.1");
}

async fn audited_refusals(app: &TestApp) -> Vec<(String, String)> {
    sqlx::query_as(
        "SELECT target, payload FROM audit_events WHERE action = 'security.cross_site_refused'",
    )
    .fetch_all(&app.pool)
    .await
    .expect("audit")
}

#[tokio::test]
async fn same_origin_posts_and_all_reads_pass() {
    let app = spawn_app().await;
    let origin = app.address.clone();
    let allowed = [
        vec![("origin", origin.as_str())],
        vec![
            ("sec-fetch-site", "same-origin"),
            ("origin", origin.as_str()),
        ],
        vec![("sec-fetch-site", "same-origin"), ("cookie", "id=1")],
        vec![],
    ];
    for headers in allowed {
        let response = post_function(&app, &headers).await;
        assert_eq!(response.status(), 200, "{headers:?}");
    }
    // Reads are never state changes, whatever their origin.
    let read = app
        .client
        .get(app.url("/sign-in"))
        .header("origin", "https://evil.example")
        .header("sec-fetch-site", "cross-site")
        .send()
        .await
        .expect("request");
    assert_eq!(read.status(), 200);
}
