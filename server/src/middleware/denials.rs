//! Refused authorizations outside server functions — the JSON API and the CSV downloads — are
//! counted as `access.denied` (per actor, source and minute; `backend::audit::tallies`). The
//! handler marks its response [`Denied`]; whoever its credentials named is in [`Identified`].
//! Server functions count their own (`api::guard`).

use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, OnceLock};

use axum::extract::{ConnectInfo, Request, State};
use axum::http::request::Parts;
use axum::middleware::Next;
use axum::response::Response;

use app::backend::audit::tallies;
use app::backend::platform::services::{forwarded_for, Services};
use app::domain::Actor;

/// Set on a response that refused an authorization (a 403, or the 404 hiding an object).
#[derive(Debug, Clone, Copy)]
pub struct Denied;

/// The person the request's credentials identified, once an extractor knows.
#[derive(Debug, Clone, Default)]
pub struct Identified(Arc<OnceLock<Actor>>);

impl Identified {
    /// Records who `parts`' request is from (the first call wins).
    pub fn note(parts: &Parts, actor: Actor) {
        if let Some(identified) = parts.extensions.get::<Self>() {
            let _ = identified.0.set(actor);
        }
    }
}

/// The client's address: the socket's peer, or what a trusted proxy says it is.
pub fn client_address(services: &Services, request: &Request) -> Option<IpAddr> {
    let peer = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|info| info.0.ip());
    let forwarded = forwarded_for(request.headers());
    services.client_address(peer, forwarded.as_deref())
}

pub async fn count_denials(
    State(services): State<Services>,
    mut request: Request,
    next: Next,
) -> Response {
    let identified = Identified::default();
    request.extensions_mut().insert(identified.clone());
    let source = client_address(&services, &request);
    let target = request
        .uri()
        .path_and_query()
        .map(ToString::to_string)
        .unwrap_or_default();
    let response = next.run(request).await;
    if response.extensions().get::<Denied>().is_some() {
        let actor = identified.0.get().cloned().unwrap_or(Actor::Anonymous);
        let now = services.clock.now();
        tallies::count_denial_later(services.pool.clone(), actor, source, target, now);
    }
    response
}
