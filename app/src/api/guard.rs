//! What every server function starts with (server only): the request's services, session,
//! client address and time; for most, the signed-in person and the one permission they need.
//! [`guard`] and [`open`] run a server function's work and set the HTTP status of its error.

use std::future::Future;

use leptos::prelude::*;

use crate::backend::audit::tallies;
use crate::backend::identity::auth::session::AuthSession;
use crate::backend::identity::users::{active_principal, Principal};
use crate::backend::platform::access::authorize;
use crate::backend::platform::change::Change;
use crate::backend::platform::services::Services;
use crate::domain::{Actor, Permission};
use crate::error::AppError;

/// A request, signed in or not.
pub struct Visitor {
    pub services: Services,
    pub session: AuthSession,
    pub now: chrono::DateTime<chrono::Utc>,
    pub source: Option<std::net::IpAddr>,
}

/// A request from a signed-in person who may do what they ask.
pub struct Caller {
    pub services: Services,
    pub session: AuthSession,
    pub principal: Principal,
    pub now: chrono::DateTime<chrono::Utc>,
    pub source: Option<std::net::IpAddr>,
}

impl Caller {
    pub fn pool(&self) -> &sqlx::PgPool {
        &self.services.pool
    }

    /// Asks for the caller's password again (and their code, when given) before a sensitive
    /// change; wrong answers count towards the sign-in throttle and the second-factor lock.
    pub async fn reauthenticate(&self, password: &str, code: Option<&str>) -> Result<(), AppError> {
        crate::backend::identity::auth::sign_in::reauthenticate(
            &self.services.pool,
            &self.services.totp_key,
            self.principal.user_id,
            Some(password),
            code,
            self.source,
            self.now,
        )
        .await?;
        self.session.confirmed(self.now).await
    }

    /// A fresh proof of identity for the most sensitive changes (an API token, a reviewer or
    /// admin role, a second-factor reset): nothing more within five minutes of the last one,
    /// otherwise the password or a fresh code from the authenticator app.
    pub async fn confirm_identity(&self, password: &str, code: &str) -> Result<(), AppError> {
        if self.session.is_fresh(self.now).await? {
            return Ok(());
        }
        let code = code.trim();
        crate::backend::identity::auth::sign_in::reauthenticate(
            &self.services.pool,
            &self.services.totp_key,
            self.principal.user_id,
            (!password.is_empty()).then_some(password),
            (!code.is_empty()).then_some(code),
            self.source,
            self.now,
        )
        .await?;
        self.session.confirmed(self.now).await
    }

    /// Shows freshly made recovery codes once, on the page the browser goes to next.
    pub async fn reveal_recovery_codes(
        &self,
        codes: &[crate::domain::RecoveryCode],
    ) -> Result<(), AppError> {
        let codes = codes.iter().map(|code| code.display()).collect();
        self.reveal(&crate::model::Reveal::RecoveryCodes(codes))
            .await
    }

    /// Keeps `secret` (sealed) for the next page load to show once.
    pub async fn reveal(&self, secret: &crate::model::Reveal) -> Result<(), AppError> {
        self.session.reveal(&self.services.totp_key, secret).await
    }

    /// The secret kept by [`reveal`](Self::reveal), if any; shown once.
    pub async fn take_reveal(&self) -> Result<Option<crate::model::Reveal>, AppError> {
        self.session.take_reveal(&self.services.totp_key).await
    }

    /// Who changes something, from where and when: what an audited save records.
    pub fn change(&self) -> Result<Change, AppError> {
        Change::by(&self.principal, self.source, self.now)
    }
}

/// Runs `work` for a signed-in person holding `permission`: no session is `Unauthorized`, a
/// role without it `Forbidden` (the table in `domain::access`).
pub async fn guard<T, F, Fut>(permission: Permission, work: F) -> Result<T, AppError>
where
    F: FnOnce(Caller) -> Fut,
    Fut: Future<Output = Result<T, AppError>>,
{
    // Who asked, once known: a refusal is counted against them.
    let mut actor = Actor::Anonymous;
    let result = async {
        let caller = caller(permission, &mut actor).await?;
        work(caller).await
    }
    .await;
    respond(result, &actor).await
}

/// Runs `work` for anyone: signing in, first-run setup, invitations.
pub async fn open<T, F, Fut>(work: F) -> Result<T, AppError>
where
    F: FnOnce(Visitor) -> Fut,
    Fut: Future<Output = Result<T, AppError>>,
{
    let result = async move {
        let visitor = visitor().await?;
        work(visitor).await
    }
    .await;
    respond(result, &Actor::Anonymous).await
}

/// What the server provides to every request.
pub fn services() -> Result<Services, AppError> {
    use_context::<Services>().ok_or_else(|| {
        tracing::error!("no services in the request context");
        AppError::Internal
    })
}

async fn visitor() -> Result<Visitor, AppError> {
    let services = services()?;
    let now = services.clock.now();
    let session = session().await?;
    let source = source_address(&services).await;
    Ok(Visitor {
        services,
        session,
        now,
        source,
    })
}

async fn caller(permission: Permission, actor: &mut Actor) -> Result<Caller, AppError> {
    let Visitor {
        services,
        session,
        now,
        source,
    } = visitor().await?;
    let user_id = session.user_id(now).await?.ok_or(AppError::Unauthorized)?;
    let Some(principal) = active_principal(&services.pool, user_id).await? else {
        // Disabled since signing in.
        session.end().await?;
        return Err(AppError::Unauthorized);
    };
    *actor = principal.actor();
    authorize(&principal, permission)?;
    Ok(Caller {
        services,
        session,
        principal,
        now,
        source,
    })
}

/// The request's browser session.
async fn session() -> Result<AuthSession, AppError> {
    leptos_axum::extract::<tower_sessions::Session>()
        .await
        .map(AuthSession)
        .map_err(|error| {
            tracing::error!(%error, "no session layer");
            AppError::Internal
        })
}

/// The client's address: the socket's peer, or what a trusted proxy says it is.
async fn source_address(services: &Services) -> Option<std::net::IpAddr> {
    let peer = leptos_axum::extract::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
        .await
        .ok()
        .map(|info| info.0.ip());
    let forwarded = use_context::<http::request::Parts>()
        .and_then(|parts| crate::backend::platform::services::forwarded_for(&parts.headers));
    services.client_address(peer, forwarded.as_deref())
}

fn header(name: http::HeaderName) -> Option<String> {
    use_context::<http::request::Parts>().and_then(|parts| {
        parts
            .headers
            .get(name)
            .and_then(|value| value.to_str().ok())
            .map(str::to_owned)
    })
}

/// Counts one `access.denied` for this request (its path and query, from its client address),
/// in the background.
async fn count_denial(actor: &Actor) {
    let Ok(services) = services() else { return };
    let now = services.clock.now();
    let source = source_address(&services).await;
    let target = use_context::<http::request::Parts>()
        .and_then(|parts| parts.uri.path_and_query().map(ToString::to_string))
        .unwrap_or_default();
    tallies::count_denial_later(services.pool.clone(), actor.clone(), source, target, now);
}

/// The browser's User-Agent, for the person's list of sessions.
pub fn user_agent() -> Option<String> {
    header(http::header::USER_AGENT)
}

/// Sets the HTTP status of a failed server function to the error's own status — except for
/// a plain HTML form post (no JavaScript), which Leptos answers with a redirect back to the
/// form carrying the error in the URL; a status here would replace that redirect.
///
/// A refused authorization (403, or the 404 hiding an object) is counted as `access.denied`
/// against `actor`; the hiding 404 leaves as a plain `NotFound`.
async fn respond<T>(result: Result<T, AppError>, actor: &Actor) -> Result<T, AppError> {
    let result = match result {
        Err(error) if error.is_denial() => {
            count_denial(actor).await;
            Err(match error {
                AppError::Hidden => AppError::NotFound,
                other => other,
            })
        }
        other => other,
    };
    let plain_form_post = use_context::<http::request::Parts>().is_some_and(|parts| {
        crate::backend::platform::services::plain_form_post(&parts.method, &parts.headers)
    });
    if plain_form_post {
        return result;
    }
    if let Err(error) = &result {
        if let Some(options) = use_context::<leptos_axum::ResponseOptions>() {
            if let Ok(status) = http::StatusCode::from_u16(error.status()) {
                options.set_status(status);
            }
            if let Some(seconds) = error.retry_after() {
                options.insert_header(http::header::RETRY_AFTER, http::HeaderValue::from(seconds));
            }
        }
    }
    result
}
