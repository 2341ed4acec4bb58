use leptos::prelude::*;
use leptos::server_fn::ServerFn;

use crate::error::AppError;

/// The message for `field` when `error` is about it, as a sentence naming the field (messages
/// are fragments such as "was already used", written to follow the field's name).
pub fn message_for(error: &Option<AppError>, field: &str) -> Option<String> {
    match error {
        Some(error @ AppError::Invalid { field: f, .. }) if f == field => Some(sentence(error)),
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

/// The message for one field of an action's last error.
pub fn field_error(error: Signal<Option<AppError>>, field: &'static str) -> Signal<Option<String>> {
    Signal::derive(move || message_for(&error.get(), field))
}

/// A form's general error: anything not shown beside one of the form's own `fields`, so no
/// error a server function returns goes unseen (a field the page does not have included).
#[component]
pub fn FormError(
    #[prop(into)] error: Signal<Option<AppError>>,
    /// The fields whose errors the form shows beside them.
    #[prop(optional)]
    fields: &'static [&'static str],
) -> impl IntoView {
    move || {
        error
            .get()
            .filter(|error| error.field().is_none_or(|field| !fields.contains(&field)))
            .map(|error| {
                view! {
                    <div class="notice notice--error" role="alert">
                        <p>{sentence(&error)}</p>
                    </div>
                }
            })
    }
}

/// An error as a sentence of its own: a field's message after the field's name.
pub fn sentence(error: &AppError) -> String {
    match error {
        AppError::Invalid { field, message } => {
            let name = field.replace('_', " ");
            let mut name = name.chars();
            let name: String = name
                .next()
                .map(|first| first.to_uppercase().chain(name).collect())
                .unwrap_or_default();
            let stop = if message.ends_with(['.', '?', '!']) {
                ""
            } else {
                "."
            };
            format!("{name}: {message}{stop}")
        }
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_field_error_reads_as_a_sentence_naming_the_field() {
        assert_eq!(
            sentence(&AppError::invalid("use_case", "must not be empty")),
            "Use case: must not be empty."
        );
        assert_eq!(
            sentence(&AppError::invalid("code", "was already used.")),
            "Code: was already used."
        );
        assert_eq!(sentence(&AppError::NotFound), "Not found.");
    }

    #[test]
    fn a_field_shows_its_own_error_as_a_sentence_and_no_other() {
        let error = Some(AppError::invalid(
            "code",
            "was already used; wait for the next code",
        ));
        assert_eq!(
            message_for(&error, "code").as_deref(),
            Some("Code: was already used; wait for the next code.")
        );
        assert_eq!(message_for(&error, "password"), None);
        assert_eq!(message_for(&Some(AppError::NotFound), "code"), None);
    }
}
