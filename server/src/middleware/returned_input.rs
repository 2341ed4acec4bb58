//! A form the server refuses comes back filled in. Forms post and come back (with or without
//! JavaScript); on an error Leptos redirects to the page that sent the form with the error in
//! the address (`__path` = the server function, `__err`). What a signed-in person posted is
//! kept in the session, sealed, bound to them and less every secret field
//! (`model::ReturnedInput`), and handed to the rendering of that one page, which fills the form
//! in again.

use std::sync::Arc;
use std::time::Duration;

use axum::body::{to_bytes, Body};
use axum::extract::{Request, State};
use axum::http::{header, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use tower_sessions::Session;

use app::backend::identity::auth::session::AuthSession;
use app::backend::platform::services::{plain_form_post, Services};
use app::model::ReturnedInput;

/// Forms larger than this, or with more fields, are not kept (a tool with every field at its
/// longest is under 30 KB); they are left alone, unread.
const KEPT_UP_TO: usize = 64 * 1024;
const FIELDS_KEPT: usize = 500;
/// How long the body of a kept form may take to arrive (the request timeout applies inside).
const BODY_WITHIN: Duration = Duration::from_secs(10);

pub async fn keep_and_return(
    State(services): State<Services>,
    request: Request,
    next: Next,
) -> Response {
    let Some(session) = request.extensions().get::<Session>().cloned() else {
        return next.run(request).await;
    };
    let session = AuthSession(session);
    let now = services.clock.now();
    if request.method() == Method::GET {
        let mut request = request;
        if let Some(path) = refused_by(request.uri().query()) {
            match session
                .take_returned_input(&services.totp_key, &path, now)
                .await
            {
                Ok(Some(input)) => {
                    // Shared: every field of the page reads it.
                    request.extensions_mut().insert(Arc::new(input));
                }
                Ok(None) => {}
                Err(error) => tracing::warn!(%error, "returned input unreadable; dropped"),
            }
        }
        return next.run(request).await;
    }
    // Read only what a form of ours can be, and only for a session that names someone: the
    // input is kept for signed-in people alone (a cookie's id is not proof the session exists,
    // so `return_input` checks who is signed in).
    if !is_form_post(&request) || session.id().is_none() || !small(&request) {
        return next.run(request).await;
    }
    let path = request.uri().path().to_owned();
    let (parts, body) = request.into_parts();
    let bytes = match tokio::time::timeout(BODY_WITHIN, to_bytes(body, KEPT_UP_TO)).await {
        Ok(Ok(bytes)) => bytes,
        Ok(Err(_)) => return status(StatusCode::BAD_REQUEST, "The form did not arrive whole."),
        Err(_) => {
            return status(
                StatusCode::REQUEST_TIMEOUT,
                "The form took too long to arrive.",
            )
        }
    };
    let response = next
        .run(Request::from_parts(parts, Body::from(bytes.clone())))
        .await;
    if refused(&response) {
        let pairs = form_urlencoded::parse(&bytes)
            .into_owned()
            .take(FIELDS_KEPT);
        let input = ReturnedInput::new(path, pairs);
        if let Err(error) = session.return_input(&services.totp_key, &input, now).await {
            tracing::warn!(%error, "could not keep the refused form's input");
        }
    }
    response
}

fn status(code: StatusCode, text: &'static str) -> Response {
    (code, text).into_response()
}

/// Leptos sent the browser back to the form's page with the error in the address.
pub fn refused(response: &Response) -> bool {
    response
        .headers()
        .get(header::LOCATION)
        .and_then(|location| location.to_str().ok())
        .is_some_and(|location| location.contains("__err="))
}

/// A body that says it is no larger than what is kept (browsers send a form's length).
fn small(request: &Request) -> bool {
    request
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.parse::<usize>().ok())
        .is_some_and(|length| length <= KEPT_UP_TO)
}

/// A url-encoded form posted by a browser (sent back to its page on an error).
fn is_form_post(request: &Request) -> bool {
    plain_form_post(request.method(), request.headers())
        && request
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|value| value.to_str().ok())
            .is_some_and(|value| value.starts_with("application/x-www-form-urlencoded"))
}

/// The server function named by an error in the page's address (`__path`), when there is one.
fn refused_by(query: Option<&str>) -> Option<String> {
    let (mut path, mut error) = (None, false);
    for (name, value) in form_urlencoded::parse(query?.as_bytes()) {
        match &*name {
            "__path" => path = Some(value.into_owned()),
            "__err" => error = true,
            _ => {}
        }
    }
    path.filter(|_| error)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_an_address_carrying_an_error_names_the_refusing_function() {
        assert_eq!(
            refused_by(Some("q=x&__path=%2Fapi%2Fsave_tool&__err=abc")).as_deref(),
            Some("/api/save_tool")
        );
        assert_eq!(refused_by(Some("__path=%2Fapi%2Fsave_tool")), None);
        assert_eq!(refused_by(Some("q=x")), None);
        assert_eq!(refused_by(None), None);
    }
}
