//! Server functions: the browser's entry points into the backend.
//!
//! Each one loads what it needs from the request context, calls one backend function and maps
//! its error; no SQL lives here.

mod auth;
mod overview;

pub use auth::*;
pub use overview::*;

#[cfg(feature = "ssr")]
mod context {
    use crate::error::AppError;
    use leptos::prelude::*;

    use crate::backend::auth::session::AuthSession;
    use crate::backend::services::Services;

    /// What the server provides to every request.
    pub fn services() -> Result<Services, AppError> {
        use_context::<Services>().ok_or_else(|| {
            tracing::error!("no services in the request context");
            AppError::Internal
        })
    }

    pub fn pool() -> Result<sqlx::PgPool, AppError> {
        services().map(|services| services.pool)
    }

    /// The request's browser session.
    pub async fn session() -> Result<AuthSession, AppError> {
        leptos_axum::extract::<tower_sessions::Session>()
            .await
            .map(AuthSession)
            .map_err(|error| {
                tracing::error!(%error, "no session layer");
                AppError::Internal
            })
    }

    /// The client's address, from the socket.
    pub async fn source_address() -> Option<std::net::IpAddr> {
        leptos_axum::extract::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
            .await
            .ok()
            .map(|info| info.0.ip())
    }

    /// Sets the HTTP status of a failed server function to the error's own status — except for
    /// a plain HTML form post (no JavaScript), which Leptos answers with a redirect back to the
    /// form carrying the error in the URL; a status here would replace that redirect.
    pub fn respond<T>(result: Result<T, AppError>) -> Result<T, AppError> {
        let plain_form_post = use_context::<http::request::Parts>().is_some_and(|parts| {
            parts
                .headers
                .get(http::header::ACCEPT)
                .and_then(|accept| accept.to_str().ok())
                .is_some_and(|accept| accept.contains("text/html"))
        });
        if plain_form_post {
            return result;
        }
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
