use axum::Json;
use serde::Serialize;
use utoipa::ToSchema;

use app::backend::platform::access::authorize;
use app::domain::{Permission, Role};

use super::openapi::ErrorBody;
use super::{ApiError, ApiPrincipal};

/// The person a token belongs to.
#[derive(Debug, Serialize, ToSchema)]
pub struct Me {
    #[schema(value_type = String)]
    pub user_id: uuid::Uuid,
    pub email: String,
    pub name: String,
    #[schema(value_type = Vec<String>)]
    pub roles: Vec<Role>,
    /// A second factor is enrolled.
    pub two_factor: bool,
}

/// `GET /api/v1/me`: who the token belongs to.
#[utoipa::path(
    get,
    path = "/me",
    tag = "account",
    responses(
        (status = 200, description = "The token's owner", body = Me),
        (status = 401, description = "No valid token", body = ErrorBody),
    )
)]
pub async fn me(ApiPrincipal(principal): ApiPrincipal) -> Result<Json<Me>, ApiError> {
    authorize(&principal, Permission::ManageOwnAccount)?;
    Ok(Json(Me {
        user_id: principal.user_id,
        email: principal.email.to_string(),
        name: principal.display_name,
        roles: principal.roles,
        two_factor: principal.totp_enrolled,
    }))
}
