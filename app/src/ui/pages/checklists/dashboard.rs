use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use crate::api::get_dashboard;
use crate::model::Dashboard;
use crate::ui::components::{EmptyState, Loaded, Page, ProgressBar, TrendChart};

/// The organization dashboard (managers: the teams they manage).
#[component]
pub fn DashboardPage() -> impl IntoView {
    let query = use_query_map();
    let data = Resource::new_blocking(
        move || query.with(|q| q.get("page").and_then(|p| p.parse::<i64>().ok())),
        get_dashboard,
    );
    view! {
        <Page
            title="Compliance dashboard"
            heading="Compliance dashboard"
            actions={move || {
                view! {
                    <a class="button button--secondary" href="/dashboard.csv" download="">
                        "Export CSV"
                    </a>
                }
            }}
        >
            <Loaded
                resource=data
                loading="Loading the dashboard…"
                view={|d: Dashboard| view! { <DashboardView dashboard=d /> }}
            />
        </Page>
    }
}

#[component]
fn DashboardView(dashboard: Dashboard) -> impl IntoView {
    if dashboard.teams == 0 {
        return view! {
            <EmptyState title="No teams to show">
                <p>"You manage no team yet. An admin makes you a manager of a team on its page."</p>
            </EmptyState>
        }
        .into_any();
    }
    let d = dashboard;
    let scope = if d.scope_all {
        format!("All {} teams", d.teams)
    } else {
        format!(
            "The {} team{} you manage",
            d.teams,
            if d.teams == 1 { "" } else { "s" }
        )
    };
    view! {
        <p class="page__lead">{scope}</p>
        <div class="grid-2">
            <section class="card" aria-labelledby="overall-title">
                <h2 id="overall-title">"Overall completion"</h2>
                <p class="big-figure" data-testid="overall-completion">
                    {d.percent.map_or_else(|| "—".to_owned(), |p| format!("{p} %"))}
                </p>
                <p>
                    {format!("{} of {} applicable items done.", d.counts.done, d.counts.applicable)}
                </p>
                <h3>"By category"</h3>
                {d
                    .categories
                    .iter()
                    .map(|c| view! { <ProgressBar label=c.category.label() percent=c.percent /> })
                    .collect_view()}
                <details>
                    <summary>"How is this computed?"</summary>
                    <p>
                        "An item counts as done only when its status is Done; In progress and Not started count as not done. Not applicable items (always with a reason) are left out. Every item weighs the same. Completion is done ÷ applicable items, rounded down to a whole percent, added up over items and teams — not an average of percentages. The trend applies each week's changes to today's checklist."
                    </p>
                </details>
            </section>
            <section class="card" aria-labelledby="trend-heading">
                <h2 id="trend-heading">"Last 12 weeks"</h2>
                <TrendChart points=d.trend.clone() title="Overall completion by week" />
            </section>
        </div>
        <section class="card" aria-labelledby="heat-title">
            <h2 id="heat-title">"Teams × items"</h2>
            <div class="heat-wrap">
                <table class="heat" data-testid="heat-map">
                    <caption class="visually-hidden">"Status of every item per team"</caption>
                    <thead>
                        <tr>
                            <th scope="col">"Team"</th>
                            <th scope="col">"Done"</th>
                            {d
                                .items
                                .iter()
                                .map(|i| {
                                    view! {
                                        <th scope="col" title=i.title.clone()>
                                            <abbr title=i.title.clone()>{i.number}</abbr>
                                        </th>
                                    }
                                })
                                .collect_view()}
                        </tr>
                    </thead>
                    <tbody>
                        {d
                            .heat
                            .into_iter()
                            .map(|row| {
                                let items = d.items.clone();
                                view! {
                                    <tr>
                                        <th scope="row">
                                            <a href=format!(
                                                "/teams/{}/checklist",
                                                row.team,
                                            )>{row.team_name.clone()}</a>
                                        </th>
                                        <td>
                                            {row
                                                .percent
                                                .map_or_else(|| "—".to_owned(), |p| format!("{p} %"))}
                                        </td>
                                        {row
                                            .cells
                                            .into_iter()
                                            .zip(items)
                                            .map(|(status, item)| {
                                                view! {
                                                    <td>
                                                        <a
                                                            class=format!("heat__cell heat__cell--{}", status.as_str())
                                                            href=format!(
                                                                "/teams/{}/checklist#item-{}",
                                                                row.team,
                                                                item.number,
                                                            )
                                                            title=format!(
                                                                "{}: {} — {}",
                                                                row.team_name,
                                                                item.title,
                                                                status.label(),
                                                            )
                                                        >
                                                            {match status.as_str() {
                                                                "done" => "✓",
                                                                "in_progress" => "…",
                                                                "not_applicable" => "n/a",
                                                                _ => "✗",
                                                            }}
                                                            <span class="visually-hidden">
                                                                {format!(" {}", status.label())}
                                                            </span>
                                                        </a>
                                                    </td>
                                                }
                                            })
                                            .collect_view()}
                                    </tr>
                                }
                            })
                            .collect_view()}
                    </tbody>
                </table>
            </div>
            <p class="field-hint">
                "✓ done · … in progress · ✗ not started · n/a not applicable"
            </p>
            {(d.pages > 1)
                .then(|| {
                    view! {
                        <nav class="pagination" aria-label="Pages of teams">
                            {(d.page > 1)
                                .then(|| {
                                    view! {
                                        <a href=format!(
                                            "/dashboard?page={}",
                                            d.page - 1,
                                        )>"Previous"</a>
                                    }
                                })}
                            <span>{format!("Page {} of {}", d.page, d.pages)}</span>
                            {(d.page < d.pages)
                                .then(|| {
                                    view! {
                                        <a href=format!("/dashboard?page={}", d.page + 1)>"Next"</a>
                                    }
                                })}
                        </nav>
                    }
                })}
        </section>
        <div class="grid-2">
            <section class="card" aria-labelledby="overdue-title">
                <h2 id="overdue-title">{format!("Overdue items ({})", d.overdue_total)}</h2>
                {if d.overdue.is_empty() {
                    view! { <p>"Nothing is overdue."</p> }.into_any()
                } else {
                    view! {
                        <ul data-testid="overdue">
                            {d
                                .overdue
                                .into_iter()
                                .map(|o| {
                                    view! {
                                        <li>
                                            <a href=format!(
                                                "/teams/{}/checklist#item-{}",
                                                o.team,
                                                o.number,
                                            )>
                                                {format!("{}: {}. {}", o.team_name, o.number, o.title)}
                                            </a>
                                            {format!(
                                                " — due {}{}",
                                                o.due_date,
                                                o.owner.map(|w| format!(", {w}")).unwrap_or_default(),
                                            )}
                                        </li>
                                    }
                                })
                                .collect_view()}
                        </ul>
                    }
                        .into_any()
                }}
            </section>
            <section class="card" aria-labelledby="least-title">
                <h2 id="least-title">"Least advanced items"</h2>
                {d
                    .least_advanced
                    .into_iter()
                    .map(|i| {
                        view! {
                            <ProgressBar
                                label=format!("{}. {}", i.number, i.title)
                                percent=i.percent
                            />
                        }
                    })
                    .collect_view()}
            </section>
        </div>
    }
    .into_any()
}
