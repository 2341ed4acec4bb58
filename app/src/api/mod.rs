//! Server functions: the browser's entry points into the backend.
//!
//! Each one loads what it needs from the request context, calls one backend function and maps
//! its error; no SQL lives here.

mod account;
mod admin;
mod auth;
mod checklists;
mod decisions;
mod notifications;
mod onboarding;
mod overview;
mod registry;
mod requests;

pub use account::*;
pub use admin::*;
pub use auth::*;
pub use checklists::*;
pub use decisions::*;
pub use notifications::*;
pub use onboarding::*;
pub use overview::*;
pub use registry::*;
pub use requests::*;

#[cfg(feature = "ssr")]
mod context {
    use crate::error::AppError;
    use leptos::prelude::*;

    use crate::backend::identity::auth::session::AuthSession;
    use crate::backend::identity::users::{active_principal, Principal};
    use crate::backend::platform::access::authorize;
    use crate::backend::platform::services::Services;
    use crate::domain::Permission;

    /// What the server provides to every request.
    pub fn services() -> Result<Services, AppError> {
        use_context::<Services>().ok_or_else(|| {
            tracing::error!("no services in the request context");
            AppError::Internal
        })
    }

    pub fn pool() -> Result<sqlx::PgPool, AppError> {
        services().map(|services| services.pool)
    }

    /// The request's browser session.
    pub async fn session() -> Result<AuthSession, AppError> {
        leptos_axum::extract::<tower_sessions::Session>()
            .await
            .map(AuthSession)
            .map_err(|error| {
                tracing::error!(%error, "no session layer");
                AppError::Internal
            })
    }

    /// The client's address: the socket's peer, or what a trusted proxy says it is.
    pub async fn source_address() -> Option<std::net::IpAddr> {
        let peer = leptos_axum::extract::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
            .await
            .ok()
            .map(|info| info.0.ip());
        let forwarded = use_context::<http::request::Parts>().and_then(|parts| {
            parts
                .headers
                .get("x-forwarded-for")
                .and_then(|value| value.to_str().ok())
                .map(str::to_owned)
        });
        services().ok()?.client_address(peer, forwarded.as_deref())
    }

    /// The browser's User-Agent, for the person's list of sessions.
    pub fn user_agent() -> Option<String> {
        use_context::<http::request::Parts>().and_then(|parts| {
            parts
                .headers
                .get(http::header::USER_AGENT)
                .and_then(|value| value.to_str().ok())
                .map(str::to_owned)
        })
    }

    /// A request from a signed-in person who may do what they ask.
    pub struct Authorized {
        pub services: Services,
        pub session: AuthSession,
        pub principal: Principal,
        pub now: chrono::DateTime<chrono::Utc>,
        pub source: Option<std::net::IpAddr>,
    }

    impl Authorized {
        /// Who changes something, from where and when: what an audited save records.
        pub fn change(&self) -> Result<crate::backend::platform::change::Change, AppError> {
            Ok(crate::backend::platform::change::Change {
                actor: self.principal.actor(),
                by: Some(self.principal.user_id),
                source: self.source,
                now: self.now,
                today: crate::backend::platform::change::today(self.now)?,
            })
        }
    }

    /// Every server function that needs a signed-in person starts here: no session is
    /// `Unauthorized`, a role without `permission` is `Forbidden` (see `backend::access`).
    pub async fn authorized(permission: Permission) -> Result<Authorized, AppError> {
        let services = services()?;
        let now = services.clock.now();
        let session = session().await?;
        let user_id = session.user_id(now).await?.ok_or(AppError::Unauthorized)?;
        let Some(principal) = active_principal(&services.pool, user_id).await? else {
            // Disabled since signing in.
            session.end().await?;
            return Err(AppError::Unauthorized);
        };
        authorize(&principal, permission)?;
        let source = source_address().await;
        Ok(Authorized {
            services,
            session,
            principal,
            now,
            source,
        })
    }

    /// Sets the HTTP status of a failed server function to the error's own status — except for
    /// a plain HTML form post (no JavaScript), which Leptos answers with a redirect back to the
    /// form carrying the error in the URL; a status here would replace that redirect.
    pub fn respond<T>(result: Result<T, AppError>) -> Result<T, AppError> {
        let plain_form_post = use_context::<http::request::Parts>().is_some_and(|parts| {
            parts.method == http::Method::POST
                && parts
                    .headers
                    .get(http::header::ACCEPT)
                    .and_then(|accept| accept.to_str().ok())
                    .is_some_and(|accept| accept.contains("text/html"))
        });
        if plain_form_post {
            return result;
        }
        if let Err(error) = &result {
            if let Some(options) = use_context::<leptos_axum::ResponseOptions>() {
                if let Ok(status) = http::StatusCode::from_u16(error.status()) {
                    options.set_status(status);
                }
            }
        }
        result
    }
}
