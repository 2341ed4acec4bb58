use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_location;

use super::components::{ErrorPage, Success, UserMenu};
use super::providers::{provide_current_user, use_current_user};
use crate::domain::Permission;

/// The frame around every page: skip link, header with navigation, main content, footer.
#[component]
pub fn Layout(children: Children) -> impl IntoView {
    provide_current_user();
    // The page's script sets this to "true" once the page's islands run (see `shell`). Browser
    // tests wait for it; people never see it.
    view! {
        <div class="app" data-hydrated="false">
            <a class="skip-link" href="#main">
                "Skip to content"
            </a>
            <header class="app-header">
                <div class="app-header__inner">
                    <a class="brand" href="/">
                        <span class="brand__mark" aria-hidden="true">
                            "◆"
                        </span>
                        <span class="brand__name">"AI Governance Portal"</span>
                    </a>
                    <Navigation />
                    <UserMenu />
                </div>
            </header>
            <main id="main" class="app-main" tabindex="-1">
                <AdminNavigation />
                <Confirmation />
                <StopBanners />
                <ErrorBoundary fallback=|_errors| {
                    view! { <ErrorPage /> }
                }>{children()}</ErrorBoundary>
            </main>
            <footer class="app-footer">
                <p>
                    "AI Governance Portal "
                    <span class="app-footer__version">"v" {crate::VERSION}</span>
                    " · open source · " <a href="/readyz">"service status"</a>
                </p>
            </footer>
        </div>
    }
}

/// Main navigation: what the signed-in person's roles open up. Nothing but the brand when
/// signed out. The administration pages share one entry (their own tabs are below the header),
/// so the header stays one line for admins; the account page is the name in the account corner.
#[component]
fn Navigation() -> impl IntoView {
    let user = use_current_user();
    let in_admin = in_admin_section();
    view! {
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                let Ok(Some(user)) = user.await else {
                    return ().into_any();
                };
                view! {
                    <nav class="app-nav" aria-label="Main">
                        <ul>
                            <li>
                                <A href="/" exact=true>
                                    "Overview"
                                </A>
                            </li>
                            <li>
                                <A href="/tools">"AI tools"</A>
                            </li>
                            <li>
                                <A href="/data-classes">"Data classes"</A>
                            </li>
                            <li>
                                <A href="/scan">"Check a text"</A>
                            </li>
                            <li>
                                <A href="/requests">"Requests"</A>
                            </li>
                            <li>
                                <A href="/checklists">"Checklist"</A>
                            </li>
                            <li>
                                <A href="/incidents">"Incidents"</A>
                            </li>
                            {user
                                .may(Permission::ViewDashboards)
                                .then(|| {
                                    view! {
                                        <li>
                                            <A href="/dashboard">"Dashboard"</A>
                                        </li>
                                    }
                                })}
                            {user
                                .may(Permission::ManagePeople)
                                .then(|| {
                                    view! {
                                        <li>
                                            <a
                                                href=ADMIN_PAGES[0].0
                                                aria-current={move || in_admin().then_some("page")}
                                            >
                                                "Admin"
                                            </a>
                                        </li>
                                    }
                                })}
                        </ul>
                    </nav>
                }
                    .into_any()
            })}
        </Suspense>
    }
}

/// The administration pages, in tab order; the header's "Admin" entry opens the first.
const ADMIN_PAGES: [(&str, &str); 6] = [
    ("/admin/people", "People"),
    ("/admin/teams", "Teams"),
    ("/admin/checklist", "Checklist items"),
    ("/admin/settings", "Settings"),
    ("/admin/integrations", "Integrations"),
    ("/admin/audit", "Audit log"),
];

fn in_admin_section() -> impl Fn() -> bool + Copy + Send + Sync + 'static {
    let location = use_location();
    move || location.pathname.with(|path| path.starts_with("/admin/"))
}

/// The administration section's tabs, on every `/admin/…` page an admin opens.
#[component]
fn AdminNavigation() -> impl IntoView {
    let user = use_current_user();
    let in_admin = in_admin_section();
    view! {
        <Show when=in_admin>
            <Suspense fallback=|| ()>
                {move || Suspend::new(async move {
                    if !matches!(
                        user.await,
                        Ok(Some(ref user))
                        if user.may(Permission::ManagePeople)
                    ) {
                        return ().into_any();
                    }
                    view! {
                        <nav class="sub-nav" aria-label="Administration">
                            <ul>
                                {ADMIN_PAGES
                                    .iter()
                                    .map(|&(href, label)| {
                                        view! {
                                            <li>
                                                <A href=href>{label}</A>
                                            </li>
                                        }
                                    })
                                    .collect_view()}
                            </ul>
                        </nav>
                    }
                        .into_any()
                })}
            </Suspense>
        </Show>
    }
}

/// The confirmation of the change just made (kept in the session by the server function, since
/// forms post and come back), shown once above the page.
#[component]
fn Confirmation() -> impl IntoView {
    let user = use_current_user();
    view! {
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                let notice = user.await.ok().flatten().and_then(|user| user.notice);
                notice.map(|message| view! { <Success message /> })
            })}
        </Suspense>
    }
}

/// A banner for every tool stopped by the kill switch that concerns the signed-in person, on
/// every page until they acknowledge it: what was stopped, why, what to use instead, and the
/// incident.
#[component]
fn StopBanners() -> impl IntoView {
    let user = use_current_user();
    view! {
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                let stops = user.await.ok().flatten().map(|user| user.stops).unwrap_or_default();
                stops
                    .into_iter()
                    .map(|stop| {
                        let acknowledge = ServerAction::<crate::api::AcknowledgeStop>::new();
                        view! {
                            <div
                                class="notice notice--error stop-banner"
                                role="alert"
                                data-testid="stop-banner"
                            >
                                <p class="notice__title">
                                    {format!("{} is stopped for everyone", stop.tool.name)}
                                </p>
                                <p>{stop.reason.clone()}</p>
                                {(!stop.instead.is_empty())
                                    .then(|| {
                                        view! { <p>{format!("Instead: {}", stop.instead)}</p> }
                                    })}
                                <div class="stop-banner__actions">
                                    {stop
                                        .incident
                                        .map(|n| {
                                            view! {
                                                <a href=format!(
                                                    "/incidents/{n}",
                                                )>{format!("Incident #{n}")}</a>
                                            }
                                        })}
                                    <a href=format!(
                                        "/tools/{}",
                                        stop.tool.slug,
                                    )>{format!("About {}", stop.tool.name)}</a>
                                    <ActionForm action=acknowledge attr:class="form--inline">
                                        <input
                                            type="hidden"
                                            name="stop"
                                            value=stop.stop_id.clone()
                                        />
                                        <button type="submit" class="button button--secondary">
                                            "I have read this"
                                        </button>
                                    </ActionForm>
                                </div>
                            </div>
                        }
                    })
                    .collect_view()
            })}
        </Suspense>
    }
}
