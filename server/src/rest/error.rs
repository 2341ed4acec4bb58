use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::json;

use app::error::AppError;

use crate::middleware::denials::Denied;

/// An [`AppError`] in the API's JSON envelope.
#[derive(Debug)]
pub struct ApiError(pub AppError);

impl From<AppError> for ApiError {
    fn from(error: AppError) -> Self {
        Self(error)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status =
            StatusCode::from_u16(self.0.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let message = match &self.0 {
            AppError::Invalid { message, .. } => message.clone(),
            other => other.to_string(),
        };
        let mut error = json!({ "code": self.0.code(), "message": message });
        if let Some(field) = self.0.field() {
            error["field"] = json!(field);
        }
        let mut response = (status, Json(json!({ "error": error }))).into_response();
        if self.0.is_denial() {
            response.extensions_mut().insert(Denied);
        }
        if let Some(seconds) = self.0.retry_after() {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, header::HeaderValue::from(seconds));
        }
        if matches!(self.0, AppError::Unauthorized) {
            response.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                header::HeaderValue::from_static("Bearer realm=\"api\""),
            );
        }
        response
    }
}

/// Anything under `/api/v1` that is not a route.
pub async fn not_found() -> ApiError {
    ApiError(AppError::NotFound)
}
