use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

use crate::api::{get_request, ActOnRequest, DecideRequest};
use crate::domain::requests::input::ACCESS_KINDS;
use crate::domain::requests::state::Decision;
use crate::domain::requests::state::{next, RequestAction, RequestKind, RequestState};
use crate::model::{RequestDetail, SignoffView};
use crate::ui::components::{
    action_error, code_or, field_error, or_dash, Field, FieldChanges, FormError, Loaded, Page,
    RequestStateBadge, RiskBadge, TextArea,
};
use crate::ui::components::{Timeline, TimelineItem, When};

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
    let act = ServerAction::<ActOnRequest>::new();
    let decide = ServerAction::<DecideRequest>::new();
    let data = Resource::new_blocking(
        move || (number(), act.version().get(), decide.version().get()),
        |(number, _, _)| get_request(number),
    );
    view! {
        <Page title="Tool request" up=("/requests", "Tool requests")>
            <Loaded
                resource=data
                loading="Loading the request…"
                view={move |request: RequestDetail| view! { <RequestView request act decide /> }}
            />
        </Page>
    }
}

#[component]
fn RequestView(
    request: RequestDetail,
    act: ServerAction<ActOnRequest>,
    decide: ServerAction<DecideRequest>,
) -> impl IntoView {
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
            {(may(RequestAction::Edit) && request.kind == RequestKind::Tool)
                .then(|| {
                    view! {
                        <a
                            class="button button--secondary"
                            href=format!("/requests/{}/edit", request.number)
                        >
                            "Edit"
                        </a>
                    }
                })}
        </header>
        <p class="page__lead">
            {match request.kind {
                RequestKind::Tool => {
                    format!(
                        "Requested by {} for {} · created ",
                        request.requester,
                        request.team_name,
                    )
                }
                RequestKind::RegistryChange => {
                    format!("Registry change proposed by {} · ", request.requester)
                }
            }} <When at=request.created_at />
            {request.assignee.as_ref().map(|a| format!(" · reviewer: {a}"))}
        </p>
        {request
            .re_review
            .then(|| {
                view! {
                    <div class="notice notice--warn" role="note">
                        <p class="notice__title">"Re-review opened by the portal"</p>
                        <p>
                            "A reviewer changed the supply chain of an approved tool; its approval is stale until this request is decided."
                        </p>
                    </div>
                }
            })}
        {request
            .on_hold
            .then(|| {
                view! {
                    <div class="notice notice--warn" role="note" data-testid="on-hold">
                        <p class="notice__title">"On hold"</p>
                        <p>
                            "Its tool is stopped for everyone (by the kill switch, or because its review is overdue). No decision can be made until the tool is reinstated."
                        </p>
                    </div>
                }
            })}
        <Actions request=request.clone() act />
        <SignOffs request=request.clone() decide />
        {request
            .risk
            .clone()
            .map(|risk| {
                view! {
                    <section class="card" aria-labelledby="risk-title">
                        <h2 id="risk-title">"Risk"</h2>
                        <p data-testid="risk-summary">
                            {format!(
                                "Score {} — {} risk: {} reviewer{} must approve.",
                                risk.score,
                                risk.level.label().to_lowercase(),
                                risk.required_approvals,
                                if risk.required_approvals == 1 { "" } else { "s" },
                            )}
                        </p>
                        {if risk.hits.is_empty() {
                            view! { <p>"No risk rule fired."</p> }.into_any()
                        } else {
                            view! {
                                <div class="table-wrap">
                                    <table class="table table--dense" data-testid="risk-rules">
                                        <caption class="visually-hidden">
                                            "Risk rules that fired"
                                        </caption>
                                        <thead>
                                            <tr>
                                                <th scope="col">"Rule"</th>
                                                <th scope="col">"Points"</th>
                                                <th scope="col">"Makes it high risk"</th>
                                            </tr>
                                        </thead>
                                        <tbody>
                                            {risk
                                                .hits
                                                .into_iter()
                                                .map(|hit| {
                                                    view! {
                                                        <tr>
                                                            <th scope="row">{hit.reason}</th>
                                                            <td data-label="Points">{hit.points}</td>
                                                            <td data-label="Makes it high risk">
                                                                {if hit.forces_high { "yes" } else { "—" }}
                                                            </td>
                                                        </tr>
                                                    }
                                                })
                                                .collect_view()}
                                        </tbody>
                                    </table>
                                </div>
                            }
                                .into_any()
                        }}
                    </section>
                }
            })}
        {match request.kind {
            RequestKind::RegistryChange => {
                view! {
                    <section class="card" aria-labelledby="asked-title">
                        <h2 id="asked-title">"What changes"</h2>
                        <p>
                            {match request.tool.clone() {
                                Some(slug) => {
                                    view! {
                                        "The registry entry "
                                        <a href=format!(
                                            "/tools/{slug}",
                                        )>{request.tool_name.clone()}</a>
                                        ", as its final approval will write it:"
                                    }
                                        .into_any()
                                }
                                None => {
                                    view! {
                                        {format!(
                                            "A new registry entry, {}, as its final approval will write it:",
                                            request.tool_name,
                                        )}
                                    }
                                        .into_any()
                                }
                            }}
                        </p>
                        <FieldChanges changes=request.changes.clone() />
                        <h3>"Why"</h3>
                        <p class="prose" data-testid="proposal-reason">
                            {request.use_case.clone()}
                        </p>
                    </section>
                }
                    .into_any()
            }
            RequestKind::Tool => {
                view! {
                    <section class="card" aria-labelledby="asked-title">
                        <h2 id="asked-title">"What is asked"</h2>
                        <dl class="details">
                            <div>
                                <dt>"Tool"</dt>
                                <dd>
                                    {request
                                        .tool
                                        .clone()
                                        .map(|slug| {
                                            view! {
                                                <a href=format!(
                                                    "/tools/{slug}",
                                                )>{request.tool_name.clone()}</a>
                                                " (wider approval)"
                                            }
                                                .into_any()
                                        })
                                        .unwrap_or_else(|| {
                                            view! {
                                                {request.tool_name.clone()}
                                                " (new tool)"
                                            }
                                                .into_any()
                                        })}
                                </dd>
                            </div>
                            <div>
                                <dt>"Vendor"</dt>
                                <dd>{or_dash(&request.vendor)}</dd>
                            </div>
                            <div>
                                <dt>"Category"</dt>
                                <dd>{request.category.label()}</dd>
                            </div>
                            <div>
                                <dt>"Use case"</dt>
                                <dd class="prose">{or_dash(&request.use_case)}</dd>
                            </div>
                            <div>
                                <dt>"Business justification"</dt>
                                <dd class="prose">{or_dash(&request.justification)}</dd>
                            </div>
                            <div>
                                <dt>"Users"</dt>
                                <dd>{request.users}</dd>
                            </div>
                            <div>
                                <dt>"Data it will touch"</dt>
                                <dd>
                                    {if request.data_classes.is_empty() {
                                        "—".to_owned()
                                    } else {
                                        request
                                            .data_classes
                                            .iter()
                                            .map(|c| c.name.as_str())
                                            .collect::<Vec<_>>()
                                            .join(", ")
                                    }}
                                </dd>
                            </div>
                            <div>
                                <dt>"Access it needs"</dt>
                                <dd>
                                    {if access.is_empty() {
                                        "None".to_owned()
                                    } else {
                                        access.join(", ")
                                    }}
                                </dd>
                            </div>
                            <div>
                                <dt>"Distribution"</dt>
                                <dd>{request.distribution.label()}</dd>
                            </div>
                            <div>
                                <dt>"Package"</dt>
                                <dd>{or_dash(&request.package_name)}</dd>
                            </div>
                            <div>
                                <dt>"Pinned version"</dt>
                                <dd>{or_dash(&request.pinned_version)}</dd>
                            </div>
                            <div>
                                <dt>"SHA-256"</dt>
                                <dd>{code_or(&request.checksum, "—", "checksum")}</dd>
                            </div>
                            <div>
                                <dt>"Vendor trains on customer data"</dt>
                                <dd>{if request.vendor_trains_on_data { "Yes" } else { "No" }}</dd>
                            </div>
                            <div>
                                <dt>"Alternatives considered"</dt>
                                <dd class="prose">{or_dash(&request.alternatives)}</dd>
                            </div>
                        </dl>
                    </section>
                }
                    .into_any()
            }
        }}
        <section class="card" aria-labelledby="timeline-title">
            <h2 id="timeline-title">"Timeline"</h2>
            <Timeline entries=request
                .timeline
                .into_iter()
                .map(|entry| {
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
                        "reopened" => "opened a re-review",
                        "held" => "stopped its tool: the request is on hold",
                        "released" => "reinstated its tool: the request is no longer on hold",
                        _ => "decided",
                    };
                    TimelineItem {
                        actor: entry.actor,
                        what: what.to_owned(),
                        at: entry.at,
                        body: entry.body,
                    }
                })
                .collect() />
        </section>
    }
}

/// The steps the reader may take now, each a small form (works without JavaScript).
#[component]
fn Actions(request: RequestDetail, act: ServerAction<ActOnRequest>) -> impl IntoView {
    let error = action_error(act);
    let may = |action: RequestAction| next(request.state, action, request.party).is_ok();
    let number = request.number.to_string();
    let button = move |action: &'static str, label: &'static str, style: &'static str| {
        let number = number.clone();
        view! {
            <ActionForm action=act attr:class="form--inline">
                <input type="hidden" name="number" value=number />
                <input type="hidden" name="action" value=action />
                <button type="submit" class=style>
                    {label}
                </button>
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
                    <TextArea
                        id=id
                        name="body"
                        label=field_label
                        maxlength=4000
                        error=field_error(error, "body")
                    />
                    <button type="submit" class="button button--secondary">
                        {label}
                    </button>
                </ActionForm>
            }
        }
    };
    let final_state = request.state.is_final();
    // Submitting names what is missing; the editor is where it is filled in.
    let complete = (may(RequestAction::Edit) && request.kind == RequestKind::Tool)
        .then(|| format!("/requests/{}/edit", request.number));
    view! {
        <section class="card" aria-labelledby="actions-title" data-testid="request-actions">
            <h2 id="actions-title">{if final_state { "Outcome" } else { "Next steps" }}</h2>
            {final_state
                .then(|| {
                    view! {
                        <p>
                            {format!("This request is {}.", request.state.label().to_lowercase())}
                        </p>
                    }
                })}
            {request
                .granted_tool
                .clone()
                .map(|slug| {
                    view! {
                        <p data-testid="granted-tool">
                            "The registry entry is updated: "
                            <a href=format!("/tools/{slug}")>{request.tool_name.clone()}</a> "."
                        </p>
                    }
                })}
            {(request.state == RequestState::Submitted && !may(RequestAction::Assign))
                .then(|| view! { <p>"Waiting for a reviewer."</p> })}
            <FormError error fields=&["body"] />
            {move || {
                error
                    .get()
                    .filter(|error| error.field().is_some_and(|field| field != "body"))
                    .and(complete.clone())
                    .map(|href| {
                        view! {
                            <p>
                                <a href=href>"Complete the request"</a>
                            </p>
                        }
                    })
            }}
            <div class="form__actions">
                {may(RequestAction::Submit)
                    .then(|| button("submit", "Submit for review", "button"))}
                {(may(RequestAction::Assign) && !request.assigned_to_me)
                    .then(|| button("assign", "Assign to me", "button"))}
                {may(RequestAction::Withdraw)
                    .then(|| button("withdraw", "Withdraw", "button button--ghost"))}
            </div>
            {may(RequestAction::Resubmit)
                .then(|| with_text(
                    "resubmit",
                    "Send back to review",
                    "Your answer to the reviewer (optional)",
                    "resubmit-body",
                ))}
            {may(RequestAction::RequestChanges)
                .then(|| with_text(
                    "request_changes",
                    "Request changes",
                    "What should change",
                    "changes-body",
                ))}
            {may(RequestAction::Comment)
                .then(|| with_text("comment", "Comment", "Comment", "comment-body"))}
        </section>
    }
}

/// The sign-offs so far and, for a reviewer who may decide now, the decision form.
#[component]
fn SignOffs(request: RequestDetail, decide: ServerAction<DecideRequest>) -> impl IntoView {
    let may_decide = [Decision::Approve, Decision::Reject]
        .into_iter()
        .any(|d| next(request.state, RequestAction::Decide(d), request.party).is_ok())
        && !request.signed_by_me;
    if request.signoffs.is_empty() && !may_decide {
        return ().into_any();
    }
    let needed = request.required_approvals;
    let progress = format!(
        "{} of {needed} approval{} on this version.",
        request.approvals,
        if needed == 1 { "" } else { "s" }
    );
    view! {
        <section class="card" aria-labelledby="signoffs-title" data-testid="signoffs">
            <h2 id="signoffs-title">"Sign-offs"</h2>
            <p data-testid="signoff-progress">{progress}</p>
            {(!request.signoffs.is_empty())
                .then(|| {
                    view! {
                        <ul class="signoffs">
                            {request
                                .signoffs
                                .clone()
                                .into_iter()
                                .map(|s| view! { <SignOff signoff=s /> })
                                .collect_view()}
                        </ul>
                    }
                })}
            {(request.signed_by_me && !request.state.is_final())
                .then(|| {
                    view! {
                        <p>
                            "You have signed this version off; the next sign-off must come from another reviewer."
                        </p>
                    }
                })}
            {may_decide.then(|| view! { <DecisionForm request=request.clone() decide /> })}
        </section>
    }
    .into_any()
}

#[component]
fn SignOff(signoff: SignoffView) -> impl IntoView {
    let class = if signoff.current {
        "signoff"
    } else {
        "signoff signoff--superseded"
    };
    view! {
        <li class=class>
            <strong>{signoff.reviewer.clone()}</strong>
            <span>{signoff.decision.label()}</span>
            <span class="notification__when">
                <When at=signoff.decided_at />
            </span>
            {(!signoff.current).then(|| view! { <span>"(an earlier version)"</span> })}
            <a href=format!("/receipts/{}", signoff.receipt_id)>"Receipt"</a>
        </li>
    }
}

/// Approve, approve with conditions or reject, with a rationale and a fresh code. The form
/// carries the version the reviewer read, so a decision never lands on another.
#[component]
fn DecisionForm(request: RequestDetail, decide: ServerAction<DecideRequest>) -> impl IntoView {
    let error = action_error(decide);
    let e = move |field: &'static str| field_error(error, field);
    let second = request.approvals > 0;
    view! {
        <h3>{if second { "Your sign-off (second reviewer)" } else { "Your decision" }}</h3>
        <FormError
            error
            fields=&["decision", "rationale", "conditions", "next_review", "code", "version"]
        />
        <ActionForm
            action=decide
            attr:class="form"
            attr:novalidate=true
            attr:data-testid="decision-form"
        >
            <input type="hidden" name="number" value=request.number.to_string() />
            <input type="hidden" name="decision[version]" value=request.version.clone() />
            <fieldset class="choices decision-choices">
                <legend>"Decision"</legend>
                {Decision::ALL
                    .iter()
                    .map(|d| {
                        let id = format!("decision-{}", d.as_str());
                        let label_for = id.clone();
                        view! {
                            <label class="choice" for=label_for>
                                <input
                                    type="radio"
                                    id=id
                                    name="decision[decision]"
                                    value=d.as_str()
                                    checked=*d == Decision::Approve
                                />
                                {d.label()}
                            </label>
                        }
                    })
                    .collect_view()}
                {move || {
                    e("decision")
                        .get()
                        .map(|m| {
                            view! {
                                <p class="field-error" role="alert">
                                    {m}
                                </p>
                            }
                        })
                }}
            </fieldset>
            <TextArea
                id="decision-rationale"
                name="decision[rationale]"
                label="Rationale"
                hint="Recorded in the signed receipt."
                maxlength=4000
                error=e("rationale")
            />
            <TextArea
                id="decision-conditions"
                name="decision[conditions]"
                label="Conditions of use (for an approval with conditions)"
                maxlength=4000
                error=e("conditions")
            />
            <Field
                id="decision-next-review"
                name="decision[next_review]"
                label="Next review (optional)"
                input_type="date"
                autocomplete="off"
                maxlength=10
                optional=true
                hint="Twelve months from today when empty."
                error=e("next_review")
            />
            <Field
                id="decision-code"
                name="decision[code]"
                label="Code from your authenticator app"
                input_type="text"
                inputmode="numeric"
                autocomplete="one-time-code"
                maxlength=7
                hint="A fresh code: one used to sign in or for another decision is refused."
                error=e("code")
            />
            {move || {
                e("version")
                    .get()
                    .map(|m| {
                        view! {
                            <p class="field-error" role="alert">
                                {m}
                            </p>
                        }
                    })
            }}
            <p class="field-hint">
                {format!(
                    "You are signing version {} of this request.",
                    &request.version[..12.min(request.version.len())],
                )}
            </p>
            <div class="form__actions">
                <button type="submit" class="button">
                    "Sign and decide"
                </button>
            </div>
        </ActionForm>
    }
}
