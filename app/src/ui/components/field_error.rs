use leptos::prelude::*;

use crate::error::AppError;

/// The message for `field` when `error` is about it.
pub fn message_for(error: &Option<AppError>, field: &str) -> Option<String> {
    match error {
        Some(AppError::Invalid { field: f, message }) if f == field => Some(message.clone()),
        _ => None,
    }
}

/// A form's general error: anything not about one field.
#[component]
pub fn FormError(error: Option<AppError>) -> impl IntoView {
    error.filter(|error| error.field().is_none()).map(|error| {
        view! {
            <div class="notice notice--error" role="alert">
                <p>{error.to_string()}</p>
            </div>
        }
    })
}
