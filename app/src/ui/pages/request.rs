use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

use crate::api::{get_request, RequestAction as RequestActionFn, RequestDetail};
use crate::domain::request_input::ACCESS_KINDS;
use crate::domain::request_state::{next, RequestAction, RequestState};
use crate::ui::components::{
    action_error, field_error, or_dash, FormError, Loaded, RequestStateBadge, RiskBadge, TextArea,
};

/// A request: what is asked, its risk and the rules that fired, its timeline, and what the
/// reader may do next.
#[component]
pub fn RequestPage() -> impl IntoView {
    let params = use_params_map();
    let number = move || {
        params.with(|p| {
            p.get("number")
                .and_then(|n| n.parse::<i64>().ok())
                .unwrap_or(0)
        })
    };
    let act = ServerAction::<RequestActionFn>::new();
    let data = Resource::new_blocking(
        move || (number(), act.version().get()),
        |(number, _)| get_request(number),
    );
    view! {
        <Title text="Tool request" />
        <section class="page" aria-labelledby="page-title">
            <p class="page__eyebrow"><a href="/requests">"Tool requests"</a></p>
            <Loaded
                resource=data
                loading="Loading the request…"
                view={move |request: RequestDetail| view! { <RequestView request act /> }}
            />
        </section>
    }
}

#[component]
fn RequestView(request: RequestDetail, act: ServerAction<RequestActionFn>) -> impl IntoView {
    let may = |action: RequestAction| next(request.state, action, request.party).is_ok();
    let title = format!("#{} {}", request.number, request.tool_name);
    let access: Vec<&str> = ACCESS_KINDS
        .iter()
        .filter(|(key, _)| request.access.iter().any(|a| a == key))
        .map(|(_, label)| *label)
        .collect();
    view! {
        <Title text=title.clone() />
        <header class="page__header">
            <h1 id="page-title">{title}</h1>
            <RequestStateBadge state=request.state />
            {request.risk.as_ref().map(|risk| view! { <RiskBadge level=risk.level /> })}
            {may(RequestAction::Edit).then(|| view! {
                <a class="button button--secondary" href=format!("/requests/{}/edit", request.number)>"Edit"</a>
            })}
        </header>
        <p class="page__lead">
            {format!("Requested by {} for {} · created {}", request.requester, request.team_name, request.created_at)}
            {request.assignee.as_ref().map(|a| format!(" · reviewer: {a}"))}
        </p>
        <Actions request=request.clone() act />
        {request.risk.clone().map(|risk| view! {
            <section class="card" aria-labelledby="risk-title">
                <h2 id="risk-title">"Risk"</h2>
                <p data-testid="risk-summary">
                    {format!("Score {} — {} risk: {} reviewer{} must approve.", risk.score, risk.level.label().to_lowercase(), risk.required_approvals, if risk.required_approvals == 1 { "" } else { "s" })}
                </p>
                {if risk.hits.is_empty() {
                    view! { <p>"No risk rule fired."</p> }.into_any()
                } else {
                    view! {
                        <div class="table-wrap">
                            <table class="table table--dense" data-testid="risk-rules">
                                <caption class="visually-hidden">"Risk rules that fired"</caption>
                                <thead><tr><th scope="col">"Rule"</th><th scope="col">"Points"</th><th scope="col">"Makes it high risk"</th></tr></thead>
                                <tbody>
                                    {risk.hits.into_iter().map(|hit| view! {
                                        <tr>
                                            <th scope="row">{hit.reason}</th>
                                            <td data-label="Points">{hit.points}</td>
                                            <td data-label="Makes it high risk">{if hit.forces_high { "yes" } else { "—" }}</td>
                                        </tr>
                                    }).collect_view()}
                                </tbody>
                            </table>
                        </div>
                    }.into_any()
                }}
            </section>
        })}
        <section class="card" aria-labelledby="asked-title">
            <h2 id="asked-title">"What is asked"</h2>
            <dl class="details">
                <div><dt>"Tool"</dt><dd>{request.tool.clone().map(|slug| view! { <a href=format!("/tools/{slug}")>{request.tool_name.clone()}</a> " (wider approval)" }.into_any()).unwrap_or_else(|| view! { {request.tool_name.clone()} " (new tool)" }.into_any())}</dd></div>
                <div><dt>"Vendor"</dt><dd>{or_dash(&request.vendor)}</dd></div>
                <div><dt>"Category"</dt><dd>{request.category.label()}</dd></div>
                <div><dt>"Use case"</dt><dd class="prose">{or_dash(&request.use_case)}</dd></div>
                <div><dt>"Business justification"</dt><dd class="prose">{or_dash(&request.justification)}</dd></div>
                <div><dt>"Users"</dt><dd>{request.users}</dd></div>
                <div><dt>"Data it will touch"</dt><dd>{if request.data_classes.is_empty() { "—".to_owned() } else { request.data_classes.iter().map(|c| c.name.as_str()).collect::<Vec<_>>().join(", ") }}</dd></div>
                <div><dt>"Access it needs"</dt><dd>{if access.is_empty() { "None".to_owned() } else { access.join(", ") }}</dd></div>
                <div><dt>"Distribution"</dt><dd>{request.distribution.label()}</dd></div>
                <div><dt>"Package"</dt><dd>{or_dash(&request.package_name)}</dd></div>
                <div><dt>"Pinned version"</dt><dd>{or_dash(&request.pinned_version)}</dd></div>
                <div><dt>"SHA-256"</dt><dd><code class="checksum">{or_dash(&request.checksum)}</code></dd></div>
                <div><dt>"Vendor trains on customer data"</dt><dd>{if request.vendor_trains_on_data { "Yes" } else { "No" }}</dd></div>
                <div><dt>"Alternatives considered"</dt><dd class="prose">{or_dash(&request.alternatives)}</dd></div>
            </dl>
        </section>
        <section class="card" aria-labelledby="timeline-title">
            <h2 id="timeline-title">"Timeline"</h2>
            <ol class="history" data-testid="timeline">
                {request.timeline.into_iter().map(|entry| {
                    let what = match entry.kind.as_str() {
                        "created" => "created the request",
                        "edited" => "changed the request",
                        "submitted" => "submitted it for review",
                        "assigned" => "took it for review",
                        "changes_requested" => "asked for changes",
                        "resubmitted" => "answered and sent it back to review",
                        "commented" => "commented",
                        "withdrawn" => "withdrew it",
                        "signed_off" => "signed off",
                        _ => "decided",
                    };
                    view! {
                        <li class="history__entry">
                            <p class="history__meta"><strong>{entry.actor.clone()}</strong> " " {what} " · " {entry.at.clone()}</p>
                            {(!entry.body.is_empty()).then(|| view! { <p class="prose">{entry.body.clone()}</p> })}
                        </li>
                    }
                }).collect_view()}
            </ol>
        </section>
    }
}

/// The steps the reader may take now, each a small form (works without JavaScript).
#[component]
fn Actions(request: RequestDetail, act: ServerAction<RequestActionFn>) -> impl IntoView {
    let error = action_error(act);
    let may = |action: RequestAction| next(request.state, action, request.party).is_ok();
    let number = request.number.to_string();
    let button = move |action: &'static str, label: &'static str, style: &'static str| {
        let number = number.clone();
        view! {
            <ActionForm action=act attr:class="form--inline">
                <input type="hidden" name="number" value=number />
                <input type="hidden" name="action" value=action />
                <button type="submit" class=style>{label}</button>
            </ActionForm>
        }
    };
    let with_text = {
        let number = request.number.to_string();
        move |action: &'static str,
              label: &'static str,
              field_label: &'static str,
              id: &'static str| {
            let number = number.clone();
            view! {
                <ActionForm action=act attr:class="form" attr:novalidate=true>
                    <input type="hidden" name="number" value=number />
                    <input type="hidden" name="action" value=action />
                    <TextArea id=id name="body" label=field_label maxlength=4000 error=field_error(error, "body") />
                    <button type="submit" class="button button--secondary">{label}</button>
                </ActionForm>
            }
        }
    };
    let final_state = request.state.is_final();
    view! {
        <section class="card" aria-labelledby="actions-title" data-testid="request-actions">
            <h2 id="actions-title">{if final_state { "Outcome" } else { "Next steps" }}</h2>
            {final_state.then(|| view! { <p>{format!("This request is {}.", request.state.label().to_lowercase())}</p> })}
            {(request.state == RequestState::Submitted && !may(RequestAction::Assign)).then(|| view! { <p>"Waiting for a reviewer."</p> })}
            <FormError error />
            <div class="form__actions">
                {may(RequestAction::Submit).then(|| button("submit", "Submit for review", "button"))}
                {may(RequestAction::Assign).then(|| button("assign", "Assign to me", "button"))}
                {may(RequestAction::Withdraw).then(|| button("withdraw", "Withdraw", "button button--ghost"))}
            </div>
            {may(RequestAction::Resubmit).then(|| with_text("resubmit", "Send back to review", "Your answer to the reviewer (optional)", "resubmit-body"))}
            {may(RequestAction::RequestChanges).then(|| with_text("request_changes", "Request changes", "What should change", "changes-body"))}
            {may(RequestAction::Comment).then(|| with_text("comment", "Comment", "Comment", "comment-body"))}
        </section>
    }
}
