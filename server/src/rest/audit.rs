//! `/api/v1/audit`: the audit log for SIEMs — its events with the hashes that chain them, its
//! verification, and the signed checkpoints. Admins only (`Permission::ViewAuditLog`).

use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::{header, HeaderMap, HeaderValue};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;
use utoipa::IntoParams;

use app::backend::audit;
use app::backend::platform::access::authorize;
use app::domain::checkpoint::SignedCheckpoint;
use app::domain::Permission;
use app::error::{AppError, OrInternal};
use app::model::{AuditVerification, ExportPage};

use super::openapi::ErrorBody;
use super::{parsed, ApiError, ApiPrincipal};
use crate::startup::AppState;

const MAX_LIMIT: i64 = 10_000;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct After {
    /// Events (or checkpoints) after this sequence number; 0 (the default): from the first.
    #[serde(default)]
    #[param(minimum = 0)]
    pub after: i64,
    /// How many at most, 1 to 10000; default 1000.
    #[serde(default)]
    #[param(minimum = 1, maximum = 10000)]
    pub limit: Option<i64>,
}

impl After {
    fn checked(self) -> Result<(i64, i64), AppError> {
        if self.after < 0 {
            return Err(AppError::invalid("after", "must be 0 or more"));
        }
        let limit = self.limit.unwrap_or(1000);
        if !(1..=MAX_LIMIT).contains(&limit) {
            return Err(AppError::invalid("limit", "must be from 1 to 10000"));
        }
        Ok((self.after, limit))
    }
}

/// `GET /api/v1/audit?after={seq}&limit=`: events oldest first, each with its exact payload and
/// the hashes chaining it. `Accept: application/x-ndjson` gives one JSON object per line
/// (continue with `after` = the last `seq`); otherwise a JSON page with `next_after`.
#[utoipa::path(
    get,
    path = "/audit",
    tag = "audit",
    params(After),
    responses(
        (status = 200, description = "A page of events (or NDJSON lines of them)", body = ExportPage),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 403, description = "Not an admin", body = ErrorBody),
        (status = 422, description = "`after` or `limit` out of range; `field` names it", body = ErrorBody),
    )
)]
pub async fn events(
    State(state): State<AppState>,
    ApiPrincipal(principal): ApiPrincipal,
    headers: HeaderMap,
    query: Result<Query<After>, QueryRejection>,
) -> Result<Response, ApiError> {
    authorize(&principal, Permission::ViewAuditLog)?;
    let (after, limit) = parsed(query)?.checked()?;
    let events = audit::export(&state.pool, after, limit).await?;
    let ndjson = headers
        .get(header::ACCEPT)
        .and_then(|accept| accept.to_str().ok())
        .is_some_and(|accept| accept.contains("application/x-ndjson"));
    if ndjson {
        let mut body = String::new();
        for event in &events {
            body.push_str(&serde_json::to_string(event).or_internal("serializing an audit event")?);
            body.push('\n');
        }
        let mut response = body.into_response();
        response.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/x-ndjson"),
        );
        return Ok(response);
    }
    let full = i64::try_from(events.len()).unwrap_or(i64::MAX) == limit;
    let next_after = full.then(|| events.last().map(|e| e.seq)).flatten();
    Ok(Json(ExportPage { events, next_after }).into_response())
}

/// `GET /api/v1/audit/verify`: the chain re-computed from its first event and held against
/// the signed checkpoints kept in the database.
#[utoipa::path(
    get,
    path = "/audit/verify",
    tag = "audit",
    responses(
        (status = 200, description = "The verification; `intact` is false when any event or checkpoint does not hold", body = AuditVerification),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 403, description = "Not an admin", body = ErrorBody),
    )
)]
pub async fn verify(
    State(state): State<AppState>,
    ApiPrincipal(principal): ApiPrincipal,
) -> Result<Json<AuditVerification>, ApiError> {
    authorize(&principal, Permission::ViewAuditLog)?;
    let keys = &state.services.signing_keys;
    Ok(Json(
        audit::checkpoints::verification(&state.pool, Some(keys), &[]).await?,
    ))
}

/// `GET /api/v1/audit/checkpoints?after={seq}&limit=`: the signed checkpoints, oldest first.
/// Each `payload` is the canonical JSON {checkpoint_version, seq, head_hash, taken_at, key_id}
/// that `signature` (Ed25519, base64) signs with key `key_id` (`GET /api/v1/signing-key`).
#[utoipa::path(
    get,
    path = "/audit/checkpoints",
    tag = "audit",
    params(After),
    responses(
        (status = 200, description = "Signed checkpoints", body = [SignedCheckpoint]),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 403, description = "Not an admin", body = ErrorBody),
        (status = 422, description = "`after` or `limit` out of range; `field` names it", body = ErrorBody),
    )
)]
pub async fn checkpoints(
    State(state): State<AppState>,
    ApiPrincipal(principal): ApiPrincipal,
    query: Result<Query<After>, QueryRejection>,
) -> Result<Json<Vec<SignedCheckpoint>>, ApiError> {
    authorize(&principal, Permission::ViewAuditLog)?;
    let (after, limit) = parsed(query)?.checked()?;
    Ok(Json(
        audit::checkpoints::list(&state.pool, after, limit).await?,
    ))
}
