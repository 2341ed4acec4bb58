use leptos::prelude::*;
use leptos_router::components::Redirect;

use crate::error::AppError;

/// A busy indicator announced to screen readers.
#[component]
pub fn Loading(#[prop(into)] label: String) -> impl IntoView {
    view! {
        <div class="loading" role="status" aria-live="polite">
            <span class="loading__spinner" aria-hidden="true"></span>
            <span>{label}</span>
        </div>
    }
}

/// A user-safe error message with a way forward. Not signed in: off to the sign-in page; a
/// second factor owed: off to set it up.
#[component]
pub fn ErrorNotice(error: AppError) -> impl IntoView {
    // The page answers with the error's own status (404 for a wrong link, …).
    #[cfg(feature = "ssr")]
    if let (Some(options), Ok(status)) = (
        use_context::<leptos_axum::ResponseOptions>(),
        http::StatusCode::from_u16(error.status()),
    ) {
        options.set_status(status);
    }
    match error {
        AppError::Unauthorized => view! { <Redirect path=sign_in_and_back() /> }.into_any(),
        AppError::EnrollmentRequired => {
            view! { <Redirect path="/account/two-factor" /> }.into_any()
        }
        AppError::NotFound => view! {
            <div class="notice notice--error" role="alert">
                <p class="notice__title">"Not found"</p>
                <p>
                    "There is nothing here: the link may be wrong, or what it pointed to is gone."
                </p>
            </div>
        }
        .into_any(),
        error => view! {
            <div class="notice notice--error" role="alert">
                <p class="notice__title">"Could not load this page"</p>
                <p>{error.to_string()}</p>
            </div>
        }
        .into_any(),
    }
}

/// What a list shows when it has nothing in it: what that means and what to do next.
#[component]
pub fn EmptyState(#[prop(into)] title: String, children: Children) -> impl IntoView {
    view! {
        <div class="empty-state">
            <p class="empty-state__title">{title}</p>
            <div class="empty-state__body">{children()}</div>
        </div>
    }
}

/// A confirmation after a change, announced politely.
#[component]
pub fn Success(#[prop(into)] message: String) -> impl IntoView {
    view! {
        <div class="notice notice--ok" role="status">
            <p>{message}</p>
        </div>
    }
}

/// A value as shown in a details list: a dash when there is none.
pub fn or_dash(text: &str) -> String {
    if text.trim().is_empty() {
        "—".to_owned()
    } else {
        text.to_owned()
    }
}

/// A machine value in a details list (package, version, checksum) set in code type, or
/// `fallback` in plain text when there is none.
pub fn code_or(text: &str, fallback: &'static str, class: &'static str) -> AnyView {
    if text.trim().is_empty() {
        view! { {fallback} }.into_any()
    } else {
        view! { <code class=class>{text.to_owned()}</code> }.into_any()
    }
}

/// The sign-in page, told to come back to the page being shown.
fn sign_in_and_back() -> String {
    let location = leptos_router::hooks::use_location();
    let path = location.pathname.get_untracked();
    let search = location.search.get_untracked();
    let here = if search.is_empty() {
        path
    } else {
        format!("{path}?{search}")
    };
    crate::domain::ReturnTo::or_home(&here).link_from("/sign-in")
}
