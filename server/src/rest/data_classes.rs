use axum::extract::State;
use axum::Json;

use app::backend::{platform::access::authorize, registry::data_classes};
use app::domain::Permission;
use app::model::DataClassView;

use super::openapi::ErrorBody;
use super::{ApiError, ApiPrincipal};
use crate::startup::AppState;

/// `GET /api/v1/data-classes`: every data class, most sensitive first.
#[utoipa::path(
    get,
    path = "/data-classes",
    tag = "registry",
    responses(
        (status = 200, description = "Every data class, most sensitive first", body = Vec<DataClassView>),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 403, description = "A second factor must be set up first", body = ErrorBody),
    )
)]
pub async fn list(
    State(state): State<AppState>,
    ApiPrincipal(principal): ApiPrincipal,
) -> Result<Json<Vec<DataClassView>>, ApiError> {
    authorize(&principal, Permission::ViewRegistry)?;
    Ok(Json(data_classes::list(&state.pool).await?))
}
