//! The browser bundle under content-hashed names: linked by every page, cached for a year,
//! revalidated by entity tag, sent precompressed, and never preloaded (a browser without
//! JavaScript must not download it).

use server::config::ServeOptions;

use crate::helpers::{linked, spawn_configured_app, test_options};

const GZIPPED: &[u8] = b"\x1f\x8b the compressed copy";

/// A site folder with a tiny bundle, and a gzip copy of its wasm.
fn site() -> tempfile::TempDir {
    let site = tempfile::tempdir().expect("dir");
    let pkg = site.path().join("pkg");
    std::fs::create_dir(&pkg).expect("pkg");
    std::fs::write(pkg.join("portal.css"), "body { color: black }").expect("css");
    std::fs::write(pkg.join("portal.js"), "export default async function () {}").expect("js");
    let wasm = b"\0asm\x01\0\0\0 a module for the test";
    std::fs::write(pkg.join("portal.wasm"), wasm).expect("wasm");
    // What precompress_site leaves beside it (the server sends it as it is).
    std::fs::write(pkg.join("portal.wasm.gz"), GZIPPED).expect("wasm.gz");
    site
}

#[tokio::test]
async fn pages_link_the_bundle_by_content_hash_and_browsers_keep_it_for_a_year() {
    let site = site();
    let app = spawn_configured_app(ServeOptions {
        site_root: site.path().to_owned(),
        ..test_options()
    })
    .await;
    let html = app
        .client
        .get(app.url("/sign-in"))
        .send()
        .await
        .expect("page")
        .text()
        .await
        .expect("html");
    assert!(!html.contains("rel=\"preload\""), "nothing is preloaded");
    assert!(!html.contains("modulepreload"), "nothing is preloaded");
    let css = linked(&html, ".css");
    let js = linked(&html, ".js");
    let wasm = linked(&html, ".wasm");
    for (url, extension) in [(&css, "css"), (&js, "js"), (&wasm, "wasm")] {
        let hash = url
            .strip_prefix("/pkg/portal.")
            .and_then(|rest| rest.strip_suffix(&format!(".{extension}")))
            .expect("portal.<hash>.<extension>");
        assert!(
            hash.len() == 16 && hash.bytes().all(|b| b.is_ascii_hexdigit()),
            "{url}"
        );
    }

    let response = app
        .client
        .get(app.url(&wasm))
        .header("accept-encoding", "gzip")
        .send()
        .await
        .expect("wasm");
    assert_eq!(response.status(), 200);
    let headers = response.headers().clone();
    assert_eq!(
        headers["cache-control"],
        "public, max-age=31536000, immutable"
    );
    assert_eq!(headers["content-encoding"], "gzip");
    assert_eq!(headers["content-type"], "application/wasm");
    assert_eq!(headers["vary"], "accept-encoding");
    let etag = headers["etag"].to_str().expect("etag").to_owned();
    assert_eq!(response.bytes().await.expect("body").as_ref(), GZIPPED);
    // The gzip copy is its own representation, with its own tag.
    let hash = &wasm["/pkg/portal.".len()..wasm.len() - ".wasm".len()];
    assert_eq!(etag, format!("\"{hash}-gz\""));

    let again = app
        .client
        .get(app.url(&wasm))
        .header("accept-encoding", "gzip")
        .header("if-none-match", &etag)
        .send()
        .await
        .expect("wasm");
    assert_eq!(again.status(), 304);
    assert_eq!(again.headers()["etag"], etag.as_str());
    assert!(again.bytes().await.expect("body").is_empty());
    // Without gzip the file itself, under the plain hash.
    let plain = app.client.get(app.url(&wasm)).send().await.expect("wasm");
    assert!(plain.headers().get("content-encoding").is_none());
    assert_eq!(plain.headers()["etag"], format!("\"{hash}\"").as_str());

    let plain = app.client.get(app.url(&css)).send().await.expect("css");
    assert_eq!(plain.status(), 200);
    assert_eq!(plain.text().await.expect("css"), "body { color: black }");

    // Another release's name, the plain name and anything else under /pkg are not this bundle.
    for other in [
        "/pkg/portal.0000000000000000.wasm",
        "/pkg/portal.wasm",
        "/pkg/portal.wasm.gz",
        "/pkg/..%2F..%2Fetc%2Fpasswd",
    ] {
        let response = app.client.get(app.url(other)).send().await.expect("get");
        assert_eq!(response.status(), 404, "{other}");
        assert_eq!(response.headers()["cache-control"], "no-store", "{other}");
    }
}
