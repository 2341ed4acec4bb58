//! The scanner over the API: what an AI gateway or a browser extension calls before it forwards
//! a prompt, and the rule set for tools that scan locally (`server scan --portal`).

use std::net::SocketAddr;

use axum::extract::rejection::JsonRejection;
use axum::extract::{ConnectInfo, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use sha2::{Digest, Sha256};

use app::backend::platform::access::authorize;
use app::backend::platform::change::Change;
use app::backend::platform::services::forwarded_for;
use app::backend::scan::rules::load as load_rules;
use app::backend::scan::{scan_text, ScanRequest, ScanVia};
use app::domain::Permission;
use app::error::AppError;
use app::model::{ScanReport, ScanRules};

use super::openapi::ErrorBody;
use super::{ApiError, ApiPrincipal};
use crate::middleware::forget_caches::ChangedNothing;
use crate::startup::AppState;

/// The largest body `POST /api/v1/scan` reads: 1 MiB.
pub const BODY_LIMIT: usize = 1024 * 1024;

/// `POST /api/v1/scan` `{"text", "tool"?, "team"?}`: what the organization's detectors find in
/// the text and, given a tool and a team, whether the text may go into that tool. The text is
/// not stored or logged; the audit log records the size and the counts per class.
#[utoipa::path(
    post,
    path = "/scan",
    tag = "scanner",
    request_body = ScanRequest,
    responses(
        (status = 200, description = "The findings, and the verdict when a tool and team were given", body = ScanReport),
        (status = 400, description = "The body is not JSON", body = ErrorBody),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 403, description = "A second factor must be set up first", body = ErrorBody),
        (status = 413, description = "The body is larger than 1 MiB", body = ErrorBody),
        (status = 422, description = "A field is wrong or names nothing; `field` says which", body = ErrorBody),
    )
)]
pub async fn scan(
    State(state): State<AppState>,
    ApiPrincipal(principal): ApiPrincipal,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    json: Result<Json<ScanRequest>, JsonRejection>,
) -> Result<(Extension<ChangedNothing>, Json<ScanReport>), ApiError> {
    authorize(&principal, Permission::ViewRegistry)?;
    let request = match json {
        Err(rejection) if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE => {
            return Err(ApiError(AppError::TooLarge {
                message: "The body is larger than 1 MiB: scan the text in parts, or locally with `server scan`.".into(),
            }));
        }
        other => super::body(other)?,
    };
    let now = state.services.clock.now();
    let source = state
        .services
        .client_address(Some(peer.ip()), forwarded_for(&headers).as_deref());
    let change = Change::by(&principal, source, now)?;
    let report = scan_text(&state.services, &principal, &change, &request, ScanVia::Api).await?;
    Ok((Extension(ChangedNothing), Json(report)))
}

/// `GET /api/v1/scan/rules`: every detector in force with its class, and the rule set's
/// version. Answers `304 Not Modified` to an `If-None-Match` holding the current ETag.
#[utoipa::path(
    get,
    path = "/scan/rules",
    tag = "scanner",
    responses(
        (status = 200, description = "The rule set, with an ETag", body = ScanRules),
        (status = 304, description = "Unchanged since the ETag sent"),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 403, description = "A second factor must be set up first", body = ErrorBody),
    )
)]
pub async fn rules(
    State(state): State<AppState>,
    ApiPrincipal(principal): ApiPrincipal,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    authorize(&principal, Permission::ViewRegistry)?;
    let rules = load_rules(&state.pool).await?;
    let body = serde_json::to_vec(&rules).map_err(|error| {
        tracing::error!(%error, "serializing the scan rules");
        ApiError(AppError::Internal)
    })?;
    // The version moves with every detector saved; the hash also covers class changes.
    let digest = Sha256::digest(&body);
    let etag = format!(
        "\"rules-{}-{}\"",
        rules.version,
        digest[..8]
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect::<String>()
    );
    let fresh = crate::bundle::matches(&headers, &etag);
    let etag_header = HeaderValue::from_str(&etag).map_err(|_| ApiError(AppError::Internal))?;
    let cache = HeaderValue::from_static("private, no-cache");
    if fresh {
        return Ok((
            StatusCode::NOT_MODIFIED,
            [(header::ETAG, etag_header), (header::CACHE_CONTROL, cache)],
        )
            .into_response());
    }
    Ok((
        [
            (header::ETAG, etag_header),
            (header::CACHE_CONTROL, cache),
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/json"),
            ),
        ],
        body,
    )
        .into_response())
}
