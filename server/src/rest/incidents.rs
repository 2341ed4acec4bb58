use std::net::SocketAddr;

use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::extract::{ConnectInfo, Path, Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::IntoResponse;
use axum::Json;
use serde::Deserialize;
use utoipa::ToSchema;

use app::backend::incidents;
use app::backend::platform::access::authorize;
use app::backend::platform::change::Change;
use app::backend::platform::services::forwarded_for;
use app::domain::incidents::IncidentForm;
use app::domain::Permission;
use app::error::AppError;
use app::model::{IncidentDetail, IncidentQuery, IncidentSummary};

use super::openapi::ErrorBody;
use super::{body, parsed, ApiError, ApiPrincipal, ApiWriter};
use crate::startup::AppState;

/// A new incident, as a gateway, a SIEM or a person's script reports it.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct NewIncident {
    /// One line, at most 200 characters.
    pub title: String,
    /// `tool_compromised`, `malicious_package`, `data_sent`, `harmful_output`,
    /// `vendor_breach` or `other`.
    pub kind: String,
    /// What happened, at most 8000 characters.
    pub description: String,
    /// When it happened, RFC 3339 (`2026-12-06T09:30:00Z`); now when left out.
    pub occurred_at: Option<String>,
    /// Slugs of the AI tools involved.
    pub tools: Vec<String>,
    /// Slugs of the data classes that may be affected.
    pub data_classes: Vec<String>,
    /// Slugs of the teams that may be affected; their managers can follow the incident.
    pub teams: Vec<String>,
}

/// `POST /api/v1/incidents`: reports an incident; reviewers and admins are told at once.
#[utoipa::path(
    post,
    path = "/incidents",
    tag = "incidents",
    request_body = NewIncident,
    responses(
        (status = 201, description = "Reported; `Location` names it", body = IncidentDetail),
        (status = 400, description = "Not JSON", body = ErrorBody),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 403, description = "A read-only token, or a second factor must be set up first", body = ErrorBody),
        (status = 422, description = "A field is wrong or missing; `field` names it", body = ErrorBody),
        (status = 429, description = "Too many incidents reported within the hour", body = ErrorBody),
    )
)]
pub async fn create(
    State(state): State<AppState>,
    ApiWriter(principal): ApiWriter,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    json: Result<Json<NewIncident>, JsonRejection>,
) -> Result<impl IntoResponse, ApiError> {
    authorize(&principal, Permission::ReportIncidents)?;
    let incident = body(json)?;
    let form = IncidentForm {
        title: incident.title,
        kind: incident.kind,
        description: incident.description,
        occurred_at: incident.occurred_at.unwrap_or_default(),
        tools: incident.tools,
        data_classes: incident.data_classes,
        teams: incident.teams,
    };
    let now = state.services.clock.now();
    let source = state
        .services
        .client_address(Some(peer.ip()), forwarded_for(&headers).as_deref());
    let change = Change::by(&principal, source, now)?;
    let number = incidents::report(&state.pool, &principal, &change, &form).await?;
    let detail = incidents::detail(&state.pool, &principal, number, now).await?;
    Ok((
        StatusCode::CREATED,
        [(header::LOCATION, format!("/api/v1/incidents/{number}"))],
        Json(detail),
    ))
}

/// `GET /api/v1/incidents?status=&tool=`: the incidents the token's owner may see, newest
/// first (reviewers and admins: all; managers: those naming their teams; everyone: their own).
#[utoipa::path(
    get,
    path = "/incidents",
    tag = "incidents",
    params(IncidentQuery),
    responses(
        (status = 200, description = "Matching incidents, newest first (at most 200)", body = Vec<IncidentSummary>),
        (status = 400, description = "Malformed query string", body = ErrorBody),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 403, description = "A second factor must be set up first", body = ErrorBody),
        (status = 422, description = "A filter value is not allowed; `field` names it", body = ErrorBody),
    )
)]
pub async fn list(
    State(state): State<AppState>,
    ApiPrincipal(principal): ApiPrincipal,
    query: Result<Query<IncidentQuery>, QueryRejection>,
) -> Result<Json<Vec<IncidentSummary>>, ApiError> {
    authorize(&principal, Permission::ReportIncidents)?;
    let query = parsed(query)?;
    Ok(Json(
        incidents::list(&state.pool, &principal, &query).await?,
    ))
}

/// `GET /api/v1/incidents/{id}`: one incident with its timeline, for whoever may see it;
/// anyone else gets 404.
#[utoipa::path(
    get,
    path = "/incidents/{id}",
    tag = "incidents",
    params(("id" = i64, Path, description = "The incident's number, e.g. 3")),
    responses(
        (status = 200, description = "The incident with its review, follow-ups and timeline", body = IncidentDetail),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 403, description = "A second factor must be set up first", body = ErrorBody),
        (status = 404, description = "No such incident, or not yours to see", body = ErrorBody),
    )
)]
pub async fn detail(
    State(state): State<AppState>,
    ApiPrincipal(principal): ApiPrincipal,
    Path(id): Path<String>,
) -> Result<Json<IncidentDetail>, ApiError> {
    authorize(&principal, Permission::ReportIncidents)?;
    let number: i64 = id.parse().map_err(|_| ApiError(AppError::NotFound))?;
    let now = state.services.clock.now();
    Ok(Json(
        incidents::detail(&state.pool, &principal, number, now).await?,
    ))
}
