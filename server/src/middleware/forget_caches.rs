//! A change made through this instance holds on it before the answer is sent: after any request
//! that may have changed something (not GET, HEAD or OPTIONS, not refused, and not marked
//! [`ChangedNothing`]), every cache (tokens, policy answers, registry pages, the compiled
//! scanner) forgets what it held.
//! Other instances hear of the change through PostgreSQL notifications within milliseconds; this
//! one must not answer a script's next call from a token it has just been asked to revoke, nor
//! scan with a detector it has just been asked to retire.

use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::Method;
use axum::middleware::Next;
use axum::response::Response;

use app::backend::platform::notified::Watchers;

use super::returned_input::refused;

/// Put in a response's extensions by handlers that take a POST but change nothing the caches
/// hold (a scan: the text is too large for a query string). A gateway scanning before every
/// prompt must not clear the caches its own next call needs.
#[derive(Debug, Clone, Copy)]
pub struct ChangedNothing;

pub async fn after_changes(
    State(caches): State<Arc<Watchers>>,
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
    let changed_nothing = response.extensions().get::<ChangedNothing>().is_some();
    if !reads && done && !changed_nothing {
        for (_, cache) in caches.iter() {
            cache.forget_all();
        }
    }
    response
}
