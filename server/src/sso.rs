//! The two addresses of single sign-on: `/auth/oidc/start` sends the browser to the provider
//! (remembering `state`, `nonce` and the PKCE verifier in its session), and
//! `/auth/oidc/callback` is where the provider sends it back. A refusal lands on the sign-in
//! page with a message that names no internals (the cause is logged and audited).

use std::net::SocketAddr;

use axum::extract::{ConnectInfo, Query, State};
use axum::http::request::Parts;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use tower_sessions::Session;

use app::backend::identity::auth::session::AuthSession;
use app::backend::identity::sso::{account_for, Pending, Refusal};
use app::backend::platform::services::forwarded_for;
use app::error::AppError;

use crate::startup::AppState;

/// Where the pending sign-in waits in the session.
const PENDING_KEY: &str = "sso_pending";

/// The callback's path, registered at the provider as `<public URL>/auth/oidc/callback`.
pub const CALLBACK_PATH: &str = "/auth/oidc/callback";

fn redirect_uri(state: &AppState) -> String {
    format!("{}{CALLBACK_PATH}", state.services.public_url)
}

fn failure(error: &AppError) -> Response {
    let status = axum::http::StatusCode::from_u16(error.status())
        .unwrap_or(axum::http::StatusCode::INTERNAL_SERVER_ERROR);
    (status, error.to_string()).into_response()
}

fn back_to_sign_in() -> Response {
    Redirect::to("/sign-in").into_response()
}

pub async fn start(State(state): State<AppState>, session: Session) -> Response {
    let Some(sso) = state.services.sso.clone() else {
        return failure(&AppError::NotFound);
    };
    let now = state.services.clock.now();
    match sso.start(&redirect_uri(&state), now).await {
        Ok((url, pending)) => match session.insert(PENDING_KEY, pending).await {
            Ok(()) => Redirect::to(&url).into_response(),
            Err(error) => {
                tracing::error!(%error, "session store failed");
                failure(&AppError::Unavailable)
            }
        },
        Err(refusal) => {
            let _ = AuthSession(session).notice(refusal.message()).await;
            back_to_sign_in()
        }
    }
}

#[derive(Deserialize)]
pub struct Callback {
    code: Option<String>,
    state: Option<String>,
    error: Option<String>,
}

pub async fn callback(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    session: Session,
    parts: Parts,
    Query(query): Query<Callback>,
) -> Response {
    let Some(sso) = state.services.sso.clone() else {
        return failure(&AppError::NotFound);
    };
    let services = &state.services;
    let now = services.clock.now();
    let source = services.client_address(Some(peer.ip()), forwarded_for(&parts.headers).as_deref());
    // Used up whatever happens: a callback is answered once.
    let pending = session.remove::<Pending>(PENDING_KEY).await.ok().flatten();
    let session = AuthSession(session);
    let identity = match (pending, query) {
        (
            _,
            Callback {
                error: Some(error), ..
            },
        ) => {
            // Logged only when it is an OAuth error code: the query is anyone's to write.
            if error.len() <= 64 && error.bytes().all(|b| b.is_ascii_lowercase() || b == b'_') {
                tracing::info!(%error, "the identity provider reported an error");
            }
            Err(Refusal::Cancelled)
        }
        (
            Some(pending),
            Callback {
                code: Some(code),
                state: Some(returned),
                ..
            },
        ) => {
            sso.finish(&redirect_uri(&state), pending, &returned, &code, now)
                .await
        }
        _ => Err(Refusal::NotStarted),
    };
    let identity = match identity {
        Ok(identity) => identity,
        Err(refusal) => {
            app::backend::identity::sso::accounts::refused_at_provider(
                &services.pool,
                refusal,
                source,
                now,
            )
            .await;
            let _ = session.notice(refusal.message()).await;
            return back_to_sign_in();
        }
    };
    let account = match account_for(&services.pool, &identity, false, source, now).await {
        Ok(account) => account,
        Err(error) => {
            let message = match &error {
                AppError::Conflict { message } => message.clone(),
                other => other.to_string(),
            };
            let _ = session.notice(&message).await;
            return back_to_sign_in();
        }
    };
    let device = parts
        .headers
        .get(axum::http::header::USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let signed = if account.has_totp {
        // Linked, and its groups applied, once the code is right (`api::auth::sign_in_code`).
        match session.await_code(account.user_id, now).await {
            Ok(()) => {
                session
                    .hold_sso_identity(&services.totp_key, &identity)
                    .await
            }
            Err(error) => Err(error),
        }
    } else {
        session.sign_in(account.user_id, now, device).await
    };
    match signed {
        Ok(()) if account.has_totp => Redirect::to("/sign-in/code").into_response(),
        Ok(()) => Redirect::to("/").into_response(),
        Err(error) => failure(&error),
    }
}
