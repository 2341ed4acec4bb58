use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use crate::api::get_overview;
use crate::domain::matches_filter;
use crate::model::{Overview, TeamSummary};
use crate::ui::components::OnDay;
use crate::ui::components::{EmptyState, ErrorNotice, Loading, Page};

/// The organization at a glance: its name, how many teams it has, and the teams themselves.
#[component]
pub fn HomePage() -> impl IntoView {
    // Blocking, so the server sends the page complete: it must work without JavaScript.
    let overview = Resource::new_blocking(|| (), |_| get_overview());
    // The filter starts from `?q=` so the plain form works without JavaScript; where
    // JavaScript runs, typing filters the list at once (the `Teams` island).
    let query = use_query_map();
    let filter = query.with_untracked(|q| q.get("q").unwrap_or_default());

    view! {
        <Suspense fallback=|| {
            view! { <Loading label="Loading the overview…" /> }
        }>
            {move || {
                let filter = filter.clone();
                Suspend::new(async move {
                    match overview.await {
                        Ok(data) => view! { <OverviewView data filter /> }.into_any(),
                        Err(error) => view! { <ErrorNotice error /> }.into_any(),
                    }
                })
            }}
        </Suspense>
    }
}

#[component]
fn OverviewView(data: Overview, filter: String) -> impl IntoView {
    let Overview {
        organization,
        teams,
    } = data;
    let Some(organization) = organization else {
        return view! {
            <Page title="Overview" heading="Welcome">
                <EmptyState title="This portal has not been set up yet">
                    <p>
                        "An admin names the organization under "
                        <a href="/admin/settings">"Settings"</a>
                        ", or an operator loads the demo organization with "
                        <code>"server demo load"</code> "."
                    </p>
                </EmptyState>
            </Page>
        }
        .into_any();
    };
    let team_count = teams.len();
    let is_demo = organization.is_demo;
    view! {
        <Page
            title="Overview"
            heading=organization.name.clone()
            section="Organization"
            actions={move || {
                is_demo
                    .then(|| {
                        view! {
                            <span
                                class="badge badge--info"
                                title="Demo data: safe to explore and change"
                            >
                                "Demo"
                            </span>
                        }
                    })
            }}
        >
            <dl class="stats">
                <div class="stat">
                    <dt>"Teams"</dt>
                    <dd data-testid="team-count">{team_count}</dd>
                </div>
                <div class="stat">
                    <dt>"Using the portal since"</dt>
                    <dd>
                        <OnDay at=organization.since />
                    </dd>
                </div>
            </dl>

            <Teams teams filter />
        </Page>
    }
    .into_any()
}

/// The organization's teams with a filter: a plain GET form without JavaScript, live where it
/// runs (an island: the only part of the overview that runs in the browser).
#[island]
fn Teams(teams: Vec<TeamSummary>, filter: String) -> impl IntoView {
    let filter = RwSignal::new(filter);
    let team_count = teams.len();
    let teams = StoredValue::new(teams);
    let visible = move || {
        let filter = filter.get();
        teams.with_value(|all| {
            all.iter()
                .filter(|team| matches_filter(&filter, &team.name, &team.slug))
                .cloned()
                .collect::<Vec<_>>()
        })
    };
    view! {
        <section class="card" aria-labelledby="teams-title">
            <div class="card__header">
                <h2 id="teams-title">"Teams"</h2>
                <form class="filter" method="get" action="/" role="search">
                    <label for="team-filter">"Filter teams"</label>
                    <input
                        id="team-filter"
                        type="search"
                        name="q"
                        maxlength="100"
                        autocomplete="off"
                        placeholder="Name or part of it"
                        // The attribute carries the value into server-rendered HTML; the
                        // property keeps it in step once hydrated (e.g. "show all teams").
                        value=filter.get_untracked()
                        prop:value={move || filter.get()}
                        on:input={move |ev| filter.set(event_target_value(&ev))}
                    />
                    <button type="submit" class="button button--secondary">
                        "Filter"
                    </button>
                </form>
            </div>
            {move || {
                let shown = visible();
                let shown_count = shown.len();
                view! {
                    <p class="list-summary" aria-live="polite" data-testid="team-summary">
                        {if shown_count == team_count {
                            format!("{team_count} teams")
                        } else {
                            format!("{shown_count} of {team_count} teams match")
                        }}
                    </p>
                    <TeamTable teams=shown total=team_count filter />
                }
            }}
        </section>
    }
}

#[component]
fn TeamTable(teams: Vec<TeamSummary>, total: usize, filter: RwSignal<String>) -> impl IntoView {
    if total == 0 {
        return view! {
            <EmptyState title="No teams yet">
                <p>"Teams appear here once they are created or the demo organization is loaded."</p>
            </EmptyState>
        }
        .into_any();
    }
    if teams.is_empty() {
        return view! {
            <EmptyState title="No team matches this filter">
                <p>
                    "Try part of a name, or "
                    <a
                        href="/"
                        on:click={move |ev| {
                            ev.prevent_default();
                            filter.set(String::new());
                        }}
                    >
                        "show all teams"
                    </a> "."
                </p>
            </EmptyState>
        }
        .into_any();
    }
    view! {
        <div class="table-wrap">
            <table class="table" data-testid="team-table">
                <caption class="visually-hidden">"Teams of the organization"</caption>
                <thead>
                    <tr>
                        <th scope="col">"Team"</th>
                        <th scope="col">"Identifier"</th>
                        <th scope="col">"What it does"</th>
                    </tr>
                </thead>
                <tbody>
                    {teams
                        .into_iter()
                        .map(|team| {
                            view! {
                                <tr>
                                    <th scope="row">{team.name}</th>
                                    <td data-label="Identifier">
                                        <code>{team.slug}</code>
                                    </td>
                                    <td data-label="What it does">{team.description}</td>
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
