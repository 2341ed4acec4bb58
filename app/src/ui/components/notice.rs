use leptos::prelude::*;

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

/// A user-safe error message with a way forward.
#[component]
pub fn ErrorNotice(error: AppError) -> impl IntoView {
    view! {
        <div class="notice notice--error" role="alert">
            <p class="notice__title">"Could not load this page"</p>
            <p>{error.to_string()}</p>
        </div>
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
