use leptos::prelude::*;
use leptos_router::hooks::use_params_map;

use crate::api::{get_playbook, get_playbooks, SavePlaybook};
use crate::domain::incidents::{Channel, PlaybookForm, PlaybookStep};
use crate::model::{PlaybookPage, PlaybookSummary, PlaybookVersion};
use crate::ui::components::{
    action_error, field_error, EmptyState, FormError, Loaded, Page, TextArea, When,
};

/// Every incident kind and its playbook in force.
#[component]
pub fn PlaybooksPage() -> impl IntoView {
    let data = Resource::new_blocking(|| (), |_| get_playbooks());
    view! {
        <Page
            title="Playbooks"
            heading="Playbooks"
            section="Incident response"
            up=("/incidents", "Incidents")
            lead="What to do, in order, when an incident of each kind is reported, and who tells whom. A new incident's checklist is its kind's playbook as it stands then."
        >
            <Loaded
                resource=data
                loading="Loading playbooks…"
                view={move |list: Vec<PlaybookSummary>| view! { <PlaybookList list /> }}
            />
        </Page>
    }
}

#[component]
fn PlaybookList(list: Vec<PlaybookSummary>) -> impl IntoView {
    view! {
        <div class="table-wrap">
            <table class="table" data-testid="playbooks">
                <caption class="visually-hidden">"Playbooks by incident kind"</caption>
                <thead>
                    <tr>
                        <th scope="col">"Incident kind"</th>
                        <th scope="col">"Version in force"</th>
                        <th scope="col">"Steps"</th>
                        <th scope="col">"Channels"</th>
                        <th scope="col">"Last edited"</th>
                    </tr>
                </thead>
                <tbody>
                    {list
                        .into_iter()
                        .map(|p| {
                            let href = format!("/incidents/playbooks/{}", p.kind.as_str());
                            view! {
                                <tr>
                                    <th scope="row">
                                        <a href=href>{p.kind.label()}</a>
                                    </th>
                                    <td data-label="Version">
                                        {match p.version {
                                            Some(v) => format!("Version {v}"),
                                            None => "None yet".to_owned(),
                                        }}
                                    </td>
                                    <td data-label="Steps">{p.steps}</td>
                                    <td data-label="Channels">{p.channels}</td>
                                    <td data-label="Last edited">
                                        {match (p.edited_at, p.edited_by) {
                                            (Some(at), Some(by)) => {
                                                view! {
                                                    <When at />
                                                    {format!(" by {by}")}
                                                }
                                                    .into_any()
                                            }
                                            (Some(at), None) => {
                                                view! {
                                                    <When at />
                                                    " (shipped with the portal)"
                                                }
                                                    .into_any()
                                            }
                                            _ => view! { "—" }.into_any(),
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
}

/// One playbook: the version in force, the admins' edit form, and every earlier version.
#[component]
pub fn PlaybookPageView() -> impl IntoView {
    let params = use_params_map();
    let kind = move || params.with(|p| p.get("kind").unwrap_or_default());
    let data = Resource::new_blocking(kind, get_playbook);
    view! {
        <Page title="Playbook" up=("/incidents/playbooks", "Playbooks")>
            <Loaded
                resource=data
                loading="Loading the playbook…"
                view={move |page: PlaybookPage| view! { <PlaybookBody page /> }}
            />
        </Page>
    }
}

#[component]
fn PlaybookBody(page: PlaybookPage) -> impl IntoView {
    let mut versions = page.versions.into_iter();
    let current = versions.next();
    let earlier: Vec<PlaybookVersion> = versions.collect();
    let form = match &current {
        Some(v) => PlaybookForm::of(page.kind, &v.steps, &v.channels),
        None => PlaybookForm {
            kind: page.kind.as_str().to_owned(),
            ..PlaybookForm::default()
        },
    };
    let heading = format!("{} playbook", page.kind.label());
    view! {
        <header class="page__header">
            <h1 id="page-title">{heading}</h1>
        </header>
        {match current {
            Some(v) => view! { <VersionView version=v current=true /> }.into_any(),
            None => {
                view! {
                    <EmptyState title="No playbook yet">
                        <p>
                            "Incidents of this kind start with an empty checklist until an admin writes one."
                        </p>
                    </EmptyState>
                }
                    .into_any()
            }
        }}
        {page.may_edit.then(|| view! { <PlaybookEditor form /> })}
        {(!earlier.is_empty())
            .then(|| {
                view! {
                    <section class="card" aria-labelledby="versions-title">
                        <h2 id="versions-title">"Earlier versions"</h2>
                        {earlier
                            .into_iter()
                            .map(|v| {
                                view! {
                                    <details class="version">
                                        <summary>
                                            {format!("Version {} · ", v.version)}
                                            <When at=v.edited_at />
                                        </summary>
                                        <VersionView version=v current=false />
                                    </details>
                                }
                            })
                            .collect_view()}
                    </section>
                }
            })}
    }
}

#[component]
fn VersionView(version: PlaybookVersion, current: bool) -> impl IntoView {
    let by = version
        .edited_by
        .clone()
        .unwrap_or_else(|| "the portal".to_owned());
    view! {
        <section
            class="card"
            data-testid=if current { "playbook-current" } else { "playbook-version" }
        >
            {current
                .then(|| {
                    view! {
                        <p class="page__eyebrow">
                            {format!("Version {} in force · edited by {by} · ", version.version)}
                            <When at=version.edited_at />
                        </p>
                    }
                })}
            {(!version.note.is_empty())
                .then(|| view! { <p class="prose">{version.note.clone()}</p> })}
            <h3>"Steps"</h3>
            <Steps steps=version.steps />
            <h3>"Communication channels"</h3>
            <Channels channels=version.channels />
        </section>
    }
}

/// A playbook's steps, in order, with who does each.
#[component]
pub fn Steps(steps: Vec<PlaybookStep>) -> impl IntoView {
    view! {
        <ol class="steps">
            {steps
                .into_iter()
                .map(|s| {
                    view! {
                        <li>{s.what} <span class="muted">{format!(" — {}", s.who)}</span></li>
                    }
                })
                .collect_view()}
        </ol>
    }
}

/// Who tells whom, when and how.
#[component]
pub fn Channels(channels: Vec<Channel>) -> impl IntoView {
    if channels.is_empty() {
        return view! { <p class="muted">"No channels named."</p> }.into_any();
    }
    view! {
        <div class="table-wrap">
            <table class="table" data-testid="channels">
                <caption class="visually-hidden">"Who notifies whom, when and how"</caption>
                <thead>
                    <tr>
                        <th scope="col">"Who"</th>
                        <th scope="col">"Tells whom"</th>
                        <th scope="col">"When"</th>
                        <th scope="col">"How"</th>
                    </tr>
                </thead>
                <tbody>
                    {channels
                        .into_iter()
                        .map(|c| {
                            view! {
                                <tr>
                                    <th scope="row">{c.who}</th>
                                    <td data-label="Tells whom">{c.whom}</td>
                                    <td data-label="When">{c.when}</td>
                                    <td data-label="How">{c.how}</td>
                                </tr>
                            }
                        })
                        .collect_view()}
                </tbody>
            </table>
        </div>
    }
    .into_any()
}

/// The admins' form: the playbook as lines of text, saved as a new version.
#[component]
fn PlaybookEditor(form: PlaybookForm) -> impl IntoView {
    let action = ServerAction::<SavePlaybook>::new();
    let error = action_error(action);
    let e = move |field: &'static str| field_error(error, field);
    view! {
        <section class="card" aria-labelledby="edit-title">
            <h2 id="edit-title">"Edit"</h2>
            <p>
                "Saving makes a new version; incidents already reported keep the checklist they started with."
            </p>
            <FormError error fields=&["kind", "steps", "channels", "note"] />
            <ActionForm
                action=action
                attr:class="form"
                attr:novalidate=true
                attr:data-testid="playbook-form"
            >
                <input type="hidden" name="playbook[kind]" value=form.kind.clone() />
                <TextArea
                    id="playbook-steps"
                    name="playbook[steps]"
                    label="Steps"
                    hint="One per line, in order: what to do | who does it"
                    maxlength=20000
                    value=form.steps.clone()
                    error=e("steps")
                />
                <TextArea
                    id="playbook-channels"
                    name="playbook[channels]"
                    label="Communication channels"
                    hint="One per line: who | tells whom | when | how"
                    maxlength=20000
                    value=form.channels.clone()
                    error=e("channels")
                />
                <TextArea
                    id="playbook-note"
                    name="playbook[note]"
                    label="What changed (optional)"
                    hint="For instance: reviewed after the tabletop exercise."
                    maxlength=2000
                    error=e("note")
                />
                <div class="form__actions">
                    <button type="submit" class="button">
                        "Save as a new version"
                    </button>
                </div>
            </ActionForm>
        </section>
    }
}
