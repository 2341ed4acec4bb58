use std::time::Instant;

use axum::body::Bytes;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;

use app::backend::platform::access::authorize;
use app::backend::platform::notified::Cache;
use app::backend::registry::tools::{self, ToolQuery};
use app::domain::Day;
use app::domain::Permission;
use app::error::OrInternal;
use app::model::{PolicyAnswer, ToolDetail, ToolPage};

use super::openapi::ErrorBody;
use super::{parsed, ApiError, ApiPrincipal};
use crate::startup::AppState;

/// `GET /api/v1/tools?q=&status=&category=&data_class=&team=&page=`: the registry, best
/// matches first.
#[utoipa::path(
    get,
    path = "/tools",
    tag = "registry",
    params(ToolQuery),
    responses(
        (status = 200, description = "One page of matching tools", body = ToolPage),
        (status = 400, description = "Malformed query string", body = ErrorBody),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 403, description = "A second factor must be set up first", body = ErrorBody),
        (status = 422, description = "A filter value is not allowed; `field` names it", body = ErrorBody),
    )
)]
pub async fn list(
    State(state): State<AppState>,
    ApiPrincipal(principal): ApiPrincipal,
    query: Result<Query<ToolQuery>, QueryRejection>,
) -> Result<Response, ApiError> {
    authorize(&principal, Permission::ViewRegistry)?;
    let query = parsed(query)?;
    let today = app::backend::platform::change::today(state.services.clock.now())?;
    let page = || async {
        let page = tools::search(&state.pool, &query, today).await?;
        serde_json::to_vec(&page)
            .map(Bytes::from)
            .or_internal("serializing a registry page")
    };
    let body = if kept_size(&query) <= KEPT_QUERY {
        let key = (query.clone(), today);
        state
            .tool_pages
            .get_or_load(key, Instant::now(), |_| true, page)
            .await?
    } else {
        page().await?
    };
    Ok(([(header::CONTENT_TYPE, "application/json")], body).into_response())
}

/// Pages of `GET /tools` as sent, by query and day: kept like the policy check's answers (at
/// most `--cache-ttl-ms`, forgotten on `portal_policy`, which every table the search reads
/// notifies), at most `TOOL_PAGES` of them.
pub type ToolPages = Cache<(ToolQuery, Day), Bytes>;

/// Registry pages kept at most (each is at most 25 tools).
pub const TOOL_PAGES: usize = 1_000;

/// Longer queries are answered but not kept: a caller's made-up keys must not fill memory.
const KEPT_QUERY: usize = 256;

/// The bytes a query's values take.
fn kept_size(query: &ToolQuery) -> usize {
    [
        &query.q,
        &query.status,
        &query.category,
        &query.data_class,
        &query.team,
    ]
    .iter()
    .map(|value| value.as_ref().map_or(0, String::len))
    .sum()
}

/// `GET /api/v1/tools/{slug}`: one tool, everything the registry holds about it.
#[utoipa::path(
    get,
    path = "/tools/{slug}",
    tag = "registry",
    params(("slug" = String, Path, description = "The tool's identifier, e.g. `claude-code`")),
    responses(
        (status = 200, description = "The tool", body = ToolDetail),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 403, description = "A second factor must be set up first", body = ErrorBody),
        (status = 404, description = "No tool has this identifier", body = ErrorBody),
    )
)]
pub async fn detail(
    State(state): State<AppState>,
    ApiPrincipal(principal): ApiPrincipal,
    Path(slug): Path<String>,
) -> Result<Json<ToolDetail>, ApiError> {
    authorize(&principal, Permission::ViewRegistry)?;
    Ok(Json(tools::detail(&state.pool, &slug).await?))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CheckQuery {
    /// The tool's identifier.
    tool: String,
    /// The data class's identifier.
    data_class: String,
    /// The team's identifier.
    team: String,
}

/// `GET /api/v1/policy/check?tool=&data_class=&team=`: may this team use this tool with this
/// data, and why.
#[utoipa::path(
    get,
    path = "/policy/check",
    tag = "registry",
    params(CheckQuery),
    responses(
        (status = 200, description = "Yes or no, with the reason", body = PolicyAnswer),
        (status = 400, description = "A parameter is missing or malformed", body = ErrorBody),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 403, description = "A second factor must be set up first", body = ErrorBody),
        (status = 422, description = "An identifier names nothing; `field` says which", body = ErrorBody),
    )
)]
pub async fn check(
    State(state): State<AppState>,
    ApiPrincipal(principal): ApiPrincipal,
    query: Result<Query<CheckQuery>, QueryRejection>,
) -> Result<Json<PolicyAnswer>, ApiError> {
    authorize(&principal, Permission::ViewRegistry)?;
    let query = parsed(query)?;
    Ok(Json(
        app::backend::registry::policy::ask(
            &state.services,
            &query.tool,
            &query.data_class,
            &query.team,
            state.services.clock.now(),
        )
        .await?,
    ))
}
