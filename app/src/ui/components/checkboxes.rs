use leptos::prelude::*;

use super::field::{returned_input, FieldMessage};
use crate::model::DataClassView;

/// One box of a [`Checkboxes`] group.
pub struct Choice {
    pub value: String,
    pub label: AnyView,
    pub checked: bool,
}

impl Choice {
    pub fn new(value: impl Into<String>, label: impl IntoView + 'static, checked: bool) -> Self {
        Self {
            value: value.into(),
            label: label.into_any(),
            checked,
        }
    }

    /// A data class with its level, and a warning when it is prohibited by default.
    pub fn data_class(class: DataClassView, checked: bool) -> Self {
        let label = view! {
            <span>
                {class.name} " " <span class="badge badge--neutral">{class.level.label()}</span>
                {class
                    .prohibited_by_default
                    .then(|| {
                        view! {
                            " "
                            <span class="badge badge--danger">"Prohibited by default"</span>
                        }
                    })}
            </span>
        };
        Self::new(class.slug, label, checked)
    }
}

/// A labelled group of checkboxes submitting `name` once per ticked box, with its error
/// message tied to the group. Box ids are `{id}-{value}`; the message's is `{id}-error`.
#[component]
pub fn Checkboxes(
    #[prop(into)] id: String,
    /// The submitted name, e.g. `tool[data_classes][]`.
    #[prop(into)]
    name: String,
    #[prop(into)] legend: String,
    #[prop(optional, into)] hint: Option<String>,
    choices: Vec<Choice>,
    #[prop(into)] error: Signal<Option<String>>,
    /// Lay the boxes out in columns (many short labels, such as teams).
    #[prop(optional)]
    grid: bool,
) -> impl IntoView {
    let error_id = format!("{id}-error");
    let described_by = error_id.clone();
    // Boxes ticked in a refused form stay ticked (one the group's name was not sent with had
    // none ticked, or belongs to another form: it keeps its own state).
    let returned = returned_input().filter(|input| input.sent(&name));
    let boxes = choices
        .into_iter()
        .map(|choice| {
            let checked = returned
                .as_ref()
                .map_or(choice.checked, |input| input.has(&name, &choice.value));
            let box_id = format!("{id}-{}", choice.value);
            let label_for = box_id.clone();
            view! {
                <label class="choice" for=label_for>
                    <input
                        type="checkbox"
                        id=box_id
                        name=name.clone()
                        value=choice.value
                        checked=checked
                    />
                    {choice.label}
                </label>
            }
        })
        .collect_view();
    view! {
        <fieldset class="choices" aria-describedby=described_by>
            <legend>{legend}</legend>
            {hint.map(|hint| view! { <p class="field-hint">{hint}</p> })}
            {if grid {
                view! { <div class="team-grid">{boxes}</div> }.into_any()
            } else {
                boxes.into_any()
            }}
            <FieldMessage id=error_id error />
        </fieldset>
    }
}
