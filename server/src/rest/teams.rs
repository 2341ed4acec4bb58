use axum::extract::{Path, State};
use axum::Json;

use app::backend::checklists;
use app::backend::platform::access::authorize;
use app::domain::Permission;
use app::model::TeamProgress;

use super::openapi::ErrorBody;
use super::{ApiError, ApiPrincipal};
use crate::startup::AppState;

/// `GET /api/v1/teams/{slug}/progress`: a team's checklist figures — overall and per category,
/// and every item with its status, owner, due date and evidence — for the team's members and
/// managers and for admins.
#[utoipa::path(
    get,
    path = "/teams/{slug}/progress",
    tag = "checklists",
    params(("slug" = String, Path, description = "The team, e.g. payments")),
    responses(
        (status = 200, description = "The team's progress; completion = done ÷ applicable items (not-applicable items left out), whole percent rounded down", body = TeamProgress),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 403, description = "Not a member or manager of this team, nor an admin", body = ErrorBody),
        (status = 404, description = "No such team", body = ErrorBody),
    )
)]
pub async fn progress(
    State(state): State<AppState>,
    ApiPrincipal(principal): ApiPrincipal,
    Path(slug): Path<String>,
) -> Result<Json<TeamProgress>, ApiError> {
    authorize(&principal, Permission::ViewOrganization)?;
    let now = state.services.clock.now();
    let mut conn = state
        .pool
        .acquire()
        .await
        .map_err(app::error::AppError::from)?;
    Ok(Json(
        checklists::progress(&mut conn, &principal, &slug, now).await?,
    ))
}
