use leptos::prelude::*;
use leptos_meta::Title;

/// Shown when a page fails to render. It never shows internal detail: the server has logged it.
#[component]
pub fn ErrorPage() -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let Some(options) = use_context::<leptos_axum::ResponseOptions>() {
        options.set_status(http::StatusCode::INTERNAL_SERVER_ERROR);
    }
    view! {
        <Title text="Something went wrong" />
        <section class="page page--message" aria-labelledby="error-title">
            <h1 id="error-title">"Something went wrong"</h1>
            <p>"The page could not be shown. Please try again in a moment."</p>
            <p>
                <a class="button" href="/">"Back to the overview"</a>
            </p>
        </section>
    }
}
