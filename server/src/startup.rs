//! Builds the HTTP application: Leptos pages and server functions, probes, metrics, and the
//! middleware every response passes through.

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use app::{shell, App};
use axum::extract::{FromRef, State};
use axum::http::request::Parts;
use axum::http::{header, Request, StatusCode};
use axum::middleware::{from_fn, from_fn_with_state};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use leptos::config::{Env, LeptosOptions};
use leptos::prelude::provide_context;
use leptos_axum::{file_and_error_handler_with_context, generate_route_list, LeptosRoutes};
use sqlx::PgPool;
use tokio::net::TcpListener;
use tower::ServiceBuilder;
use tower_http::compression::predicate::{DefaultPredicate, NotForContentType, Predicate};
use tower_http::compression::CompressionLayer;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;

use app::backend::identity::auth::session::IDLE_SECS;
use app::backend::identity::auth::session_store::PgSessionStore;
use app::backend::identity::token_cache::{self, TokenCache};
use app::backend::platform::notified::{self, Cache, Watchers};
use app::backend::platform::rate::{self, Leases, RateLimit};
use app::backend::platform::services::Services;
use app::backend::platform::site_files::SiteFiles;
use app::backend::registry::policy;
use app::backend::scan;
use app::domain::{Permission, TokenScope};
use app::error::AppError;
use tower_sessions::cookie::time::Duration as CookieDuration;
use tower_sessions::cookie::SameSite;
use tower_sessions::{Expiry, SessionManagerLayer};

use crate::config::ServeOptions;
use crate::health;
use crate::metrics::{self, Metrics};
use crate::middleware::csrf::{check_origin, AllowedOrigin, OriginCheck};
use crate::middleware::security_headers::{security_headers, HeaderPolicy};
use crate::rest::{bearer, ApiError};

/// What handlers can extract with `State`.
#[derive(Clone, FromRef)]
pub struct AppState {
    pub leptos_options: LeptosOptions,
    pub pool: PgPool,
    pub services: Services,
    pub metrics: Metrics,
    /// The browser bundle's content-hashed names.
    pub site_files: Arc<SiteFiles>,
    /// The JSON API's per-account limit (`--api-calls-per-minute`), leased a few calls at a time.
    pub api_calls: Arc<Leases>,
    /// Bearer tokens seen in the last second, forgotten on every change to access.
    pub tokens: Arc<TokenCache>,
    /// `GET /api/v1/tools` pages sent in the last second, forgotten on every registry change.
    pub tool_pages: Arc<crate::rest::tools::ToolPages>,
}

/// A bound, not yet running, portal.
pub struct Application {
    listener: TcpListener,
    router: Router,
    port: u16,
    public_url: String,
    /// `/metrics` alone, without a token, on `--metrics-address`.
    metrics: Option<(TcpListener, Router)>,
}

impl Application {
    /// Binds the listening socket (port 0 picks a free port) and builds the router.
    pub async fn build(options: &ServeOptions, services: Services) -> std::io::Result<Self> {
        let listener = TcpListener::bind(SocketAddr::new(options.address, options.port)).await?;
        let local = listener.local_addr()?;
        let counters = Metrics::default();
        let metrics = match options.metrics_address {
            Some(address) => Some((
                TcpListener::bind(address).await?,
                metrics_only_router(counters.clone(), services.pool.clone()),
            )),
            None => None,
        };
        let router = router(options, local, services, counters);
        Ok(Self {
            listener,
            router,
            port: local.port(),
            public_url: options.public_url(local.port()),
            metrics,
        })
    }

    /// Where `/metrics` is served without a token, when it is.
    pub fn metrics_address(&self) -> Option<SocketAddr> {
        self.metrics
            .as_ref()
            .and_then(|(listener, _)| listener.local_addr().ok())
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    pub fn public_url(&self) -> &str {
        &self.public_url
    }

    /// Serves until `shutdown` completes, then lets requests in flight finish.
    pub async fn run_until(
        self,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> std::io::Result<()> {
        if let Some((listener, router)) = self.metrics {
            // Ends with the process; scrapes are short and hold nothing.
            tokio::spawn(async move { axum::serve(listener, router).await });
        }
        axum::serve(
            self.listener,
            self.router
                .into_make_service_with_connect_info::<SocketAddr>(),
        )
        .with_graceful_shutdown(shutdown)
        .await
    }
}

fn leptos_options(options: &ServeOptions, addr: SocketAddr) -> LeptosOptions {
    LeptosOptions::builder()
        .output_name("portal")
        .site_root(options.site_root.to_string_lossy().into_owned())
        .site_pkg_dir("pkg")
        .site_addr(addr)
        .env(Env::PROD)
        .build()
}

/// The whole HTTP surface of one portal instance.
pub fn router(
    options: &ServeOptions,
    addr: SocketAddr,
    services: Services,
    metrics: Metrics,
) -> Router {
    let services = Services {
        public_url: options
            .public_url(addr.port())
            .trim_end_matches('/')
            .to_owned(),
        trusted_proxies: options.trusted_proxies.clone(),
        ..services
    };
    let state = AppState {
        leptos_options: leptos_options(options, addr),
        pool: services.pool.clone(),
        services: services.clone(),
        metrics,
        site_files: Arc::new(SiteFiles::read(&options.site_root.join("pkg"), "portal")),
        api_calls: Arc::new(Leases::new(RateLimit {
            max: options.api_calls_per_minute,
            ..rate::API_CALLS
        })),
        tokens: token_cache::new(options.cache_ttl()),
        tool_pages: Cache::new(options.cache_ttl(), crate::rest::tools::TOOL_PAGES),
    };
    let caches: Watchers = vec![
        (token_cache::CHANNEL, state.tokens.clone()),
        (scan::rules::CHANNEL, state.services.scanners.clone()),
        (policy::POLICY_CHANNEL, state.services.policies.clone()),
        (policy::POLICY_CHANNEL, state.tool_pages.clone()),
    ];
    notified::spawn_listener(&services.pool, caches.clone());
    let public_url = options.public_url(addr.port());
    let sessions = session_layer(&services.pool, &public_url);
    let context = {
        let site_files = state.site_files.clone();
        move || {
            provide_context(services.clone());
            provide_context(site_files.clone());
        }
    };
    let routes = generate_route_list(App);

    Router::new()
        .route("/healthz", get(health::healthz))
        .route("/readyz", get(health::readyz))
        .route("/metrics", get(metrics_text))
        .route("/pkg/{file}", get(crate::bundle::serve))
        .route("/auth/oidc/start", get(crate::sso::start))
        .route(crate::sso::CALLBACK_PATH, get(crate::sso::callback))
        .route("/dashboard.csv", get(crate::exports::dashboard))
        .route("/teams/{slug}/checklist.csv", get(crate::exports::team))
        .route(
            "/scan",
            axum::routing::post(crate::scan_page::post).layer(
                axum::extract::DefaultBodyLimit::max(crate::scan_page::FORM_LIMIT),
            ),
        )
        .merge(crate::rest::router())
        .leptos_routes_with_context(&state, routes, context.clone(), {
            let leptos_options = state.leptos_options.clone();
            move || shell(leptos_options.clone())
        })
        .route_layer(from_fn(crate::middleware::server_fn_status::correct_status))
        .route_layer(from_fn(metrics::label_route))
        .fallback(file_and_error_handler_with_context::<AppState, _>(
            context, shell,
        ))
        .layer(
            ServiceBuilder::new()
                .layer(SetRequestIdLayer::x_request_id(MakeRequestUuid))
                .layer(
                    TraceLayer::new_for_http().make_span_with(|request: &Request<_>| {
                        let request_id = request
                            .headers()
                            .get("x-request-id")
                            .and_then(|v| v.to_str().ok())
                            .unwrap_or("-");
                        // The path only: query strings may one day carry something private.
                        tracing::info_span!(
                            "request",
                            method = %request.method(),
                            path = %request.uri().path(),
                            request_id = %request_id,
                        )
                    }),
                )
                .layer(PropagateRequestIdLayer::x_request_id())
                .layer(from_fn_with_state(state.metrics.clone(), metrics::record))
                .layer(from_fn_with_state(
                    HeaderPolicy::for_public_url(&public_url),
                    security_headers,
                ))
                .layer(from_fn_with_state(
                    OriginCheck {
                        allowed: AllowedOrigin::from_public_url(&public_url),
                        services: state.services.clone(),
                    },
                    check_origin,
                ))
                .layer(from_fn_with_state(
                    state.services.clone(),
                    crate::middleware::denials::count_denials,
                ))
                .layer(from_fn_with_state(
                    Arc::new(caches),
                    crate::middleware::forget_caches::after_changes,
                ))
                .layer(sessions)
                .layer(from_fn_with_state(
                    state.services.clone(),
                    crate::middleware::returned_input::keep_and_return,
                ))
                // The wasm bundle is served precompressed from the site folder (`.gz` beside it);
                // compressing megabytes per request would tie up the runtime's worker threads.
                .layer(CompressionLayer::new().compress_when(
                    DefaultPredicate::new().and(NotForContentType::const_new("application/wasm")),
                ))
                .layer(TimeoutLayer::with_status_code(
                    StatusCode::REQUEST_TIMEOUT,
                    Duration::from_secs(options.request_timeout),
                )),
        )
        .with_state(state)
}

/// Session cookies: HttpOnly, SameSite=Lax, and — whenever people reach the portal over https —
/// Secure with the `__Host-` prefix (no Domain, Path=/), so no subdomain can set or read them.
/// Over plain http (development) the cookie cannot be Secure and is named without the prefix.
fn session_layer(pool: &PgPool, public_url: &str) -> SessionManagerLayer<PgSessionStore> {
    let https = public_url.starts_with("https://");
    SessionManagerLayer::new(PgSessionStore::new(pool.clone()))
        .with_name(if https {
            "__Host-portal_session"
        } else {
            "portal_session"
        })
        .with_secure(https)
        .with_http_only(true)
        .with_same_site(SameSite::Lax)
        .with_path("/")
        .with_expiry(Expiry::OnInactivity(CookieDuration::seconds(IDLE_SECS)))
}

/// `/metrics` on the main address: only for a token with the `metrics` scope (Prometheus'
/// `authorization: credentials_file`), so the public address does not tell anyone the portal's
/// traffic and pool state. Its holder must still be an admin: a demoted admin's token stops.
async fn metrics_text(State(state): State<AppState>, parts: Parts) -> Response {
    match bearer(&parts, &state).await {
        Ok((principal, TokenScope::Metrics)) if principal.may(Permission::ManageSettings) => {
            metrics_response(&state.metrics, &state.pool)
        }
        Ok(_) => ApiError(AppError::Forbidden).into_response(),
        Err(error) => ApiError(error).into_response(),
    }
}

fn metrics_response(metrics: &Metrics, pool: &PgPool) -> Response {
    (
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        metrics.render(pool),
    )
        .into_response()
}

/// `/metrics` alone, without a token, for `--metrics-address`: the same counters as the main
/// router's.
fn metrics_only_router(metrics: Metrics, pool: PgPool) -> Router {
    Router::new().route(
        "/metrics",
        get(move || async move { metrics_response(&metrics, &pool) }),
    )
}

/// Completes on Ctrl-C or SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutting down");
}
