//! Server functions: the browser's entry points into the backend.
//!
//! Each one loads what it needs from the request context, calls one backend function and maps
//! its error; no SQL lives here.

mod overview;

pub use overview::*;

#[cfg(feature = "ssr")]
mod context {
    use crate::error::AppError;
    use leptos::prelude::*;

    /// The connection pool the server provides to every request.
    pub fn pool() -> Result<sqlx::PgPool, AppError> {
        use_context::<sqlx::PgPool>().ok_or_else(|| {
            tracing::error!("no database pool in the request context");
            AppError::Internal
        })
    }

    /// Sets the HTTP status of a failed server function to the error's own status.
    pub fn respond<T>(result: Result<T, AppError>) -> Result<T, AppError> {
        if let Err(error) = &result {
            if let Some(options) = use_context::<leptos_axum::ResponseOptions>() {
                if let Ok(status) = http::StatusCode::from_u16(error.status()) {
                    options.set_status(status);
                }
            }
        }
        result
    }
}
