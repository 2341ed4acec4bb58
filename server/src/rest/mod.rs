//! The versioned JSON API under `/api/v1`, for scripts, gateways and SIEMs. Authenticated by
//! personal API tokens (`Authorization: Bearer …`); errors are `{"error": {"code", "message",
//! "field"?}}` with the matching HTTP status.

mod auth;
mod data_classes;
mod error;
mod me;
mod openapi;
mod receipts;
mod requests;
mod signing_key;
mod teams;
mod tools;

use std::sync::Arc;

use axum::routing::get;
use axum::{Json, Router};
use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::startup::AppState;

pub use auth::{ApiPrincipal, ApiWriter};
pub use error::ApiError;
pub use openapi::ApiDoc;

/// The `/api/v1` routes and the OpenAPI document describing exactly them (served, without a
/// token, at `/api/v1/openapi.json`). Mounted at the root: the paths carry their prefix.
pub fn router() -> Router<AppState> {
    let (router, document) = OpenApiRouter::with_openapi(ApiDoc::openapi())
        .nest(
            "/api/v1",
            OpenApiRouter::new()
                .routes(routes!(me::me))
                .routes(routes!(data_classes::list))
                .routes(routes!(tools::list))
                .routes(routes!(tools::detail))
                .routes(routes!(tools::check))
                .routes(routes!(signing_key::signing_key))
                .routes(routes!(requests::create))
                .routes(routes!(requests::detail))
                .routes(routes!(receipts::receipt))
                .routes(routes!(teams::progress)),
        )
        .split_for_parts();
    let document = Arc::new(document);
    router
        .route(
            "/api/v1/openapi.json",
            get(move || {
                let document = Arc::clone(&document);
                async move { Json(document.as_ref().clone()) }
            }),
        )
        .nest("/api/v1", Router::new().fallback(error::not_found))
}
