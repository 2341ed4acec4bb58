use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

use super::playbooks::Channels;
use crate::api::{
    get_incident, AddIncidentFollowUp, CommentOnIncident, CompleteIncidentFollowUp, ReviewIncident,
    StopTool, TickIncidentStep, TriageIncident,
};
use crate::domain::incidents::{IncidentStatus, Severity};
use crate::model::{IncidentDetail, IncidentEvent, PersonRef, StopTally};
use crate::ui::components::{
    action_error, field_error, or_dash, FollowUps, FormError, IncidentStatusBadge, KillSwitch,
    Loaded, Page, Select, SeverityBadge, TextArea, Timeline, TimelineItem, When,
};

/// The forms of an incident's page, each a server action.
#[derive(Clone, Copy)]
struct Actions {
    triage: ServerAction<TriageIncident>,
    comment: ServerAction<CommentOnIncident>,
    review: ServerAction<ReviewIncident>,
    add: ServerAction<AddIncidentFollowUp>,
    done: ServerAction<CompleteIncidentFollowUp>,
    stop: ServerAction<StopTool>,
    tick: ServerAction<TickIncidentStep>,
}

/// An incident: what happened, its triage, the post-incident review, follow-ups and timeline.
#[component]
pub fn IncidentPage() -> impl IntoView {
    let params = use_params_map();
    let number = move || {
        params.with(|p| {
            p.get("number")
                .and_then(|n| n.parse::<i64>().ok())
                .unwrap_or(0)
        })
    };
    let actions = Actions {
        triage: ServerAction::new(),
        comment: ServerAction::new(),
        review: ServerAction::new(),
        add: ServerAction::new(),
        done: ServerAction::new(),
        stop: ServerAction::new(),
        tick: ServerAction::new(),
    };
    let data = Resource::new_blocking(
        move || {
            (
                number(),
                actions.triage.version().get(),
                actions.comment.version().get(),
                actions.review.version().get(),
                actions.add.version().get(),
                actions.done.version().get(),
                actions.tick.version().get(),
            )
        },
        |(number, ..)| get_incident(number),
    );
    view! {
        <Page title="Incident" up=("/incidents", "Incidents")>
            <Loaded
                resource=data
                loading="Loading the incident…"
                view={move |incident: IncidentDetail| view! { <IncidentView incident actions /> }}
            />
        </Page>
    }
}

fn people(people: &[PersonRef]) -> Vec<(String, String)> {
    people
        .iter()
        .map(|p| (p.user_id.clone(), p.name.clone()))
        .collect()
}

#[component]
fn IncidentView(incident: IncidentDetail, actions: Actions) -> impl IntoView {
    let title = format!("Incident #{}: {}", incident.number, incident.title);
    let open = !incident.status.is_final();
    let triage = (incident.may_triage && open).then(|| {
        view! { <TriageForm incident=incident.clone() action=actions.triage /> }
    });
    view! {
        <Title text=title.clone() />
        <header class="page__header">
            <h1 id="page-title">{title}</h1>
            <SeverityBadge severity=incident.severity />
            <IncidentStatusBadge status=incident.status />
        </header>
        <p class="page__lead">
            {format!("{} · reported by {} · ", incident.kind.label(), incident.reporter)}
            <When at=incident.reported_at />
        </p>
        <section class="card" aria-labelledby="what-title">
            <h2 id="what-title">"What happened"</h2>
            <p class="prose" data-testid="incident-description">
                {incident.description.clone()}
            </p>
            <dl class="details">
                <div>
                    <dt>"When"</dt>
                    <dd>
                        <When at=incident.occurred_at />
                    </dd>
                </div>
                <div>
                    <dt>"AI tools"</dt>
                    <dd>
                        {links(
                            incident
                                .tools
                                .iter()
                                .map(|t| (format!("/tools/{}", t.slug), t.name.clone())),
                        )}
                    </dd>
                </div>
                <div>
                    <dt>"Data that may be affected"</dt>
                    <dd>
                        {links(
                            incident
                                .data_classes
                                .iter()
                                .map(|c| (format!("/data-classes/{}", c.slug), c.name.clone())),
                        )}
                    </dd>
                </div>
                <div>
                    <dt>"Teams that may be affected"</dt>
                    <dd>
                        {or_dash(
                            &incident
                                .teams
                                .iter()
                                .map(|t| t.name.clone())
                                .collect::<Vec<_>>()
                                .join(", "),
                        )}
                    </dd>
                </div>
                <div>
                    <dt>"Linked requests"</dt>
                    <dd>
                        {links(
                            incident
                                .requests
                                .iter()
                                .map(|r| {
                                    (
                                        format!("/requests/{}", r.number),
                                        format!("#{} {}", r.number, r.tool_name),
                                    )
                                }),
                        )}
                    </dd>
                </div>
                <div>
                    <dt>"Owner"</dt>
                    <dd data-testid="incident-owner">
                        {incident
                            .owner
                            .as_ref()
                            .map(|o| o.name.clone())
                            .unwrap_or_else(|| "Not assigned yet".into())}
                    </dd>
                </div>
                {(!incident.dismissed_reason.is_empty())
                    .then(|| {
                        view! {
                            <div>
                                <dt>"Dismissed because"</dt>
                                <dd class="prose">{incident.dismissed_reason.clone()}</dd>
                            </div>
                        }
                    })}
            </dl>
        </section>
        {triage}
        <Checklist incident=incident.clone() action=actions.tick />
        <Stops stops=incident.stops.clone() />
        {(!incident.stoppable.is_empty())
            .then(|| {
                view! {
                    <KillSwitch
                        tools=incident.stoppable.clone()
                        incident=incident.number
                        action=actions.stop
                    />
                }
            })}
        <Review incident=incident.clone() action=actions.review />
        <FollowUps
            follow_ups=incident.follow_ups.clone()
            owners=incident.owners.clone()
            number=incident.number
            addable=incident.may_triage && !incident.status.is_final()
            may_complete=incident.may_triage && incident.status != IncidentStatus::Dismissed
            add=actions.add
            done=actions.done
        />
        <TimelineCard incident actions />
    }
}

/// Links separated by commas, or a dash when there are none.
fn links(items: impl Iterator<Item = (String, String)>) -> AnyView {
    let items: Vec<_> = items.collect();
    if items.is_empty() {
        return view! { "—" }.into_any();
    }
    let count = items.len();
    items
        .into_iter()
        .enumerate()
        .map(|(n, (href, label))| {
            view! {
                <a href=href>{label}</a>
                {(n + 1 < count).then_some(", ")}
            }
        })
        .collect_view()
        .into_any()
}

#[component]
fn TriageForm(incident: IncidentDetail, action: ServerAction<TriageIncident>) -> impl IntoView {
    let error = action_error(action);
    let e = move |field: &'static str| field_error(error, field);
    let mut severities = vec![(String::new(), "Choose…".to_owned())];
    severities.extend(
        Severity::ALL
            .iter()
            .map(|s| (s.as_str().to_owned(), s.label().to_owned())),
    );
    let mut owners = vec![(String::new(), "Choose…".to_owned())];
    owners.extend(people(&incident.owners));
    let statuses: Vec<(String, String)> = incident
        .status
        .next()
        .into_iter()
        .map(|s| (s.as_str().to_owned(), s.label().to_owned()))
        .collect();
    // A new incident is triaged by default: the usual next step.
    let status = match incident.status {
        IncidentStatus::Reported => IncidentStatus::Triaged,
        other => other,
    };
    view! {
        <section class="card" aria-labelledby="triage-title">
            <h2 id="triage-title">"Triage"</h2>
            <FormError error fields=&["severity", "owner", "status", "note"] />
            <ActionForm
                action=action
                attr:class="form"
                attr:novalidate=true
                attr:data-testid="triage-form"
            >
                <input type="hidden" name="number" value=incident.number.to_string() />
                <div class="form__row">
                    <Select
                        id="triage-severity"
                        name="triage[severity]"
                        label="Severity"
                        options=severities
                        selected=incident
                            .severity
                            .map(|s| s.as_str().to_owned())
                            .unwrap_or_default()
                        error=e("severity")
                    />
                    <Select
                        id="triage-owner"
                        name="triage[owner]"
                        label="Owner"
                        options=owners
                        selected=incident
                            .owner
                            .as_ref()
                            .map(|o| o.user_id.clone())
                            .unwrap_or_default()
                        error=e("owner")
                    />
                    <Select
                        id="triage-status"
                        name="triage[status]"
                        label="Status"
                        options=statuses
                        selected=status.as_str().to_owned()
                        error=e("status")
                    />
                </div>
                <TextArea
                    id="triage-note"
                    name="triage[note]"
                    label="Note for the timeline"
                    hint="What was done or decided. Needed to dismiss: say why."
                    maxlength=4000
                    error=e("note")
                />
                <div class="form__actions">
                    <button type="submit" class="button">
                        "Save the triage"
                    </button>
                </div>
            </ActionForm>
        </section>
    }
}

#[component]
fn Review(incident: IncidentDetail, action: ServerAction<ReviewIncident>) -> impl IntoView {
    let error = action_error(action);
    let e = move |field: &'static str| field_error(error, field);
    let written = !incident.review_summary.is_empty();
    let editable = incident.may_triage && !incident.status.is_final();
    if !written && !editable {
        return ().into_any();
    }
    view! {
        <section class="card" aria-labelledby="review-title" data-testid="incident-review">
            <h2 id="review-title">"Post-incident review"</h2>
            {written
                .then(|| {
                    view! {
                        <dl class="details">
                            <div>
                                <dt>"What happened"</dt>
                                <dd class="prose">{incident.review_summary.clone()}</dd>
                            </div>
                            <div>
                                <dt>"Root cause"</dt>
                                <dd class="prose">{incident.root_cause.clone()}</dd>
                            </div>
                        </dl>
                    }
                })}
            {editable
                .then(|| {
                    view! {
                        <FormError error fields=&["summary", "root_cause"] />
                        <ActionForm action=action attr:class="form" attr:novalidate=true>
                            <input type="hidden" name="number" value=incident.number.to_string() />
                            <TextArea
                                id="review-summary"
                                name="review[summary]"
                                label="What happened, in order"
                                maxlength=8000
                                value=incident.review_summary.clone()
                                error=e("summary")
                            />
                            <TextArea
                                id="review-root-cause"
                                name="review[root_cause]"
                                label="Root cause"
                                maxlength=8000
                                value=incident.root_cause.clone()
                                error=e("root_cause")
                            />
                            <div class="form__actions">
                                <button type="submit" class="button button--secondary">
                                    {if written { "Update the review" } else { "Save the review" }}
                                </button>
                            </div>
                        </ActionForm>
                    }
                })}
            {(!written && editable)
                .then(|| {
                    view! { <p class="field-hint">"Needed before the incident can be closed."</p> }
                })}
        </section>
    }
    .into_any()
}

fn what(event: &IncidentEvent) -> String {
    match event.kind.as_str() {
        "reported" => "reported the incident".to_owned(),
        "triaged" => "triaged".to_owned(),
        "status_changed" => match (event.from_status, event.to_status) {
            (Some(from), Some(to)) => format!(
                "moved it from {} to {}",
                from.label().to_lowercase(),
                to.label().to_lowercase()
            ),
            _ => "changed its status".to_owned(),
        },
        "commented" => "commented".to_owned(),
        "reviewed" => "wrote the post-incident review".to_owned(),
        "action_added" => "added a follow-up".to_owned(),
        "action_done" => "completed a follow-up".to_owned(),
        "tool_stopped" => "pulled the kill switch".to_owned(),
        "acknowledged" => "acknowledged the stop".to_owned(),
        "first_no" => "saw the policy check answer no".to_owned(),
        "tool_reinstated" => "reinstated the tool".to_owned(),
        "reinstatement_proposed" => "proposed reinstating the tool".to_owned(),
        "step_done" => "ticked a checklist step".to_owned(),
        "step_reopened" => "unticked a checklist step".to_owned(),
        other => other.replace('_', " "),
    }
}

/// The incident's checklist, from its kind's playbook, ticked by triagers with timestamps; and
/// who tells whom.
#[component]
fn Checklist(incident: IncidentDetail, action: ServerAction<TickIncidentStep>) -> impl IntoView {
    let Some(version) = incident.playbook_version else {
        return ().into_any();
    };
    let may_tick = incident.may_triage && !incident.status.is_final();
    let number = incident.number;
    let done = incident
        .steps
        .iter()
        .filter(|s| s.done_at.is_some())
        .count();
    let total = incident.steps.len();
    let kind = incident.kind;
    view! {
        <section class="card" id="checklist" aria-labelledby="checklist-title">
            <h2 id="checklist-title">"Checklist"</h2>
            <p class="field-hint">
                {format!("{done} of {total} done · from the ")}
                <a href=format!(
                    "/incidents/playbooks/{}",
                    kind.as_str(),
                )>{format!("{} playbook", kind.label())}</a> {format!(", version {version}")}
            </p>
            <FormError error=action_error(action) />
            <ol class="checklist-steps" data-testid="incident-steps">
                {incident
                    .steps
                    .into_iter()
                    .map(|step| {
                        let ticked = step.done_at.is_some();
                        view! {
                            <li class=if ticked {
                                "checklist-steps__item is-done"
                            } else {
                                "checklist-steps__item"
                            }>
                                <div>
                                    <p>
                                        {step.what.clone()}
                                        <span class="muted">{format!(" — {}", step.who)}</span>
                                    </p>
                                    {step
                                        .done_at
                                        .map(|at| {
                                            view! {
                                                <p class="field-hint">
                                                    {format!(
                                                        "Done by {} · ",
                                                        step.done_by.clone().unwrap_or_default(),
                                                    )} <When at />
                                                </p>
                                            }
                                        })}
                                </div>
                                {may_tick
                                    .then(|| {
                                        view! {
                                            <ActionForm action attr:class="form--inline">
                                                <input
                                                    type="hidden"
                                                    name="number"
                                                    value=number.to_string()
                                                />
                                                <input
                                                    type="hidden"
                                                    name="step"
                                                    value=step.position.to_string()
                                                />
                                                <input
                                                    type="hidden"
                                                    name="done"
                                                    value=(!ticked).to_string()
                                                />
                                                <button
                                                    type="submit"
                                                    class="button button--ghost"
                                                    aria-label=format!(
                                                        "{}: {}",
                                                        if ticked { "Mark not done" } else { "Mark done" },
                                                        step.what,
                                                    )
                                                >
                                                    {if ticked { "Mark not done" } else { "Mark done" }}
                                                </button>
                                            </ActionForm>
                                        }
                                    })}
                            </li>
                        }
                    })
                    .collect_view()}
            </ol>
            <h3>"Who tells whom"</h3>
            <Channels channels=incident.channels />
        </section>
    }
        .into_any()
}

/// The timeline and, while the incident is open, the comment form.
#[component]
fn TimelineCard(incident: IncidentDetail, actions: Actions) -> impl IntoView {
    let error = action_error(actions.comment);
    let open = !incident.status.is_final();
    view! {
        <section class="card" aria-labelledby="timeline-title">
            <h2 id="timeline-title">"Timeline"</h2>
            <Timeline entries=incident
                .timeline
                .into_iter()
                .map(|event| TimelineItem {
                    what: what(&event),
                    actor: if event.actor.is_empty() {
                        "The portal".to_owned()
                    } else {
                        event.actor
                    },
                    at: event.at,
                    body: event.body,
                })
                .collect() />
            {open
                .then(|| {
                    view! {
                        <FormError error fields=&["body"] />
                        <ActionForm action=actions.comment attr:class="form" attr:novalidate=true>
                            <input type="hidden" name="number" value=incident.number.to_string() />
                            <TextArea
                                id="comment-body"
                                name="body"
                                label="Add to the timeline"
                                hint="What you found or did. Everyone who can see the incident reads it."
                                maxlength=4000
                                error=field_error(error, "body")
                            />
                            <div class="form__actions">
                                <button type="submit" class="button button--secondary">
                                    "Comment"
                                </button>
                            </div>
                        </ActionForm>
                    }
                })}
        </section>
    }
}

/// The tools stopped under this incident, and how far the word has gone, team by team.
#[component]
fn Stops(stops: Vec<StopTally>) -> impl IntoView {
    if stops.is_empty() {
        return ().into_any();
    }
    view! {
        <section class="card card--danger" aria-labelledby="stops-title" data-testid="stops">
            <h2 id="stops-title">"Stopped tools"</h2>
            {stops
                .into_iter()
                .map(|stop| {
                    view! {
                        <h3>
                            <a href=format!(
                                "/tools/{}",
                                stop.tool.slug,
                            )>{stop.tool.name.clone()}</a>
                            {if stop.lifted_at.is_some() { " (reinstated)" } else { "" }}
                        </h3>
                        <p>
                            {format!("Stopped by {} · ", stop.stopped_by)}
                            <When at=stop.stopped_at /> " · "
                            <a
                                href=format!("/receipts/{}", stop.receipt_id)
                                data-testid="stop-receipt"
                            >
                                "signed receipt"
                            </a>
                        </p>
                        <p class="prose">{stop.reason.clone()}</p>
                        <p data-testid="first-no">
                            {match stop.first_no_at {
                                Some(at) => {
                                    view! {
                                        "The policy check first answered no "
                                        <When at />
                                    }
                                        .into_any()
                                }
                                None => {
                                    view! { "Nobody has asked the policy check since." }.into_any()
                                }
                            }}
                        </p>
                        <div class="table-wrap">
                            <table class="table" data-testid="acknowledgements">
                                <caption>"Who has read the banner"</caption>
                                <thead>
                                    <tr>
                                        <th scope="col">"Team"</th>
                                        <th scope="col">"Read"</th>
                                        <th scope="col">"Not yet"</th>
                                    </tr>
                                </thead>
                                <tbody>
                                    {stop
                                        .teams
                                        .into_iter()
                                        .map(|t| {
                                            view! {
                                                <tr>
                                                    <th scope="row">{t.team.name.clone()}</th>
                                                    <td data-label="Read">
                                                        {format!("{} of {}", t.acknowledged, t.members)}
                                                    </td>
                                                    <td data-label="Not yet">
                                                        {if t.waiting.is_empty() {
                                                            "—".to_owned()
                                                        } else {
                                                            t.waiting.join(", ")
                                                        }}
                                                    </td>
                                                </tr>
                                            }
                                        })
                                        .collect_view()}
                                </tbody>
                            </table>
                        </div>
                    }
                })
                .collect_view()}
        </section>
    }
        .into_any()
}
