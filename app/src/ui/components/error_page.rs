use leptos::prelude::*;

use super::{Page, Width};

/// Shown when a page fails to render. It never shows internal detail: the server has logged it.
#[component]
pub fn ErrorPage() -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let Some(options) = use_context::<leptos_axum::ResponseOptions>() {
        options.set_status(http::StatusCode::INTERNAL_SERVER_ERROR);
    }
    view! {
        <Page title="Something went wrong" heading="Something went wrong" width=Width::Message>
            <p>"The page could not be shown. Please try again in a moment."</p>
            <p>
                <a class="button" href="/">
                    "Back to the overview"
                </a>
            </p>
        </Page>
    }
}
