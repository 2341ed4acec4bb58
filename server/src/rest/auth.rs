use axum::extract::FromRequestParts;
use axum::http::header;
use axum::http::request::Parts;

use app::backend::identity::tokens;
use app::backend::identity::users::Principal;
use app::error::AppError;

use super::ApiError;
use crate::startup::AppState;

/// The person behind the request's bearer token. Handlers that take it are authenticated;
/// without a valid token they are never reached (401 with the JSON error body).
#[derive(Debug, Clone)]
pub struct ApiPrincipal(pub Principal);

impl FromRequestParts<AppState> for ApiPrincipal {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let token = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|value| value.to_str().ok())
            .and_then(|value| value.strip_prefix("Bearer "))
            .map(str::trim)
            .filter(|token| !token.is_empty())
            .ok_or(AppError::Unauthorized)?;
        let principal = tokens::authenticate(&state.pool, token, chrono::Utc::now()).await?;
        Ok(Self(principal))
    }
}
