use leptos::prelude::*;

use crate::ui::components::{Page, Width};

#[component]
pub fn NotFoundPage() -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let Some(options) = use_context::<leptos_axum::ResponseOptions>() {
        options.set_status(http::StatusCode::NOT_FOUND);
    }
    view! {
        <Page title="Page not found" heading="Page not found" section="404" width=Width::Message>
            <p>
                "There is no page at this address. It may have moved, or the link may be mistyped."
            </p>
            <p>
                <a class="button" href="/">
                    "Go to the overview"
                </a>
            </p>
        </Page>
    }
}
