//! A form the server refuses comes back filled in. Forms post and come back (with or without
//! JavaScript); on an error Leptos redirects to the page that sent the form with the error in
//! the address (`__path` = the server function, `__err`). What was posted is kept in the
//! session, sealed and less every secret field (`model::ReturnedInput`), and handed to the
//! rendering of that one page, which fills the form in again.

use axum::body::{to_bytes, Body};
use axum::extract::{Request, State};
use axum::http::{header, Method};
use axum::middleware::Next;
use axum::response::Response;
use tower_sessions::Session;

use app::backend::identity::auth::session::AuthSession;
use app::backend::platform::services::Services;
use app::model::ReturnedInput;

/// Forms larger than this are not kept (no form of the portal's comes near it).
const KEPT_UP_TO: usize = 256 * 1024;

pub async fn keep_and_return(
    State(services): State<Services>,
    request: Request,
    next: Next,
) -> Response {
    let Some(session) = request.extensions().get::<Session>().cloned() else {
        return next.run(request).await;
    };
    let session = AuthSession(session);
    if request.method() == Method::GET {
        let mut request = request;
        if let Some(path) = refused_by(request.uri().query()) {
            match session.take_returned_input(&services.totp_key, &path).await {
                Ok(Some(input)) => {
                    request.extensions_mut().insert(input);
                }
                Ok(None) => {}
                Err(error) => tracing::warn!(%error, "returned input unreadable; dropped"),
            }
        }
        return next.run(request).await;
    }
    // Only for a session that exists already: a visitor's refused form (a wrong password) must
    // not open a session on the server.
    if !is_form_post(&request) || session.id().is_none() {
        return next.run(request).await;
    }
    let path = request.uri().path().to_owned();
    let (parts, body) = request.into_parts();
    let Ok(bytes) = to_bytes(body, KEPT_UP_TO).await else {
        // Too large to keep: the handler's own limit answers it (the body is gone, so refuse).
        return Response::builder()
            .status(axum::http::StatusCode::PAYLOAD_TOO_LARGE)
            .body(Body::from("The form is too large."))
            .unwrap_or_default();
    };
    let response = next
        .run(Request::from_parts(parts, Body::from(bytes.clone())))
        .await;
    let refused = response
        .headers()
        .get(header::LOCATION)
        .and_then(|location| location.to_str().ok())
        .is_some_and(|location| location.contains("__err="));
    if refused {
        let pairs = form_urlencoded::parse(&bytes).into_owned();
        let input = ReturnedInput::new(path, pairs);
        if let Err(error) = session.return_input(&services.totp_key, &input).await {
            tracing::warn!(%error, "could not keep the refused form's input");
        }
    }
    response
}

/// A form posted by a browser (which would be sent back to its page on an error).
fn is_form_post(request: &Request) -> bool {
    let header_has = |name, text: &str| {
        request
            .headers()
            .get(name)
            .and_then(|value| value.to_str().ok())
            .is_some_and(|value| value.contains(text))
    };
    request.method() == Method::POST
        && header_has(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        && header_has(header::ACCEPT, "text/html")
}

/// The server function named by an error in the page's address (`__path`), when there is one.
fn refused_by(query: Option<&str>) -> Option<String> {
    let pairs: Vec<(String, String)> = form_urlencoded::parse(query?.as_bytes())
        .into_owned()
        .collect();
    pairs
        .iter()
        .any(|(name, _)| name == "__err")
        .then(|| {
            pairs
                .into_iter()
                .find(|(name, _)| name == "__path")
                .map(|(_, path)| path)
        })
        .flatten()
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
