//! A change made through this instance holds on it before the answer is sent: after any request
//! that may have changed something (not GET, HEAD or OPTIONS, and not refused), the token cache
//! forgets what it held.
//! Other instances hear of the change through `portal_auth` within milliseconds; this one must
//! not answer a script's next call from a token it has just been asked to revoke.

use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::Method;
use axum::middleware::Next;
use axum::response::Response;

use app::backend::identity::token_cache::TokenCache;

use super::returned_input::refused;

pub async fn after_changes(
    State(cache): State<Arc<TokenCache>>,
    request: Request,
    next: Next,
) -> Response {
    let reads = matches!(
        *request.method(),
        Method::GET | Method::HEAD | Method::OPTIONS
    );
    let response = next.run(request).await;
    // A refused or failed request changed nothing (each change is one transaction); a refused
    // plain form is a redirect with the error in the address.
    let status = response.status();
    let done = status.is_success() || (status.is_redirection() && !refused(&response));
    if !reads && done {
        cache.forget_all();
    }
    response
}
