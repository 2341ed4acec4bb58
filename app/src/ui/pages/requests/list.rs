use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use crate::api::get_requests;
use crate::domain::requests::risk::RiskLevel;
use crate::domain::requests::state::RequestState;
use crate::model::{RequestList, RequestQuery, RequestSummary, AGE_FILTERS};
use crate::ui::components::{
    choices, EmptyState, FilterSelect, Loaded, Page, RequestStateBadge, RiskBadge,
};

/// Everyone: their own requests; reviewers: the review queue; managers: their teams' requests.
#[component]
pub fn RequestsPage() -> impl IntoView {
    let query = use_query_map();
    let filters = move || {
        query.with(|q| RequestQuery {
            scope: q.get("scope").unwrap_or_default(),
            state: q.get("state").unwrap_or_default(),
            risk: q.get("risk").unwrap_or_default(),
            team: q.get("team").unwrap_or_default(),
            assigned_to_me: q.get("assigned_to_me").is_some_and(|v| !v.is_empty()),
            age: q.get("age").unwrap_or_default(),
        })
    };
    let data = Resource::new_blocking(filters, get_requests);
    view! {
        <Page
            title="Tool requests"
            heading="Tool requests"
            section="Requests"
            actions={move || {
                view! {
                    <a class="button" href="/requests/new">
                        "Request a tool"
                    </a>
                }
            }}
        >
            <Loaded
                resource=data
                loading="Loading requests…"
                view={move |list: RequestList| view! { <RequestListView list filters=filters() /> }}
            />
        </Page>
    }
}

#[component]
fn RequestListView(list: RequestList, filters: RequestQuery) -> impl IntoView {
    let scope = if filters.scope.is_empty() {
        "mine".to_owned()
    } else {
        filters.scope.clone()
    };
    let tab = |key: &'static str, label: &'static str| {
        let current = scope == key;
        view! {
            <li>
                <a href=format!("/requests?scope={key}") aria-current=current.then_some("page") class:tab--current=current>{label}</a>
            </li>
        }
    };
    let queue = scope == "queue";
    view! {
        <nav class="tabs" aria-label="Which requests">
            <ul>
                {tab("mine", "My requests")} {list.reviewer.then(|| tab("queue", "Review queue"))}
                {tab("teams", "My teams")}
            </ul>
        </nav>
        <form
            class="filter-bar"
            method="get"
            action="/requests"
            role="search"
            aria-label="Filter requests"
        >
            <input type="hidden" name="scope" value=scope.clone() />
            <FilterSelect
                id="state"
                label="State"
                any="Any state"
                options=choices(RequestState::ALL, RequestState::as_str, RequestState::label)
                selected=filters.state.clone()
            />
            <FilterSelect
                id="risk"
                label="Risk"
                any="Any risk"
                options=choices(RiskLevel::ALL, RiskLevel::as_str, RiskLevel::label)
                selected=filters.risk.clone()
            />
            <FilterSelect
                id="team"
                label="Team"
                any="Any team"
                options=list.teams.iter().map(|t| (t.slug.clone(), t.name.clone())).collect()
                selected=filters.team.clone()
            />
            <FilterSelect
                id="age"
                label="Waiting"
                any="Any time"
                options=AGE_FILTERS
                    .iter()
                    .map(|(days, label)| ((*days).to_owned(), (*label).to_owned()))
                    .collect()
                selected=filters.age.clone()
            />
            {queue
                .then(|| {
                    view! {
                        <label class="choice" for="assigned">
                            <input
                                type="checkbox"
                                id="assigned"
                                name="assigned_to_me"
                                value="1"
                                checked=filters.assigned_to_me
                            />
                            "Assigned to me"
                        </label>
                    }
                })}
            <button type="submit" class="button button--secondary">
                "Filter"
            </button>
        </form>
        {if list.requests.is_empty() {
            view! {
                <EmptyState title="No requests here">
                    {if queue {
                        view! { <p>"Nothing is waiting for review."</p> }.into_any()
                    } else {
                        view! {
                            <p>
                                "Need an AI tool that is not approved yet, or an approval for more data or teams? "
                                <a href="/requests/new">"Request it"</a> "."
                            </p>
                        }
                            .into_any()
                    }}
                </EmptyState>
            }
                .into_any()
        } else if queue {
            let (requester, reviewers): (Vec<_>, Vec<_>) = list
                .requests
                .into_iter()
                .partition(|r| r.state == RequestState::ChangesRequested);
            // Requests sent back for changes wait on their requester, not on a reviewer.
            view! {
                {if reviewers.is_empty() {
                    view! { <p>"Nothing is waiting for a reviewer."</p> }.into_any()
                } else {
                    view! { <RequestTable requests=reviewers /> }.into_any()
                }}
                {(!requester.is_empty())
                    .then(|| {
                        view! {
                            <section
                                class="queue-later"
                                aria-labelledby="waiting-on-requester"
                                data-testid="waiting-on-requester"
                            >
                                <h2 id="waiting-on-requester">"Waiting on the requester"</h2>
                                <p class="field-hint">
                                    "Sent back for changes: they return to the queue when the requester answers."
                                </p>
                                <RequestTable requests=requester />
                            </section>
                        }
                    })}
            }
                .into_any()
        } else {
            view! { <RequestTable requests=list.requests /> }.into_any()
        }}
    }
}

#[component]
fn RequestTable(requests: Vec<RequestSummary>) -> impl IntoView {
    view! {
        <div class="table-wrap">
            <table class="table" data-testid="requests-table">
                <caption class="visually-hidden">"Tool requests"</caption>
                <thead>
                    <tr>
                        <th scope="col">"Request"</th>
                        <th scope="col">"Team"</th>
                        <th scope="col">"Requester"</th>
                        <th scope="col">"State"</th>
                        <th scope="col">"Risk"</th>
                        <th scope="col">"Reviewer"</th>
                        <th scope="col">"Age"</th>
                    </tr>
                </thead>
                <tbody>
                    {requests
                        .into_iter()
                        .map(|r| {
                            view! {
                                <tr>
                                    <th scope="row">
                                        <a href=format!(
                                            "/requests/{}",
                                            r.number,
                                        )>{format!("#{} {}", r.number, r.tool_name)}</a>
                                    </th>
                                    <td data-label="Team">{r.team_name.clone()}</td>
                                    <td data-label="Requester">{r.requester.clone()}</td>
                                    <td data-label="State">
                                        <RequestStateBadge state=r.state />
                                    </td>
                                    <td data-label="Risk">
                                        {match r
                                            .risk_level
                                            .as_deref()
                                            .and_then(|l| RiskLevel::parse(l).ok())
                                        {
                                            Some(level) => view! { <RiskBadge level /> }.into_any(),
                                            None => view! { "—" }.into_any(),
                                        }}
                                    </td>
                                    <td data-label="Reviewer">
                                        {r.assignee.clone().unwrap_or_else(|| "—".into())}
                                    </td>
                                    <td data-label="Age">
                                        {match r.age_days {
                                            0 => "today".to_owned(),
                                            1 => "1 day".to_owned(),
                                            n => format!("{n} days"),
                                        }}
                                        {r
                                            .late
                                            .then(|| {
                                                view! {
                                                    " "
                                                    <span
                                                        class="badge badge--warn"
                                                        title="Waiting longer than the organization's review target"
                                                    >
                                                        "Late"
                                                    </span>
                                                }
                                            })}
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
