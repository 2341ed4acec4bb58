//! The versioned JSON API under `/api/v1`, for scripts, gateways and SIEMs. Authenticated by
//! personal API tokens (`Authorization: Bearer …`); errors are `{"error": {"code", "message",
//! "field"?}}` with the matching HTTP status.

mod auth;
mod data_classes;
mod error;
mod me;
mod tools;

use axum::routing::get;
use axum::Router;

use crate::startup::AppState;

pub use auth::ApiPrincipal;
pub use error::ApiError;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/me", get(me::me))
        .route("/data-classes", get(data_classes::list))
        .route("/tools", get(tools::list))
        .route("/tools/{slug}", get(tools::detail))
        .route("/policy/check", get(tools::check))
        .fallback(error::not_found)
}
