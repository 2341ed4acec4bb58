use std::sync::Arc;

use leptos::prelude::*;

use crate::model::ReturnedInput;

/// What was typed into the form the server just refused, while the page showing its error is
/// rendered (the server keeps it for that one page: `server::middleware::returned_input`).
pub fn returned_input() -> Option<Arc<ReturnedInput>> {
    #[cfg(feature = "ssr")]
    {
        use_context::<http::request::Parts>()
            .and_then(|parts| parts.extensions.get::<Arc<ReturnedInput>>().cloned())
    }
    #[cfg(not(feature = "ssr"))]
    {
        None
    }
}

/// A field's error message id, and what its `aria-describedby` names: its hint, when it has
/// one, and its error message.
fn described_by(id: &str, hint: bool) -> (String, String) {
    let error_id = format!("{id}-error");
    let described_by = if hint {
        format!("{id}-hint {error_id}")
    } else {
        error_id.clone()
    };
    (error_id, described_by)
}

/// A field's line of help under its label, if it has one.
#[component]
fn FieldHint(id: String, hint: Option<String>) -> impl IntoView {
    hint.map(|hint| {
        view! {
            <p class="field-hint" id=format!("{id}-hint")>
                {hint}
            </p>
        }
    })
}

/// `name`'s returned value, else `value`.
fn returned_or(name: &str, value: Option<String>) -> Option<String> {
    returned_input()
        .and_then(|input| input.value(name).map(str::to_owned))
        .or(value)
}

/// A labelled form input with its error message: `id` is also the field's `name`, and the
/// message is tied to the input for screen readers (`aria-describedby`, `aria-invalid`).
#[component]
pub fn Field(
    #[prop(into)] id: String,
    #[prop(into)] label: String,
    #[prop(into)] input_type: String,
    #[prop(into)] autocomplete: String,
    maxlength: u32,
    #[prop(into)] error: Signal<Option<String>>,
    #[prop(optional, into)] inputmode: Option<String>,
    /// Pre-filled value (edit forms).
    #[prop(optional, into)]
    value: Option<String>,
    /// Not required.
    #[prop(optional)]
    optional: bool,
    /// A line of help under the label.
    #[prop(optional, into)]
    hint: Option<String>,
    /// The submitted name, when it differs from `id` (several forms on one page).
    #[prop(optional, into)]
    name: Option<String>,
) -> impl IntoView {
    let (error_id, described_by) = described_by(&id, hint.is_some());
    let name = name.unwrap_or_else(|| id.clone());
    let value = returned_or(&name, value);
    view! {
        <div class="field">
            <label for=id.clone()>{label}</label>
            <FieldHint id=id.clone() hint />
            <input
                id=id.clone()
                name=name
                type=input_type
                autocomplete=autocomplete
                inputmode=inputmode
                required=!optional
                maxlength=maxlength
                value=value
                aria-describedby=described_by
                aria-invalid={move || error.get().is_some().to_string()}
            />
            <FieldMessage id=error_id error />
        </div>
    }
}

/// A labelled multi-line text field with its error message (see [`Field`]).
#[component]
pub fn TextArea(
    #[prop(into)] id: String,
    #[prop(into)] name: String,
    #[prop(into)] label: String,
    maxlength: u32,
    #[prop(into)] error: Signal<Option<String>>,
    #[prop(optional, into)] value: Option<String>,
    #[prop(optional, into)] hint: Option<String>,
) -> impl IntoView {
    let value = returned_or(&name, value);
    let (error_id, described_by) = described_by(&id, hint.is_some());
    view! {
        <div class="field">
            <label for=id.clone()>{label}</label>
            <FieldHint id=id.clone() hint />
            <textarea
                id=id
                name=name
                rows="3"
                maxlength=maxlength
                aria-describedby=described_by
                aria-invalid={move || error.get().is_some().to_string()}
            >
                {value.unwrap_or_default()}
            </textarea>
            <FieldMessage id=error_id error />
        </div>
    }
}

/// A labelled drop-down of `(value, label)` options with its error message.
#[component]
pub fn Select(
    #[prop(into)] id: String,
    #[prop(into)] name: String,
    #[prop(into)] label: String,
    options: Vec<(String, String)>,
    #[prop(into)] selected: String,
    #[prop(into)] error: Signal<Option<String>>,
    /// A line of help under the label.
    #[prop(optional, into)]
    hint: Option<String>,
) -> impl IntoView {
    let selected = returned_or(&name, Some(selected)).unwrap_or_default();
    let (error_id, described_by) = described_by(&id, hint.is_some());
    view! {
        <div class="field">
            <label for=id.clone()>{label}</label>
            <FieldHint id=id.clone() hint />
            <select
                id=id
                name=name
                aria-describedby=described_by
                aria-invalid={move || error.get().is_some().to_string()}
            >
                {options
                    .into_iter()
                    .map(|(value, label)| {
                        let is_selected = value == selected;
                        view! {
                            <option value=value selected=is_selected>
                                {label}
                            </option>
                        }
                    })
                    .collect_view()}
            </select>
            <FieldMessage id=error_id error />
        </div>
    }
}

/// A field's error message, announced when it appears and tied to the field by `id`.
#[component]
pub fn FieldMessage(id: String, error: Signal<Option<String>>) -> impl IntoView {
    move || {
        error.get().map(|message| {
            view! {
                <p class="field-error" id=id.clone() role="alert">
                    {message}
                </p>
            }
        })
    }
}

/// One filter of a search form: a select whose first option, `any`, filters nothing. It
/// submits `id`; `selected` is the value the address carries now.
#[component]
pub fn FilterSelect(
    id: &'static str,
    #[prop(into)] label: String,
    any: &'static str,
    options: Vec<(String, String)>,
    #[prop(into)] selected: String,
) -> impl IntoView {
    let nothing = selected.is_empty();
    view! {
        <div class="field">
            <label for=id>{label}</label>
            <select id=id name=id>
                <option value="" selected=nothing>
                    {any}
                </option>
                {options
                    .into_iter()
                    .map(|(value, label)| {
                        let chosen = value == selected;
                        view! {
                            <option value=value selected=chosen>
                                {label}
                            </option>
                        }
                    })
                    .collect_view()}
            </select>
        </div>
    }
}
