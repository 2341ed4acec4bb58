//! Security headers on every response: pages, server functions, probes, assets and errors.
//!
//! Leptos pages set their own Content-Security-Policy carrying the per-response script nonce
//! (see `app::ui::shell`); every other response gets a policy that allows nothing.

use axum::extract::{Request, State};
use axum::http::header::{self, HeaderMap, HeaderName, HeaderValue};
use axum::middleware::Next;
use axum::response::Response;

/// Policy for responses that are not pages: they never need to load or run anything.
const LOCKED_DOWN_CSP: &str =
    "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

#[derive(Debug, Clone, Copy)]
pub struct HeaderPolicy {
    /// Send HSTS: only when the public URL is https (browsers ignore it over http anyway, and a
    /// development machine must stay reachable over http).
    pub hsts: bool,
}

impl HeaderPolicy {
    pub fn for_public_url(public_url: &str) -> Self {
        Self {
            hsts: public_url.starts_with("https://"),
        }
    }
}

fn set_if_absent(headers: &mut HeaderMap, name: HeaderName, value: &'static str) {
    headers
        .entry(name)
        .or_insert(HeaderValue::from_static(value));
}

pub async fn security_headers(
    State(policy): State<HeaderPolicy>,
    request: Request,
    next: Next,
) -> Response {
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    set_if_absent(headers, header::X_CONTENT_TYPE_OPTIONS, "nosniff");
    set_if_absent(headers, header::REFERRER_POLICY, "same-origin");
    set_if_absent(headers, header::X_FRAME_OPTIONS, "DENY");
    set_if_absent(
        headers,
        HeaderName::from_static("cross-origin-opener-policy"),
        "same-origin",
    );
    set_if_absent(headers, header::CONTENT_SECURITY_POLICY, LOCKED_DOWN_CSP);
    if policy.hsts {
        set_if_absent(
            headers,
            header::STRICT_TRANSPORT_SECURITY,
            "max-age=31536000; includeSubDomains",
        );
    }
    // Files from the site folder (they carry Last-Modified) may be cached but must be
    // revalidated, since their names do not change between releases; everything else is
    // dynamic and may hold private data, so it is never stored.
    let cache = if headers.contains_key(header::LAST_MODIFIED) {
        "no-cache"
    } else {
        "no-store"
    };
    set_if_absent(headers, header::CACHE_CONTROL, cache);
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hsts_only_for_https() {
        assert!(HeaderPolicy::for_public_url("https://ai.example.com").hsts);
        assert!(!HeaderPolicy::for_public_url("http://127.0.0.1:3000").hsts);
    }
}
