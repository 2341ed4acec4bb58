use axum::Json;
use serde_json::{json, Value};

use app::backend::access::authorize;
use app::domain::Permission;

use super::{ApiError, ApiPrincipal};

/// `GET /api/v1/me`: who the token belongs to.
pub async fn me(ApiPrincipal(principal): ApiPrincipal) -> Result<Json<Value>, ApiError> {
    authorize(&principal, Permission::ManageOwnAccount)?;
    Ok(Json(json!({
        "user_id": principal.user_id,
        "email": principal.email,
        "name": principal.display_name,
        "roles": principal.roles,
        "two_factor": principal.totp_enrolled,
    })))
}
