use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use crate::api::get_incidents;
use crate::domain::incidents::IncidentStatus;
use crate::model::{IncidentList, IncidentQuery, IncidentSummary};
use crate::ui::components::{
    EmptyState, FilterSelect, IncidentStatusBadge, Loaded, Page, SeverityBadge, When,
};

/// Reviewers and admins: every incident; managers: those touching their teams; everyone:
/// what they reported.
#[component]
pub fn IncidentsPage() -> impl IntoView {
    let query = use_query_map();
    let filters = move || {
        query.with(|q| IncidentQuery {
            status: q.get("status").unwrap_or_default(),
            tool: q.get("tool").unwrap_or_default(),
        })
    };
    let data = Resource::new_blocking(filters, get_incidents);
    view! {
        <Page
            title="Incidents"
            heading="Incidents"
            section="Incident response"
            lead="Something went wrong with an AI tool? Report it here: IT security is told at once."
            actions={move || {
                view! {
                    <a class="button button--secondary" href="/incidents/playbooks">
                        "Playbooks"
                    </a>

                    <a class="button" href="/incidents/new">
                        "Report an incident"
                    </a>
                }
            }}
        >
            <Loaded
                resource=data
                loading="Loading incidents…"
                view={move |list: IncidentList| {
                    view! { <IncidentListView list filters=filters() /> }
                }}
            />
        </Page>
    }
}

#[component]
fn IncidentListView(list: IncidentList, filters: IncidentQuery) -> impl IntoView {
    let mut statuses = vec![("open".to_owned(), "Open (not yet resolved)".to_owned())];
    statuses.extend(
        IncidentStatus::ALL
            .iter()
            .map(|s| (s.as_str().to_owned(), s.label().to_owned())),
    );
    let filtered = !filters.status.is_empty() || !filters.tool.is_empty();
    view! {
        {list
            .sees_all
            .then(|| {
                view! {
                    <p class="page__links">
                        "Rehearse before it happens: "
                        <a href="/incidents/exercises">"tabletop exercises"</a>
                        " with a dry kill switch."
                    </p>
                }
            })}
        <form
            class="filter-bar"
            method="get"
            action="/incidents"
            role="search"
            aria-label="Filter incidents"
        >
            <FilterSelect
                id="status"
                label="Status"
                any="Any status"
                options=statuses
                selected=filters.status.clone()
            />
            <FilterSelect
                id="tool"
                label="Tool"
                any="Any tool"
                options=list.tools.iter().map(|t| (t.slug.clone(), t.name.clone())).collect()
                selected=filters.tool.clone()
            />
            <button type="submit" class="button button--secondary">
                "Filter"
            </button>
        </form>
        {if list.incidents.is_empty() {
            view! {
                <EmptyState title="No incidents here">
                    {if filtered {
                        view! {
                            <p>
                                "None matches these filters. " <a href="/incidents">"Show all"</a>
                                "."
                            </p>
                        }
                            .into_any()
                    } else if list.sees_all {
                        view! { <p>"Nobody has reported an incident yet."</p> }.into_any()
                    } else {
                        view! {
                            <p>
                                "You have not reported any incident, and none touches a team you manage."
                            </p>
                        }
                            .into_any()
                    }}
                </EmptyState>
            }
                .into_any()
        } else {
            view! { <IncidentTable incidents=list.incidents /> }.into_any()
        }}
    }
}

#[component]
fn IncidentTable(incidents: Vec<IncidentSummary>) -> impl IntoView {
    view! {
        <div class="table-wrap">
            <table class="table" data-testid="incidents-table">
                <caption class="visually-hidden">"Incidents"</caption>
                <thead>
                    <tr>
                        <th scope="col">"Incident"</th>
                        <th scope="col">"Kind"</th>
                        <th scope="col">"Tools"</th>
                        <th scope="col">"Severity"</th>
                        <th scope="col">"Status"</th>
                        <th scope="col">"Owner"</th>
                        <th scope="col">"Reported"</th>
                    </tr>
                </thead>
                <tbody>
                    {incidents
                        .into_iter()
                        .map(|i| {
                            view! {
                                <tr>
                                    <th scope="row">
                                        <a href=format!(
                                            "/incidents/{}",
                                            i.number,
                                        )>{format!("#{} {}", i.number, i.title)}</a>
                                    </th>
                                    <td data-label="Kind">{i.kind.label()}</td>
                                    <td data-label="Tools">
                                        {if i.tools.is_empty() {
                                            "—".to_owned()
                                        } else {
                                            i.tools.join(", ")
                                        }}
                                    </td>
                                    <td data-label="Severity">
                                        <SeverityBadge severity=i.severity />
                                    </td>
                                    <td data-label="Status">
                                        <IncidentStatusBadge status=i.status />
                                    </td>
                                    <td data-label="Owner">
                                        {i.owner.clone().unwrap_or_else(|| "—".into())}
                                    </td>
                                    <td data-label="Reported">
                                        <When at=i.reported_at />
                                        " by "
                                        {i.reporter.clone()}
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
