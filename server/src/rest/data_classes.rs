use axum::extract::State;
use axum::Json;

use app::api::DataClassView;
use app::backend::{access::authorize, data_classes};
use app::domain::Permission;

use super::{ApiError, ApiPrincipal};
use crate::startup::AppState;

/// `GET /api/v1/data-classes`: every data class, most sensitive first.
pub async fn list(
    State(state): State<AppState>,
    ApiPrincipal(principal): ApiPrincipal,
) -> Result<Json<Vec<DataClassView>>, ApiError> {
    authorize(&principal, Permission::ViewRegistry)?;
    Ok(Json(data_classes::list(&state.pool).await?))
}
