use leptos::prelude::*;

use super::{action_error, field_error, Field, FormError, Select, TextArea, When};
use crate::api::{ReinstateTool, StopTool};
use crate::domain::registry::policy::TeamRef;
use crate::model::ToolStop;

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

/// A stop in force on tool `slug` — the kill switch's, or the portal's when the review date
/// passed: what, by whom, its signed receipt; reviewers propose the reinstatement here
/// (justification, what changed, a new pin), decided by two others (for an overdue review, by
/// the approvals its risk needs). Works as a plain form post.
#[component]
pub fn Stopped(
    slug: String,
    stop: ToolStop,
    can_edit: bool,
    action: ServerAction<ReinstateTool>,
) -> impl IntoView {
    let error = action_error(action);
    let e = move |field: &'static str| field_error(error, field);
    let automatic = stop.stopped_by.is_none();
    let deciders = if automatic {
        "reviewers other than the proposer (as many as its risk needs)"
    } else {
        "two reviewers other than the proposer"
    };
    let form = match (can_edit, stop.reinstatement) {
        (_, Some(number)) => view! {
            <p data-testid="reinstatement-pending">
                "Reinstatement proposed: "
                <a href=format!("/requests/{number}")>{format!("request #{number}")}</a>
                {format!(", waiting for {deciders}.")}
            </p>
        }
            .into_any(),
        (false, None) => ().into_any(),
        (true, None) => view! {
            <h3>"Reinstate"</h3>
            <p>
                {format!(
                    "Files a registry change request that puts the tool back as it was before the stop, with a new review date. It is approved by {deciders}, each with a fresh code; the final approval lifts the banner and releases the held requests.",
                )}
            </p>
            <FormError
                error
                fields=&["justification", "facts_changed", "pinned_version", "checksum"]
            />
            <ActionForm
                action=action
                attr:class="form"
                attr:novalidate=true
                attr:data-testid="reinstate-form"
            >
                <input type="hidden" name="tool" value=slug />
                <TextArea
                    id="reinstate-justification"
                    name="reinstate[justification]"
                    label="Justification"
                    hint="Why the tool may be used again; the reviewers and the receipts keep it."
                    maxlength=1800
                    error=e("justification")
                />
                <TextArea
                    id="reinstate-facts"
                    name="reinstate[facts_changed]"
                    label="What changed since the stop"
                    hint="A patched release, rotated keys, the vendor's findings."
                    maxlength=1800
                    error=e("facts_changed")
                />
                <div class="form__row">
                    <Field
                        id="reinstate-version"
                        name="reinstate[pinned_version]"
                        label="New pinned version (optional)"
                        input_type="text"
                        autocomplete="off"
                        maxlength=100
                        error=e("pinned_version")
                    />
                    <Field
                        id="reinstate-checksum"
                        name="reinstate[checksum]"
                        label="Its SHA-256 checksum (optional)"
                        input_type="text"
                        autocomplete="off"
                        maxlength=64
                        error=e("checksum")
                    />
                </div>
                <div class="form__actions">
                    <button type="submit" class="button">
                        "Propose the reinstatement"
                    </button>
                </div>
            </ActionForm>
        }
            .into_any(),
    };
    view! {
        <section class="card card--danger" aria-labelledby="stopped-title" data-testid="stopped">
            <h2 id="stopped-title">
                {if automatic {
                    "Suspended: its review is overdue"
                } else {
                    "Stopped by the kill switch"
                }}
            </h2>
            <p>
                {match &stop.stopped_by {
                    Some(name) => format!("Stopped by {name} · "),
                    None => "Suspended automatically by the portal · ".to_owned(),
                }} <When at=stop.stopped_at />
                {stop
                    .incident
                    .map(|n| {
                        view! {
                            " · "
                            <a href=format!("/incidents/{n}")>{format!("incident #{n}")}</a>
                        }
                    })} " · "
                <a href=format!("/receipts/{}", stop.receipt_id) data-testid="stop-receipt">
                    "signed receipt"
                </a>
            </p>
            <p class="prose">{stop.reason.clone()}</p>
            {form}
        </section>
    }
}
