use leptos::prelude::*;

use super::{action_error, field_error, Field, FormError, Select, TextArea};
use crate::api::StopTool;
use crate::domain::registry::policy::TeamRef;

/// The kill switch: stops one of `tools` for the whole organization, under `incident` when it
/// is one's, signed with a fresh code. Works as a plain form post.
#[component]
pub fn KillSwitch(
    tools: Vec<TeamRef>,
    #[prop(optional)] incident: Option<i64>,
    action: ServerAction<StopTool>,
) -> impl IntoView {
    let error = action_error(action);
    let e = move |field: &'static str| field_error(error, field);
    let single = (tools.len() == 1).then(|| tools[0].clone());
    view! {
        <section class="card card--danger" aria-labelledby="kill-switch-title">
            <h2 id="kill-switch-title">"Kill switch"</h2>
            <p>
                "Stops the tool for the whole organization at once: it becomes suspended, the policy check answers no (with what to use instead), open requests for it are put on hold, and everyone whose teams use it is told and sees a banner until they acknowledge it. Reinstating it takes two reviewers."
            </p>
            <FormError error fields=&["tool", "reason", "instead", "code", "incident"] />
            <ActionForm
                action=action
                attr:class="form"
                attr:novalidate=true
                attr:data-testid="kill-switch-form"
            >
                {incident
                    .map(|n| {
                        view! { <input type="hidden" name="stop[incident]" value=n.to_string() /> }
                    })}
                {match single {
                    Some(tool) => {
                        view! {
                            <input type="hidden" name="stop[tool]" value=tool.slug />
                            <p data-testid="tool-to-stop">
                                "Stops " <strong>{tool.name}</strong> " for everyone."
                            </p>
                        }
                            .into_any()
                    }
                    None => {
                        view! {
                            <Select
                                id="stop-tool"
                                name="stop[tool]"
                                label="Tool to stop"
                                options=tools.into_iter().map(|t| (t.slug, t.name)).collect()
                                selected=String::new()
                                error=e("tool")
                            />
                        }
                            .into_any()
                    }
                }}
                <TextArea
                    id="stop-reason"
                    name="stop[reason]"
                    label="Why it is stopped"
                    hint="Everyone who uses the tool reads this."
                    maxlength=2000
                    error=e("reason")
                />
                <TextArea
                    id="stop-instead"
                    name="stop[instead]"
                    label="What to use instead (optional)"
                    hint="Empty keeps the tool's rollback plan."
                    maxlength=4000
                    error=e("instead")
                />
                <Field
                    id="stop-code"
                    name="stop[code]"
                    label="Code from your authenticator app"
                    input_type="text"
                    inputmode="numeric"
                    autocomplete="one-time-code"
                    maxlength=7
                    hint="A fresh code: one used to sign in or for a decision is refused."
                    error=e("code")
                />
                <div class="form__actions">
                    <button type="submit" class="button button--danger">
                        "Stop the tool for everyone"
                    </button>
                </div>
            </ActionForm>
        </section>
    }
}
