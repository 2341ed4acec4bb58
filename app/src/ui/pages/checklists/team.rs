use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

use crate::api::{get_my_checklists, get_team_checklist, UpdateChecklistItem};
use crate::domain::checklist::ItemStatus;
use crate::domain::registry::policy::TeamRef;
use crate::model::{
    MachineEvidence, ProhibitedDataEvidence, ResponseEvidence, TeamChecklist, TeamItem,
};
use crate::ui::components::{
    action_error, field_error, EmptyState, FormError, ItemStatusBadge, Loaded, Page, ProgressBar,
    RequestStateBadge, TextArea, TrendChart,
};
use crate::ui::components::{OnDay, When};

/// The checklists the reader may open: their teams (admins: every team).
#[component]
pub fn ChecklistsPage() -> impl IntoView {
    let data = Resource::new_blocking(|| (), |_| get_my_checklists());
    view! {
        <Page
            title="AI security checklist"
            heading="AI security checklist"
            lead="How far each of your teams has come on the organization's AI security checklist."
        >
            <Loaded
                resource=data
                loading="Loading your teams…"
                view={|teams: Vec<TeamRef>| view! { <TeamList teams /> }}
            />
        </Page>
    }
}

#[component]
fn TeamList(teams: Vec<TeamRef>) -> impl IntoView {
    if teams.is_empty() {
        return view! {
            <EmptyState title="You belong to no team yet">
                <p>"An admin adds you to your team; its checklist then appears here."</p>
            </EmptyState>
        }
        .into_any();
    }
    view! {
        <ul class="card" data-testid="checklist-teams">
            {teams
                .into_iter()
                .map(|t| {
                    view! {
                        <li>
                            <a href=format!("/teams/{}/checklist", t.slug)>{t.name}</a>
                        </li>
                    }
                })
                .collect_view()}
        </ul>
    }
    .into_any()
}

/// A team's checklist: figures, trend, every item with its form, history, tools and requests.
#[component]
pub fn TeamChecklistPage() -> impl IntoView {
    let params = use_params_map();
    let update = ServerAction::<UpdateChecklistItem>::new();
    let data = Resource::new_blocking(
        move || {
            (
                params.with(|p| p.get("slug").unwrap_or_default()),
                update.version().get(),
            )
        },
        |(slug, _)| get_team_checklist(slug),
    );
    view! {
        <Page title="Team checklist" up=("/checklists", "AI security checklist")>
            <Loaded
                resource=data
                loading="Loading the checklist…"
                view={move |c: TeamChecklist| view! { <TeamChecklistView checklist=c update /> }}
            />
        </Page>
    }
}

#[component]
fn TeamChecklistView(
    checklist: TeamChecklist,
    update: ServerAction<UpdateChecklistItem>,
) -> impl IntoView {
    let progress = checklist.progress.clone();
    let title = format!("{} — AI security checklist", progress.team_name);
    let error = action_error(update);
    view! {
        <Title text=title.clone() />
        <header class="page__header">
            <h1 id="page-title">{title}</h1>
            <a
                class="button button--secondary"
                href=format!("/teams/{}/checklist.csv", progress.team)
                download=""
            >
                "Export CSV"
            </a>
        </header>
        <p class="page__lead">
            {format!("Checklist version {} · ", progress.framework_version)}
            <span data-testid="team-completion">
                {progress
                    .percent
                    .map_or_else(|| "nothing applies".to_owned(), |p| format!("{p} % complete"))}
            </span>
            {format!(
                " ({} of {} applicable items done)",
                progress.counts.done,
                progress.counts.applicable,
            )}
        </p>
        <FormError error fields=&["na_reason", "evidence", "links"] />
        <div class="grid-2">
            <section class="card" aria-labelledby="categories-title">
                <h2 id="categories-title">"By category"</h2>
                {progress
                    .categories
                    .iter()
                    .map(|c| view! { <ProgressBar label=c.category.label() percent=c.percent /> })
                    .collect_view()}
            </section>
            <section class="card" aria-labelledby="trend-heading">
                <h2 id="trend-heading">"Last 12 weeks"</h2>
                <TrendChart
                    points=checklist.trend.clone()
                    title=format!("Completion of {} by week", progress.team_name)
                />
            </section>
        </div>
        <section aria-labelledby="items-title">
            <h2 id="items-title">"Items"</h2>
            {progress
                .items
                .into_iter()
                .map(|item| {
                    view! {
                        <ItemCard
                            item
                            team=progress.team.clone()
                            people=checklist.people.clone()
                            update
                        />
                    }
                })
                .collect_view()}
        </section>
        <div class="grid-2">
            <section class="card" aria-labelledby="tools-title">
                <h2 id="tools-title">"Approved AI tools for this team"</h2>
                {if checklist.tools.is_empty() {
                    view! { <p>"None yet. " <a href="/requests/new">"Request one"</a> "."</p> }
                        .into_any()
                } else {
                    view! {
                        <ul>
                            {checklist
                                .tools
                                .into_iter()
                                .map(|t| {
                                    view! {
                                        <li>
                                            <a href=format!("/tools/{}", t.slug)>{t.name}</a>
                                        </li>
                                    }
                                })
                                .collect_view()}
                        </ul>
                    }
                        .into_any()
                }}
            </section>
            <section class="card" aria-labelledby="open-title">
                <h2 id="open-title">"Open requests"</h2>
                {if checklist.open_requests.is_empty() {
                    view! { <p>"No request of this team is waiting."</p> }.into_any()
                } else {
                    view! {
                        <ul>
                            {checklist
                                .open_requests
                                .into_iter()
                                .map(|r| {
                                    view! {
                                        <li>
                                            <a href=format!(
                                                "/requests/{}",
                                                r.number,
                                            )>{format!("#{} {}", r.number, r.tool_name)}</a>
                                            " "
                                            <RequestStateBadge state=r.state />
                                        </li>
                                    }
                                })
                                .collect_view()}
                        </ul>
                    }
                        .into_any()
                }}
            </section>
        </div>
        <section class="card" aria-labelledby="history-title">
            <h2 id="history-title">"History"</h2>
            {if checklist.history.is_empty() {
                view! { <p>"No changes yet."</p> }.into_any()
            } else {
                view! {
                    <ol class="history" data-testid="checklist-history">
                        {checklist
                            .history
                            .into_iter()
                            .map(|h| {
                                view! {
                                    <li class="history__entry">
                                        <p class="history__meta">
                                            <strong>{h.actor}</strong>
                                            {format!(" set item {} ({}) to ", h.item, h.title)}
                                            <ItemStatusBadge status=h.status />
                                            {format!(" · {}", h.at)}
                                        </p>
                                    </li>
                                }
                            })
                            .collect_view()}
                    </ol>
                }
                    .into_any()
            }}
        </section>
    }
}

/// One item: what it asks, its state, and the form that changes it (works without JavaScript).
#[component]
fn ItemCard(
    item: TeamItem,
    team: String,
    people: Vec<(String, String)>,
    update: ServerAction<UpdateChecklistItem>,
) -> impl IntoView {
    let error = action_error(update);
    let n = item.number;
    let id = move |field: &str| format!("item-{n}-{field}");
    let e = move |field: &'static str| field_error(error, field);
    let status_id = id("status");
    let owner_id = id("owner");
    let due_id = id("due");
    view! {
        <article class="card checklist-item" id=format!("item-{n}") data-testid=format!("item-{n}")>
            <div class="checklist-item__head">
                <h3>{format!("{n}. {}", item.title)}</h3>
                <span class="badge badge--neutral">{item.category.label()}</span>
                <ItemStatusBadge status=item.status />
                {item
                    .evidence_required
                    .then(|| view! { <span class="badge badge--info">"Evidence required"</span> })}
                {item.overdue.then(|| view! { <span class="badge badge--danger">"Overdue"</span> })}
                {item
                    .machine_evidence
                    .as_ref()
                    .filter(|evidence| evidence.due())
                    .map(|_| {
                        view! {
                            <span class="badge badge--warn" data-testid="evidence-due">
                                "Due: evidence out of date"
                            </span>
                        }
                    })}
            </div>
            {item
                .machine_evidence
                .clone()
                .map(|evidence| match evidence {
                    MachineEvidence::IncidentResponse(evidence) => {
                        view! { <ResponseEvidenceView evidence /> }.into_any()
                    }
                    MachineEvidence::ProhibitedData(evidence) => {
                        view! { <ProhibitedDataView evidence /> }.into_any()
                    }
                })}
            <details>
                <summary>"Guidance"</summary>
                <p class="prose">{item.guidance.clone()}</p>
            </details>
            <dl class="details details--compact">
                <div>
                    <dt>"Owner"</dt>
                    <dd>{item.owner.clone().unwrap_or_else(|| "Nobody".into())}</dd>
                </div>
                <div>
                    <dt>"Due"</dt>
                    <dd>{item.due_date.map_or_else(|| "—".to_owned(), |d| d.to_string())}</dd>
                </div>
                {(!item.na_reason.is_empty())
                    .then(|| {
                        view! {
                            <div>
                                <dt>"Does not apply"</dt>
                                <dd>{item.na_reason.clone()}</dd>
                            </div>
                        }
                    })}
                {(!item.evidence.is_empty() || !item.links.is_empty())
                    .then(|| {
                        view! {
                            <div>
                                <dt>"Evidence"</dt>
                                <dd>
                                    {item.evidence.clone()}
                                    {item
                                        .links
                                        .iter()
                                        .map(|l| {
                                            view! {
                                                " "
                                                <a href=l.clone() rel="noopener noreferrer">
                                                    {l.clone()}
                                                </a>
                                            }
                                        })
                                        .collect_view()}
                                </dd>
                            </div>
                        }
                    })}
            </dl>
            <p class="field-hint">
                {match item.updated_at {
                    Some(at) => {
                        view! {
                            "Last change "
                            <When at />
                            " by "
                            {item.updated_by.clone().unwrap_or_else(|| "the portal".into())}
                            "."
                        }
                            .into_any()
                    }
                    None => "Not touched yet.".into_any(),
                }}
            </p>
            <details class="checklist-item__update" open=move || error.get().is_some()>
                <summary>{format!("Update item {n}")}</summary>
                <ActionForm action=update attr:class="form" attr:novalidate=true>
                    <input type="hidden" name="team" value=team />
                    <input type="hidden" name="number" value=n.to_string() />
                    <div class="checklist-item__form">
                        <div class="field">
                            <label for=status_id.clone()>"Status"</label>
                            <select id=status_id name="item[status]">
                                {ItemStatus::ALL
                                    .iter()
                                    .map(|s| {
                                        view! {
                                            <option value=s.as_str() selected=*s == item.status>
                                                {s.label()}
                                            </option>
                                        }
                                    })
                                    .collect_view()}
                            </select>
                        </div>
                        <div class="field">
                            <label for=owner_id.clone()>"Owner"</label>
                            <select id=owner_id name="item[owner]">
                                <option value="">"Nobody"</option>
                                {people
                                    .into_iter()
                                    .map(|(pid, name)| {
                                        let selected = item.owner_id.as_deref()
                                            == Some(pid.as_str());
                                        view! {
                                            <option value=pid selected=selected>
                                                {name}
                                            </option>
                                        }
                                    })
                                    .collect_view()}
                            </select>
                        </div>
                        <div class="field">
                            <label for=due_id.clone()>"Due date"</label>
                            <input
                                id=due_id
                                type="date"
                                name="item[due_date]"
                                value=item.due_date.map(|d| d.to_string()).unwrap_or_default()
                            />
                        </div>
                    </div>
                    <TextArea
                        id=id("na")
                        name="item[na_reason]"
                        label="Why it does not apply (for not applicable)"
                        maxlength=2000
                        value=item.na_reason.clone()
                        error=e("na_reason")
                    />
                    <TextArea
                        id=id("evidence")
                        name="item[evidence]"
                        label="Evidence"
                        maxlength=8000
                        value=item.evidence.clone()
                        error=e("evidence")
                    />
                    <TextArea
                        id=id("links")
                        name="item[links]"
                        label="Evidence links (one per line)"
                        maxlength=8000
                        value=item.links.join("\n")
                        error=e("links")
                    />
                    <div class="form__actions">
                        <button type="submit" class="button">
                            {format!("Save item {n}")}
                        </button>
                    </div>
                </ActionForm>
            </details>
        </article>
    }
}

/// Item 10's evidence as the portal gathers it: the playbooks and their last review, the last
/// tabletop exercise and the follow-ups still open.
#[component]
fn ResponseEvidenceView(evidence: ResponseEvidence) -> impl IntoView {
    let months = evidence.interval_months;
    view! {
        <div class="evidence" data-testid="machine-evidence">
            <p class="evidence__title">"Evidence from the portal"</p>
            <ul>
                <li>
                    {format!("{} playbooks in force", evidence.playbooks.len())} " ("
                    <a href="/incidents/playbooks">"playbooks"</a> ")"
                    {match evidence.playbooks.iter().map(|p| p.reviewed_at).min() {
                        Some(Some(at)) => {
                            view! {
                                "; the oldest last reviewed "
                                <OnDay at />
                            }
                                .into_any()
                        }
                        Some(None) => view! { "; some as shipped, never reviewed" }.into_any(),
                        None => ().into_any(),
                    }}
                </li>
                <li>
                    {match evidence.last_exercise.clone() {
                        Some(e) => format!("Last tabletop exercise held on {}", e.held_on),
                        None => "No tabletop exercise held yet.".to_owned(),
                    }}
                </li>
                <li>{format!("{} follow-up actions still open", evidence.open_follow_ups)}</li>
            </ul>
            <p class="field-hint">
                {format!(
                    "Due again when a playbook was last reviewed, or the last exercise held, more than {months} months ago, or a playbook was never reviewed.",
                )}
            </p>
        </div>
    }
}

/// Item 3's evidence as the portal gathers it: the data classes, which are prohibited, and how
/// many detectors in force find each (a prohibited class nothing finds is called out).
#[component]
fn ProhibitedDataView(evidence: ProhibitedDataEvidence) -> impl IntoView {
    let prohibited = evidence
        .classes
        .iter()
        .filter(|c| c.prohibited_by_default)
        .count();
    let unwatched: Vec<String> = evidence
        .classes
        .iter()
        .filter(|c| c.prohibited_by_default && c.detectors == 0)
        .map(|c| c.name.clone())
        .collect();
    view! {
        <div class="evidence" data-testid="machine-evidence">
            <p class="evidence__title">"Evidence from the portal"</p>
            <p>
                {format!(
                    "{} data classes defined, {prohibited} prohibited from AI tools by default (",
                    evidence.classes.len(),
                )} <a href="/data-classes">"data classes"</a> "; "
                <a href="/scan">"check a text"</a> ")."
            </p>
            <ul>
                {evidence
                    .classes
                    .into_iter()
                    .map(|class| {
                        view! {
                            <li>
                                {class.name}
                                {class.prohibited_by_default.then_some(" (prohibited)")} ": "
                                {match class.detectors {
                                    1 => "1 detector".to_owned(),
                                    n => format!("{n} detectors"),
                                }}
                            </li>
                        }
                    })
                    .collect_view()}
            </ul>
            {(!unwatched.is_empty())
                .then(|| {
                    view! {
                        <p class="field-hint">
                            {format!(
                                "No detector finds {} yet: the scanner cannot warn about it.",
                                unwatched.join(", "),
                            )}
                        </p>
                    }
                })}
        </div>
    }
}
