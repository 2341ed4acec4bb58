//! Cross-site request forgery defence: a state-changing request must come from our own origin.
//!
//! Browsers send `Sec-Fetch-Site` (modern) and `Origin` (on every POST) and no page can forge
//! them. A request carrying neither is not from a browser form or script; it is refused only when
//! it carries a cookie, since only a cookie could make it act as a signed-in person. Requests
//! authenticated by a bearer token under `/api/v1` carry no ambient authority and are exempt.

use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::Json;

use std::net::IpAddr;

use app::backend::audit::tallies;
use app::backend::platform::services::Services;
use app::domain::{Actor, AuditAction};
use app::error::AppError;

use super::denials::client_address;

/// The scheme, host and port people reach the portal at, e.g. `https://ai.example.com`.
#[derive(Debug, Clone)]
pub struct AllowedOrigin(Arc<str>);

impl AllowedOrigin {
    /// The origin part of a public URL (anything after the authority is dropped).
    pub fn from_public_url(public_url: &str) -> Self {
        let after_scheme = public_url.find("://").map_or(0, |i| i + 3);
        let end = public_url[after_scheme..]
            .find('/')
            .map_or(public_url.len(), |i| after_scheme + i);
        Self(Arc::from(public_url[..end].to_ascii_lowercase()))
    }
}

/// Why a request was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    CrossSiteFetch,
    ForeignOrigin,
    NoOriginWithCookie,
}

/// The decision, from the request's headers alone.
pub fn check(headers: &HeaderMap, allowed: &AllowedOrigin) -> Result<(), Refusal> {
    let text = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    if let Some(site) = text("sec-fetch-site") {
        // "none": the person's own action (address bar, bookmark), not another site's.
        if !matches!(site, "same-origin" | "none") {
            return Err(Refusal::CrossSiteFetch);
        }
    }
    match text("origin") {
        Some(origin) if origin.eq_ignore_ascii_case(&allowed.0) => Ok(()),
        Some(_) => Err(Refusal::ForeignOrigin),
        None if text("sec-fetch-site").is_some() => Ok(()),
        None if headers.contains_key(header::COOKIE) => Err(Refusal::NoOriginWithCookie),
        None => Ok(()),
    }
}

fn is_state_changing(method: &Method) -> bool {
    !matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS)
}

fn is_bearer_api_call(request: &Request) -> bool {
    request.uri().path().starts_with("/api/v1/")
        && request
            .headers()
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("Bearer "))
}

/// What the check needs: the allowed origin, and the services to audit a refusal with.
#[derive(Clone)]
pub struct OriginCheck {
    pub allowed: AllowedOrigin,
    pub services: Services,
}

pub async fn check_origin(
    State(state): State<OriginCheck>,
    request: Request,
    next: Next,
) -> Response {
    if !is_state_changing(request.method()) || is_bearer_api_call(&request) {
        return next.run(request).await;
    }
    match check(request.headers(), &state.allowed) {
        Ok(()) => next.run(request).await,
        Err(refusal) => {
            let path = request.uri().path().to_owned();
            tracing::warn!(?refusal, %path, "cross-site request refused");
            let source = client_address(&state.services, &request);
            if let Err(error) = count_refusal(&state.services, &path, source).await {
                tracing::error!(?error, "could not count a cross-site refusal");
            }
            (StatusCode::FORBIDDEN, Json(AppError::Forbidden)).into_response()
        }
    }
}

/// Counted, not appended one by one: a page firing cross-site posts costs one audit event per
/// source and minute (`backend::audit::tallies`).
async fn count_refusal(
    services: &Services,
    path: &str,
    source: Option<IpAddr>,
) -> Result<(), AppError> {
    let mut conn = services.pool.acquire().await?;
    let now = services.clock.now();
    tallies::count(
        &mut conn,
        AuditAction::CrossSiteRefused,
        &Actor::Anonymous,
        source,
        path,
        now,
    )
    .await
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.insert(*name, HeaderValue::from_static(value));
        }
        map
    }

    fn ours() -> AllowedOrigin {
        AllowedOrigin::from_public_url("https://AI.example.com/portal/")
    }

    #[test]
    fn the_origin_is_scheme_host_and_port() {
        assert_eq!(&*ours().0, "https://ai.example.com");
        assert_eq!(
            &*AllowedOrigin::from_public_url("http://127.0.0.1:3000").0,
            "http://127.0.0.1:3000"
        );
    }

    #[test]
    fn same_origin_requests_pass() {
        let ok = [
            headers(&[("origin", "https://ai.example.com")]),
            headers(&[("sec-fetch-site", "same-origin")]),
            headers(&[
                ("sec-fetch-site", "same-origin"),
                ("origin", "https://ai.example.com"),
                ("cookie", "id=1"),
            ]),
            headers(&[("sec-fetch-site", "none")]),
            // Not a browser, and no cookie that could lend it authority.
            headers(&[]),
        ];
        for h in ok {
            assert_eq!(check(&h, &ours()), Ok(()), "{h:?}");
        }
    }

    #[test]
    fn cross_site_requests_are_refused() {
        let cases = [
            (
                headers(&[("origin", "https://evil.example")]),
                Refusal::ForeignOrigin,
            ),
            (headers(&[("origin", "null")]), Refusal::ForeignOrigin),
            (
                headers(&[("origin", "http://ai.example.com")]),
                Refusal::ForeignOrigin,
            ),
            (
                headers(&[("sec-fetch-site", "cross-site")]),
                Refusal::CrossSiteFetch,
            ),
            (
                headers(&[
                    ("sec-fetch-site", "same-site"),
                    ("origin", "https://ai.example.com"),
                ]),
                Refusal::CrossSiteFetch,
            ),
            (headers(&[("cookie", "id=1")]), Refusal::NoOriginWithCookie),
        ];
        for (h, refusal) in cases {
            assert_eq!(check(&h, &ours()), Err(refusal), "{h:?}");
        }
    }
}
