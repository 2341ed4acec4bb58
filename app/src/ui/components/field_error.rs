use leptos::prelude::*;
use leptos::server_fn::ServerFn;

use crate::error::AppError;

/// The message for `field` when `error` is about it.
pub fn message_for(error: &Option<AppError>, field: &str) -> Option<String> {
    match error {
        Some(AppError::Invalid { field: f, message }) if f == field => Some(message.clone()),
        _ => None,
    }
}

/// The last error of a server action (after a plain form post too: Leptos carries it back).
pub fn action_error<S>(action: ServerAction<S>) -> Signal<Option<AppError>>
where
    S: ServerFn<Error = AppError> + Clone + Send + Sync + 'static,
    S::Output: Clone + Send + Sync + 'static,
{
    Signal::derive(move || action.value().get().and_then(Result::err))
}

/// Whether the last run of a server action succeeded (hydrated pages confirm changes with it).
pub fn action_done<S>(action: ServerAction<S>) -> Signal<bool>
where
    S: ServerFn<Error = AppError> + Clone + Send + Sync + 'static,
    S::Output: Clone + Send + Sync + 'static,
{
    Signal::derive(move || action.value().get().is_some_and(|result| result.is_ok()))
}

/// The message for one field of an action's last error.
pub fn field_error(error: Signal<Option<AppError>>, field: &'static str) -> Signal<Option<String>> {
    Signal::derive(move || message_for(&error.get(), field))
}

/// A form's general error: anything not about one field.
#[component]
pub fn FormError(#[prop(into)] error: Signal<Option<AppError>>) -> impl IntoView {
    move || {
        error
            .get()
            .filter(|error| error.field().is_none())
            .map(|error| {
                view! {
                    <div class="notice notice--error" role="alert">
                        <p>{error.to_string()}</p>
                    </div>
                }
            })
    }
}
