use leptos::prelude::*;
use leptos_router::components::A;

use super::components::{ErrorPage, UserMenu};
use super::providers::{provide_current_user, use_current_user};

/// The frame around every page: skip link, header with navigation, main content, footer.
#[component]
pub fn Layout(children: Children) -> impl IntoView {
    // Effects run only in the browser, so this flips once the wasm bundle has hydrated the page.
    // Browser tests wait for it; people never see it.
    provide_current_user();
    let hydrated = RwSignal::new(false);
    Effect::new(move |_| hydrated.set(true));

    view! {
        <div class="app" data-hydrated=move || hydrated.get().to_string()>
            <a class="skip-link" href="#main">"Skip to content"</a>
            <header class="app-header">
                <div class="app-header__inner">
                    <a class="brand" href="/">
                        <span class="brand__mark" aria-hidden="true">"◆"</span>
                        <span class="brand__name">"AI Governance Portal"</span>
                    </a>
                    <Navigation />
                    <UserMenu />
                </div>
            </header>
            <main id="main" class="app-main" tabindex="-1">
                <ErrorBoundary fallback=|_errors| view! { <ErrorPage /> }>{children()}</ErrorBoundary>
            </main>
            <footer class="app-footer">
                <p>
                    "AI Governance Portal " <span class="app-footer__version">"v" {crate::VERSION}</span>
                    " · open source · "
                    <a href="/readyz">"service status"</a>
                </p>
            </footer>
        </div>
    }
}

/// Main navigation: what the signed-in person's roles open up. Nothing but the brand when
/// signed out.
#[component]
fn Navigation() -> impl IntoView {
    let user = use_current_user();
    view! {
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                let Ok(Some(user)) = user.await else {
                    return ().into_any();
                };
                view! {
                    <nav class="app-nav" aria-label="Main">
                        <ul>
                            <li><A href="/" exact=true>"Overview"</A></li>
                            <li><A href="/tools">"AI tools"</A></li>
                            <li><A href="/data-classes">"Data classes"</A></li>
                            <li><A href="/requests">"Requests"</A></li>
                            <li><A href="/checklists">"Checklist"</A></li>
                            {(user.is_admin() || user.roles.contains(&crate::domain::Role::Manager)).then(|| view! {
                                <li><A href="/dashboard">"Dashboard"</A></li>
                            })}
                            {user.is_admin().then(|| view! {
                                <li><A href="/admin/people">"People"</A></li>
                                <li><A href="/admin/teams">"Teams"</A></li>
                                <li><A href="/admin/checklist">"Checklist items"</A></li>
                                <li><A href="/admin/settings">"Settings"</A></li>
                                <li><A href="/admin/audit">"Audit log"</A></li>
                            })}
                            <li><A href="/account">"Account"</A></li>
                        </ul>
                    </nav>
                }
                .into_any()
            })}
        </Suspense>
    }
}
