//! `/pkg/portal.<hash>.<ext>`: the browser bundle under content-hashed names, cached by browsers
//! for a year (`immutable`) and answered `304 Not Modified` to a matching `If-None-Match`.
//! Precompressed copies (`.br`, `.gz` beside the file) are sent to browsers that accept them.
//! A name that is not the current content's answers 404: the page linking it is out of date.

use axum::extract::{Path, Request, State};
use axum::http::header::{CACHE_CONTROL, ETAG, IF_NONE_MATCH};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use tower::ServiceExt;
use tower_http::services::ServeFile;

use crate::startup::AppState;

const FOREVER: &str = "public, max-age=31536000, immutable";

pub async fn serve(
    State(state): State<AppState>,
    Path(requested): Path<String>,
    request: Request,
) -> Response {
    let files = &state.site_files;
    let Some(file) = files.find(&requested) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let Ok(etag) = HeaderValue::from_str(&file.etag) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let mut response = if matches(request.headers(), &file.etag) {
        StatusCode::NOT_MODIFIED.into_response()
    } else {
        match ServeFile::new(files.path(file))
            .precompressed_br()
            .precompressed_gzip()
            .oneshot(request)
            .await
        {
            Ok(response) => response.into_response(),
            Err(never) => match never {},
        }
    };
    if response.status().is_success() || response.status() == StatusCode::NOT_MODIFIED {
        let headers = response.headers_mut();
        headers.insert(ETAG, etag);
        headers.insert(CACHE_CONTROL, HeaderValue::from_static(FOREVER));
    }
    response
}

/// Whether `If-None-Match` names `etag` (weak or strong, or `*`).
fn matches(headers: &HeaderMap, etag: &str) -> bool {
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
