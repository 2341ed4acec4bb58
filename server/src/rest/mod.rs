//! The versioned JSON API under `/api/v1`, for scripts, gateways and SIEMs. Authenticated by
//! personal API tokens (`Authorization: Bearer …`); errors are `{"error": {"code", "message",
//! "field"?}}` with the matching HTTP status.

mod audit;
mod auth;
mod data_classes;
mod error;
mod incidents;
mod me;
mod openapi;
mod receipts;
mod requests;
mod scan;
mod signing_key;
mod teams;
pub(crate) mod tools;

use std::sync::Arc;

use axum::routing::get;
use axum::{Json, Router};
use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::startup::AppState;

pub use auth::{bearer, ApiPrincipal, ApiWriter};
pub use error::ApiError;
pub use openapi::ApiDoc;

/// A query string that does not parse is the client's mistake: 400 with the envelope.
pub(crate) fn parsed<T>(
    query: Result<axum::extract::Query<T>, axum::extract::rejection::QueryRejection>,
) -> Result<T, ApiError> {
    query
        .map(|axum::extract::Query(query)| query)
        .map_err(|rejection| {
            ApiError(app::error::AppError::BadRequest {
                message: format!("The query string is malformed: {}", rejection.body_text()),
            })
        })
}

/// A body that is not the JSON the route expects: 400, or 422 when only a value is wrong.
pub(crate) fn body<T>(
    json: Result<Json<T>, axum::extract::rejection::JsonRejection>,
) -> Result<T, ApiError> {
    json.map(|Json(value)| value).map_err(|rejection| {
        let message = rejection.body_text();
        ApiError(match rejection {
            axum::extract::rejection::JsonRejection::JsonDataError(_) => {
                app::error::AppError::Invalid {
                    field: "body".into(),
                    message,
                }
            }
            _ => app::error::AppError::BadRequest { message },
        })
    })
}

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
                .routes(routes!(incidents::create, incidents::list))
                .routes(routes!(incidents::detail))
                .routes(routes!(teams::progress))
                .routes(routes!(audit::events))
                .routes(routes!(audit::verify))
                .routes(routes!(audit::checkpoints))
                .routes(routes!(scan::scan))
                .routes(routes!(scan::rules))
                // The largest body any route reads: a text to scan, 1 MiB (413 past it).
                .layer(axum::extract::DefaultBodyLimit::max(scan::BODY_LIMIT)),
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
