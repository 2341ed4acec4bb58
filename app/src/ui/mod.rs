//! View code only: the document shell, the route table, pages and shared components.

mod components;
mod layout;
mod pages;
mod providers;

use leptos::prelude::*;
use leptos_meta::{provide_meta_context, MetaTags, Stylesheet, Title};
use leptos_router::components::{Route, Router, Routes};
use leptos_router::{path, SsrMode};

use layout::Layout;
use pages::{
    AccountPage, AuditPage, ChecklistAdminPage, ChecklistsPage, DashboardPage, DataClassPage,
    DataClassesPage, HomePage, InvitePage, NotFoundPage, NotificationsPage, PeoplePage, PersonPage,
    ReceiptPage, RegistryPage, RequestEditorPage, RequestPage, RequestsPage, SettingsPage,
    SetupPage, SignInCodePage, SignInPage, TeamChecklistPage, TeamPage, TeamsPage, ToolEditorPage,
    ToolPage, TwoFactorPage,
};

/// The HTML document the server renders around the app.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    #[cfg(feature = "ssr")]
    set_page_security_policy();
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8" />
                <meta name="viewport" content="width=device-width, initial-scale=1" />
                <meta name="color-scheme" content="light" />
                <link rel="icon" href="/favicon.svg" type="image/svg+xml" />
                <AutoReload options=options.clone() />
                <HydrationScripts options />
                <MetaTags />
            </head>
            <body>
                <App />
            </body>
        </html>
    }
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    view! {
        <Stylesheet id="portal" href="/pkg/portal.css" />
        <Title formatter=|page: String| format!("{page} · AI Governance Portal") />
        <Router>
            <Layout>
                <Routes fallback=NotFoundPage>
                    // Async: the server renders each page only once its data is in, so the
                    // HTML is complete for a browser without JavaScript.
                    <Route path=path!("/") view=HomePage ssr=SsrMode::Async />
                    <Route path=path!("/sign-in") view=SignInPage ssr=SsrMode::Async />
                    <Route
                        path=path!("/sign-in/code")
                        view=SignInCodePage
                        ssr=SsrMode::Async
                    />
                    <Route path=path!("/setup") view=SetupPage ssr=SsrMode::Async />
                    <Route path=path!("/invite/:token") view=InvitePage ssr=SsrMode::Async />
                    <Route path=path!("/account") view=AccountPage ssr=SsrMode::Async />
                    <Route
                        path=path!("/account/two-factor")
                        view=TwoFactorPage
                        ssr=SsrMode::Async
                    />
                    <Route path=path!("/tools") view=RegistryPage ssr=SsrMode::Async />
                    <Route path=path!("/tools/new") view=ToolEditorPage ssr=SsrMode::Async />
                    <Route path=path!("/tools/:slug") view=ToolPage ssr=SsrMode::Async />
                    <Route
                        path=path!("/tools/:slug/edit")
                        view=ToolEditorPage
                        ssr=SsrMode::Async
                    />
                    <Route path=path!("/data-classes") view=DataClassesPage ssr=SsrMode::Async />
                    <Route
                        path=path!("/data-classes/:slug")
                        view=DataClassPage
                        ssr=SsrMode::Async
                    />
                    <Route path=path!("/requests") view=RequestsPage ssr=SsrMode::Async />
                    <Route
                        path=path!("/requests/new")
                        view=RequestEditorPage
                        ssr=SsrMode::Async
                    />
                    <Route path=path!("/requests/:number") view=RequestPage ssr=SsrMode::Async />
                    <Route
                        path=path!("/requests/:number/edit")
                        view=RequestEditorPage
                        ssr=SsrMode::Async
                    />
                    <Route path=path!("/receipts/:id") view=ReceiptPage ssr=SsrMode::Async />
                    <Route path=path!("/checklists") view=ChecklistsPage ssr=SsrMode::Async />
                    <Route
                        path=path!("/teams/:slug/checklist")
                        view=TeamChecklistPage
                        ssr=SsrMode::Async
                    />
                    <Route path=path!("/dashboard") view=DashboardPage ssr=SsrMode::Async />
                    <Route
                        path=path!("/notifications")
                        view=NotificationsPage
                        ssr=SsrMode::Async
                    />
                    <Route path=path!("/admin/people") view=PeoplePage ssr=SsrMode::Async />
                    <Route path=path!("/admin/people/:id") view=PersonPage ssr=SsrMode::Async />
                    <Route path=path!("/admin/teams") view=TeamsPage ssr=SsrMode::Async />
                    <Route path=path!("/admin/teams/:slug") view=TeamPage ssr=SsrMode::Async />
                    <Route path=path!("/admin/settings") view=SettingsPage ssr=SsrMode::Async />
                    <Route path=path!("/admin/audit") view=AuditPage ssr=SsrMode::Async />
                    <Route
                        path=path!("/admin/checklist")
                        view=ChecklistAdminPage
                        ssr=SsrMode::Async
                    />
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
