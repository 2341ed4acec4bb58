//! View code only: the document shell, the route table, pages and shared components.

mod components;
mod layout;
mod pages;
mod providers;

use leptos::prelude::*;
#[cfg(feature = "ssr")]
use leptos_meta::MetaTags;
use leptos_meta::{provide_meta_context, Title};
use leptos_router::components::{Outlet, ParentRoute, Route, Router, Routes};
use leptos_router::{path, SsrMode};

use layout::Layout;
use pages::{
    AccountPage, AuditPage, ChecklistAdminPage, ChecklistsPage, DashboardPage, DataClassPage,
    DataClassesPage, DetectorPage, ExercisePage, ExercisesPage, HomePage, IncidentPage,
    IncidentsPage, IntegrationsPage, InvitePage, NotFoundPage, NotificationSettingsPage,
    NotificationsPage, PeoplePage, PersonPage, PlaybookPageView, PlaybooksPage, ReceiptPage,
    RegistryPage, ReportIncidentPage, RequestEditorPage, RequestPage, RequestsPage, ScanPage,
    SettingsPage, SetupPage, SignInCodePage, SignInPage, TeamChecklistPage, TeamPage, TeamsPage,
    ToolEditorPage, ToolPage, TwoFactorPage,
};

/// The HTML document the server renders around the app.
#[cfg(feature = "ssr")]
pub fn shell(options: LeptosOptions) -> impl IntoView {
    use crate::backend::platform::site_files::SiteFiles;
    set_page_security_policy();
    // Islands mode: nothing outside an island hydrates, so the data the server loaded for the
    // page is not copied into it as well (as Leptos' own `HydrationScripts` would arrange).
    if let Some(context) = Owner::current_shared_context() {
        context.set_is_hydrating(false);
    }
    let files = use_context::<std::sync::Arc<SiteFiles>>().unwrap_or_default();
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8" />
                <meta name="viewport" content="width=device-width, initial-scale=1" />
                <meta name="color-scheme" content="light" />
                <link rel="icon" href="/favicon.svg" type="image/svg+xml" />
                <link rel="stylesheet" id="portal" href=files.url("portal.css") />
                <AutoReload options />
                {bundle_script(&files)}
                <MetaTags />
            </head>
            <body>
                <App />
            </body>
        </html>
    }
}

/// Starts the browser bundle where JavaScript runs and the page has islands: the wasm is
/// fetched by the script itself (at once, beside the glue code) rather than preloaded by a link,
/// which a browser without JavaScript would download for nothing; a page without islands loads
/// no bundle at all. Each `<leptos-island>` is handed to the function the bundle exports under
/// its `data-component` name. `data-hydrated` on `.app` tells browser tests the page is ready.
#[cfg(feature = "ssr")]
fn bundle_script(files: &crate::backend::platform::site_files::SiteFiles) -> impl IntoView {
    // An island's function is named after its component and a number (`Teams_123…`); only those
    // are called, each on its own, and an island inside another is left to the outer one.
    let script = format!(
        "const app = document.querySelector('.app'); \
         const islands = [...document.querySelectorAll('leptos-island')] \
         .filter((island) => !island.parentElement.closest('leptos-island')); \
         const ready = () => app && app.setAttribute('data-hydrated', 'true'); \
         if (islands.length === 0) {{ ready(); }} else {{ \
         const wasm = fetch({wasm}); \
         import({js}).then(async (bundle) => {{ \
         await bundle.default({{ module_or_path: wasm }}); bundle.hydrate(); \
         for (const island of islands) {{ \
         const name = island.dataset.component || ''; \
         if (!/^[A-Z]\\w*_\\d+$/.test(name) || typeof bundle[name] !== 'function') continue; \
         try {{ await bundle[name](island); }} catch (error) {{ console.error(name, error); }} }} \
         ready(); }}); }}",
        wasm = script_string(&files.url("portal.wasm")),
        js = script_string(&files.url("portal.js")),
    );
    view! {
        <script type="module" nonce=leptos::nonce::use_nonce()>
            {script}
        </script>
    }
}

/// `text` as a JavaScript string literal that cannot end the `<script>` element it sits in.
#[cfg(feature = "ssr")]
fn script_string(text: &str) -> String {
    serde_json::to_string(text)
        .unwrap_or_default()
        .replace('<', "\\u003c")
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    view! {
        <Title formatter=|page: String| format!("{page} · AI Governance Portal") />
        <Router>
            <Layout>
                <Routes fallback=NotFoundPage>
                    // Async for every page: the server renders a page only once its data is in,
                    // so the HTML is complete for a browser without JavaScript. Children inherit
                    // the parent's mode.
                    <ParentRoute path=path!("") view=Outlet ssr=SsrMode::Async>
                        <Route path=path!("/") view=HomePage />
                        <Route path=path!("/sign-in") view=SignInPage />
                        <Route path=path!("/sign-in/code") view=SignInCodePage />
                        <Route path=path!("/setup") view=SetupPage />
                        <Route path=path!("/invite") view=InvitePage />
                        <Route path=path!("/account") view=AccountPage />
                        <Route path=path!("/account/two-factor") view=TwoFactorPage />
                        <Route path=path!("/tools") view=RegistryPage />
                        <Route path=path!("/tools/new") view=ToolEditorPage />
                        <Route path=path!("/tools/:slug") view=ToolPage />
                        <Route path=path!("/tools/:slug/edit") view=ToolEditorPage />
                        <Route path=path!("/data-classes") view=DataClassesPage />
                        <Route path=path!("/data-classes/:slug") view=DataClassPage />
                        <Route path=path!("/data-classes/:slug/detectors/:id") view=DetectorPage />
                        <Route path=path!("/scan") view=ScanPage />
                        <Route path=path!("/requests") view=RequestsPage />
                        <Route path=path!("/requests/new") view=RequestEditorPage />
                        <Route path=path!("/requests/:number") view=RequestPage />
                        <Route path=path!("/requests/:number/edit") view=RequestEditorPage />
                        <Route path=path!("/receipts/:id") view=ReceiptPage />
                        <Route path=path!("/incidents") view=IncidentsPage />
                        <Route path=path!("/incidents/new") view=ReportIncidentPage />
                        <Route path=path!("/incidents/playbooks") view=PlaybooksPage />
                        <Route path=path!("/incidents/exercises") view=ExercisesPage />
                        <Route path=path!("/incidents/exercises/:number") view=ExercisePage />
                        <Route path=path!("/incidents/playbooks/:kind") view=PlaybookPageView />
                        <Route path=path!("/incidents/:number") view=IncidentPage />
                        <Route path=path!("/checklists") view=ChecklistsPage />
                        <Route path=path!("/teams/:slug/checklist") view=TeamChecklistPage />
                        <Route path=path!("/dashboard") view=DashboardPage />
                        <Route path=path!("/notifications") view=NotificationsPage />
                        <Route
                            path=path!("/notifications/settings")
                            view=NotificationSettingsPage
                        />
                        <Route path=path!("/admin/people") view=PeoplePage />
                        <Route path=path!("/admin/people/:id") view=PersonPage />
                        <Route path=path!("/admin/teams") view=TeamsPage />
                        <Route path=path!("/admin/teams/:slug") view=TeamPage />
                        <Route path=path!("/admin/settings") view=SettingsPage />
                        <Route path=path!("/admin/integrations") view=IntegrationsPage />
                        <Route path=path!("/admin/audit") view=AuditPage />
                        <Route path=path!("/admin/checklist") view=ChecklistAdminPage />
                    </ParentRoute>
                </Routes>
            </Layout>
        </Router>
    }
}

/// Pages may run only our own bundle: the inline hydration script carries this response's nonce,
/// and what it imports is trusted through it (`'strict-dynamic'`).
#[cfg(feature = "ssr")]
fn set_page_security_policy() {
    use leptos::nonce::use_nonce;
    let (Some(nonce), Some(response)) =
        (use_nonce(), use_context::<leptos_axum::ResponseOptions>())
    else {
        return;
    };
    let policy = format!(
        "default-src 'self'; script-src 'nonce-{nonce}' 'strict-dynamic' 'wasm-unsafe-eval'; \
         style-src 'self'; img-src 'self' data:; connect-src 'self'; font-src 'self'; \
         object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    );
    if let Ok(value) = http::HeaderValue::from_str(&policy) {
        response.insert_header(http::header::CONTENT_SECURITY_POLICY, value);
    }
}
