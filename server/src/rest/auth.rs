use std::time::Instant;

use axum::extract::FromRequestParts;
use axum::http::header;
use axum::http::request::Parts;

use app::backend::identity::token_cache;
use app::backend::identity::tokens::{self, Bearer};
use app::backend::identity::users::Principal;
use app::domain::TokenScope;
use app::error::AppError;

use super::ApiError;
use crate::middleware::denials::Identified;
use crate::startup::AppState;

/// The person behind the request's bearer token, for routes that read. Handlers that take it
/// are authenticated; without a valid token they are never reached (401 with the JSON error
/// body), and a token that may not read (a metrics token) gets 403.
#[derive(Debug, Clone)]
pub struct ApiPrincipal(pub Principal);

/// The person behind a `read-write` token, for routes that change something; a `read` token
/// gets 403.
#[derive(Debug, Clone)]
pub struct ApiWriter(pub Principal);

/// The token's principal and scope: any valid, unexpired, unrevoked token, within its owner's
/// rate limit (`AppState::api_calls`; 429 with `Retry-After` past it). A gateway's steady calls
/// touch the database for neither: the token is cached (`AppState::tokens`) and the calls are
/// counted in leases.
pub async fn bearer(parts: &Parts, state: &AppState) -> Result<(Principal, TokenScope), AppError> {
    let token = parts
        .headers
        .get(header::AUTHORIZATION)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.strip_prefix("Bearer "))
        .map(str::trim)
        .filter(|token| !token.is_empty())
        .ok_or(AppError::Unauthorized)?;
    let hash = tokens::digest_of(token)?;
    let now = state.services.clock.now();
    let mut conn = None;
    let held = &mut conn;
    let bearer = state
        .tokens
        .get_or_load(
            hash,
            Instant::now(),
            token_cache::unexpired(now),
            || async {
                // Kept for the call count below.
                let conn = held.insert(state.pool.acquire().await?);
                tokens::authenticate(conn, &hash, now).await
            },
        )
        .await?;
    let Bearer {
        principal, scope, ..
    } = bearer;
    Identified::note(parts, principal.actor());
    if !state.api_calls.take_held(principal.user_id, now) {
        let mut conn = match conn {
            Some(conn) => conn,
            None => state.pool.acquire().await?,
        };
        state
            .api_calls
            .take(&mut conn, principal.user_id, now)
            .await?;
    }
    Ok((principal, scope))
}

impl FromRequestParts<AppState> for ApiPrincipal {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let (principal, scope) = bearer(parts, state).await?;
        if !scope.reads() {
            return Err(AppError::Forbidden.into());
        }
        Ok(Self(principal))
    }
}

impl FromRequestParts<AppState> for ApiWriter {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let (principal, scope) = bearer(parts, state).await?;
        if !scope.writes() {
            return Err(AppError::Forbidden.into());
        }
        Ok(Self(principal))
    }
}
