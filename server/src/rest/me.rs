use axum::Json;
use serde_json::{json, Value};

use super::ApiPrincipal;

/// `GET /api/v1/me`: who the token belongs to.
pub async fn me(ApiPrincipal(principal): ApiPrincipal) -> Json<Value> {
    Json(json!({
        "user_id": principal.user_id,
        "email": principal.email,
        "name": principal.display_name,
        "roles": principal.roles,
    }))
}
