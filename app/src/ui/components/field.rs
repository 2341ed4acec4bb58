use leptos::prelude::*;

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
) -> impl IntoView {
    let error_id = format!("{id}-error");
    view! {
        <div class="field">
            <label for=id.clone()>{label}</label>
            <input
                id=id.clone()
                name=id
                type=input_type
                autocomplete=autocomplete
                inputmode=inputmode
                required
                maxlength=maxlength
                aria-describedby=error_id.clone()
                aria-invalid=move || error.get().is_some().to_string()
            />
            {move || {
                error
                    .get()
                    .map(|message| {
                        view! {
                            <p class="field-error" id=error_id.clone() role="alert">
                                {message}
                            </p>
                        }
                    })
            }}
        </div>
    }
}
