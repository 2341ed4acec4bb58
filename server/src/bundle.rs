//! `/pkg/portal.<hash>.<ext>`: the browser bundle under content-hashed names, cached by browsers
//! for a year (`immutable`) and answered `304 Not Modified` to a matching `If-None-Match`.
//! The gzip copy beside a file (`precompress_site`) is sent to browsers that accept it, under an
//! entity tag of its own, with `Vary: Accept-Encoding` for shared caches.
//! A name that is not the current content's answers 404: the page linking it is out of date.

use axum::extract::{Path, Request, State};
use axum::http::header::{
    ACCEPT_ENCODING, CACHE_CONTROL, ETAG, IF_MODIFIED_SINCE, IF_NONE_MATCH, VARY,
};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use tower::ServiceExt;
use tower_http::services::ServeFile;

use crate::startup::AppState;

const FOREVER: &str = "public, max-age=31536000, immutable";

pub async fn serve(
    State(state): State<AppState>,
    Path(requested): Path<String>,
    mut request: Request,
) -> Response {
    let files = &state.site_files;
    let Some(file) = files.find(&requested) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let path = files.path(file);
    // Replaced since the server hashed it (a build under a running server): the name no longer
    // says what the content is, so nothing may keep it.
    let current = std::fs::metadata(&path).is_ok_and(|meta| file.unchanged(&meta));
    if !current {
        return StatusCode::NOT_FOUND.into_response();
    }
    // The gzip copy is another representation: its own tag, and caches key on the encoding.
    let gzip = file.gzip && accepts_gzip(request.headers());
    let etag = format!("\"{}{}\"", file.hash, if gzip { "-gz" } else { "" });
    let mut response = if matches(request.headers(), &etag) {
        StatusCode::NOT_MODIFIED.into_response()
    } else {
        // The entity tag decides revalidation (RFC 9110: If-Modified-Since is then ignored).
        request.headers_mut().remove(IF_MODIFIED_SINCE);
        let serve = ServeFile::new(path);
        let serve = if gzip {
            serve.precompressed_gzip()
        } else {
            serve
        };
        match serve.oneshot(request).await {
            Ok(response) => response.into_response(),
            Err(never) => match never {},
        }
    };
    if response.status().is_success() || response.status() == StatusCode::NOT_MODIFIED {
        let headers = response.headers_mut();
        if let Ok(etag) = HeaderValue::from_str(&etag) {
            headers.insert(ETAG, etag);
        }
        headers.insert(CACHE_CONTROL, HeaderValue::from_static(FOREVER));
        headers.insert(VARY, HeaderValue::from_static("accept-encoding"));
    }
    response
}

/// Whether the client takes gzip (`Accept-Encoding`, a q of zero refusing it).
fn accepts_gzip(headers: &HeaderMap) -> bool {
    headers
        .get_all(ACCEPT_ENCODING)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(','))
        .any(|coding| {
            let mut parts = coding.split(';').map(str::trim);
            let gzip = parts
                .next()
                .is_some_and(|name| name.eq_ignore_ascii_case("gzip"));
            let refused = parts
                .filter_map(|param| param.strip_prefix("q="))
                .any(|q| q.trim().parse::<f32>().is_ok_and(|q| q <= 0.0));
            gzip && !refused
        })
}

/// Whether `If-None-Match` names `etag` (weak or strong, or `*`).
pub(crate) fn matches(headers: &HeaderMap, etag: &str) -> bool {
    headers
        .get_all(IF_NONE_MATCH)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(','))
        .map(|tag| tag.trim().trim_start_matches("W/"))
        .any(|tag| tag == etag || tag == "*")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gzip_is_taken_unless_refused() {
        let with = |value: &'static str| {
            let mut headers = HeaderMap::new();
            headers.insert(ACCEPT_ENCODING, HeaderValue::from_static(value));
            accepts_gzip(&headers)
        };
        assert!(with("gzip, deflate, br"));
        assert!(with("br;q=1.0, GZIP;q=0.5"));
        assert!(!with("gzip;q=0"));
        assert!(!with("gzip; q=0.000"));
        assert!(!with("br, identity"));
        assert!(!accepts_gzip(&HeaderMap::new()));
    }

    #[test]
    fn if_none_match_lists_are_read_weak_or_strong() {
        let mut headers = HeaderMap::new();
        assert!(!matches(&headers, "\"ab\""));
        headers.insert(IF_NONE_MATCH, HeaderValue::from_static("\"x\", W/\"ab\""));
        assert!(matches(&headers, "\"ab\""));
        assert!(!matches(&headers, "\"abc\""));
        headers.insert(IF_NONE_MATCH, HeaderValue::from_static("*"));
        assert!(matches(&headers, "\"ab\""));
    }
}
