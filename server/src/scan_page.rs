//! `POST /scan`: the scan page's form. Its answer is the scan page itself, rendered with the
//! posted form in the request's context (`app::api::PostedScanForm`), where the page's server
//! function scans it for the signed-in person — so the result shows with or without
//! JavaScript, and the text goes nowhere but into this one rendering.

use std::sync::Arc;

use axum::body::{to_bytes, Body};
use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use leptos::prelude::provide_context;

use app::api::PostedScanForm;
use app::shell;

use crate::middleware::forget_caches::ChangedNothing;
use crate::startup::AppState;

/// A 1 MiB text url-encoded can take up to three bytes a byte; the scan refuses anything over
/// 1 MiB decoded, naming the field.
pub const FORM_LIMIT: usize = 3 * 1024 * 1024 + 4096;

pub async fn post(State(state): State<AppState>, request: Request) -> Response {
    let (parts, body) = request.into_parts();
    let Ok(bytes) = to_bytes(body, FORM_LIMIT).await else {
        return (
            StatusCode::PAYLOAD_TOO_LARGE,
            "The text is larger than 1 MiB: check it in parts, or with `server scan`.",
        )
            .into_response();
    };
    let mut form = PostedScanForm::default();
    for (name, value) in form_urlencoded::parse(&bytes) {
        match &*name {
            "text" => form.text = value.into_owned(),
            "tool" => form.tool = value.into_owned(),
            "team" => form.team = value.into_owned(),
            _ => {}
        }
    }
    let services = state.services.clone();
    let site_files = Arc::clone(&state.site_files);
    let options = state.leptos_options.clone();
    let render = leptos_axum::render_app_to_stream_with_context(
        {
            let options = options.clone();
            move || {
                provide_context(services.clone());
                provide_context(site_files.clone());
                provide_context(options.clone());
                provide_context(form.clone());
            }
        },
        move || shell(options.clone()),
    );
    let mut parts = parts;
    parts.method = axum::http::Method::GET;
    let mut response = render(Request::from_parts(parts, Body::empty())).await;
    response.extensions_mut().insert(ChangedNothing);
    response
}
