use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::Json;
use serde::Deserialize;

use app::api::{PolicyAnswer, ToolDetail, ToolPage};
use app::backend::access::authorize;
use app::backend::tools::{self, ToolQuery};
use app::domain::{Day, Permission};
use app::error::AppError;

use super::{ApiError, ApiPrincipal};
use crate::startup::AppState;

/// A query string that does not parse is the client's mistake: 400 with the envelope.
fn parsed<T>(query: Result<Query<T>, QueryRejection>) -> Result<T, ApiError> {
    query.map(|Query(query)| query).map_err(|rejection| {
        ApiError(AppError::BadRequest {
            message: format!("The query string is malformed: {}", rejection.body_text()),
        })
    })
}

/// `GET /api/v1/tools?q=&status=&category=&page=`: the registry, best matches first.
pub async fn list(
    State(state): State<AppState>,
    ApiPrincipal(principal): ApiPrincipal,
    query: Result<Query<ToolQuery>, QueryRejection>,
) -> Result<Json<ToolPage>, ApiError> {
    authorize(&principal, Permission::ViewRegistry)?;
    let query = parsed(query)?;
    Ok(Json(tools::search(&state.pool, &query).await?))
}

/// `GET /api/v1/tools/{slug}`: one tool, everything the registry holds about it.
pub async fn detail(
    State(state): State<AppState>,
    ApiPrincipal(principal): ApiPrincipal,
    Path(slug): Path<String>,
) -> Result<Json<ToolDetail>, ApiError> {
    authorize(&principal, Permission::ViewRegistry)?;
    Ok(Json(tools::detail(&state.pool, &slug).await?))
}

#[derive(Debug, Deserialize)]
pub struct CheckQuery {
    tool: String,
    data_class: String,
    team: String,
}

/// `GET /api/v1/policy/check?tool=&data_class=&team=`: may this team use this tool with this
/// data, and why.
pub async fn check(
    State(state): State<AppState>,
    ApiPrincipal(principal): ApiPrincipal,
    query: Result<Query<CheckQuery>, QueryRejection>,
) -> Result<Json<PolicyAnswer>, ApiError> {
    authorize(&principal, Permission::ViewRegistry)?;
    let query = parsed(query)?;
    let today = Day::parse(&state.services.clock.now().format("%Y-%m-%d").to_string())
        .map_err(|_| AppError::Internal)?;
    Ok(Json(
        tools::check(
            &state.pool,
            &query.tool,
            &query.data_class,
            &query.team,
            today,
        )
        .await?,
    ))
}
