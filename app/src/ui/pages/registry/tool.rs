use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};

use crate::api::{check_policy, get_tool, ReinstateTool, StopTool};
use crate::domain::registry::policy::TeamRef;
use crate::domain::registry::widening::allows;
use crate::domain::ToolStatus;
use crate::model::{PolicyAnswer, ToolDetail, ToolPageData};
use crate::ui::components::{
    code_or, or_dash, EmptyState, History, KillSwitch, Loaded, OnDay, Page, StatusBadge, Stopped,
};

/// Everyone: one tool — its approval, conditions, data, teams, least-privilege requirements,
/// supply chain and history — and the "may I use it?" check.
#[component]
pub fn ToolPage() -> impl IntoView {
    let params = use_params_map();
    let query = use_query_map();
    let slug = move || params.with(|p| p.get("slug").unwrap_or_default());
    let data = Resource::new_blocking(slug, get_tool);
    // The question travels in the address, so the widget is a plain GET form without JavaScript.
    let question = move || {
        query.with(|q| {
            (
                q.get("data_class").unwrap_or_default(),
                q.get("team").unwrap_or_default(),
            )
        })
    };
    let answer = Resource::new_blocking(
        move || (slug(), question()),
        |(slug, (class, team))| async move {
            if class.is_empty() || team.is_empty() {
                Ok(None)
            } else {
                check_policy(slug, class, team).await.map(Some)
            }
        },
    );
    view! {
        <Page title="AI tool" up=("/tools", "AI tools")>
            <Loaded
                resource=data
                loading="Loading the tool…"
                view={move |data: ToolPageData| {
                    view! { <ToolView data question=question() answer /> }
                }}
            />
        </Page>
    }
}

#[component]
fn ToolView(
    data: ToolPageData,
    question: (String, String),
    answer: Resource<Result<Option<PolicyAnswer>, crate::error::AppError>>,
) -> impl IntoView {
    let ToolPageData {
        tool,
        history,
        data_classes,
        teams,
        my_teams,
        can_edit,
        stop,
    } = data;
    let (asked_class, asked_team) = question;
    // Preselect the asker's own team the first time.
    let chosen_team = if asked_team.is_empty() {
        my_teams.first().cloned().unwrap_or_default()
    } else {
        asked_team
    };
    let action = format!("/tools/{}", tool.slug);
    let edit = format!("/tools/{}/edit", tool.slug);
    let report = format!("/incidents/new?tool={}", tool.slug);
    // Reviewers may stop a tool that is in use; the form posts, so the page reloads after.
    let kill_switch = (can_edit && allows(tool.status)).then(|| {
        let tools = vec![TeamRef {
            slug: tool.slug.clone(),
            name: tool.name.clone(),
        }];
        let action = ServerAction::<StopTool>::new();
        view! { <KillSwitch tools action /> }
    });
    let stopped = stop.map(|stop| {
        let action = ServerAction::<ReinstateTool>::new();
        view! { <Stopped slug=tool.slug.clone() stop can_edit action /> }
    });
    view! {
        <Title text=tool.name.clone() />
        <header class="page__header">
            <h1 id="page-title">{tool.name.clone()}</h1>
            <StatusBadge status=tool.status />
            {can_edit
                .then(|| {
                    view! {
                        <a class="button button--secondary" href=edit>
                            "Edit"
                        </a>
                    }
                })}
            <a class="button button--ghost" href=report>
                "Report an incident"
            </a>
        </header>
        <p class="page__lead">
            {tool.vendor.clone()} " · " {tool.category.label()}
            {(!tool.website.is_empty())
                .then(|| {
                    view! {
                        " · "
                        <a href=tool.website.clone() rel="noopener noreferrer">
                            "Website"
                        </a>
                    }
                })}
        </p>
        {stopped}
        <StatusNotice tool=tool.clone() />
        <ApprovalNotice tool=tool.clone() />
        <section class="card" aria-labelledby="check-title">
            <h2 id="check-title">"May I use it?"</h2>
            <p>
                "Choose your team and the kind of data you would put into " {tool.name.clone()} "."
            </p>
            <form class="filter-bar" method="get" action=action data-testid="policy-form">
                <div class="field">
                    <label for="check-team">"Team"</label>
                    <select id="check-team" name="team" required=true>
                        <option value="" selected=chosen_team.is_empty()>
                            "Choose a team"
                        </option>
                        {teams
                            .into_iter()
                            .map(|team| {
                                let selected = team.slug == chosen_team;
                                view! {
                                    <option value=team.slug selected=selected>
                                        {team.name}
                                    </option>
                                }
                            })
                            .collect_view()}
                    </select>
                </div>
                <div class="field">
                    <label for="check-class">"Data"</label>
                    <select id="check-class" name="data_class" required=true>
                        <option value="" selected=asked_class.is_empty()>
                            "Choose a data class"
                        </option>
                        {data_classes
                            .into_iter()
                            .map(|class| {
                                let selected = class.slug == asked_class;
                                view! {
                                    <option value=class.slug selected=selected>
                                        {class.name}
                                    </option>
                                }
                            })
                            .collect_view()}
                    </select>
                </div>
                <button type="submit" class="button">
                    "Check"
                </button>
            </form>
            <div aria-live="polite">
                <Loaded
                    resource=answer
                    loading="Checking…"
                    view={move |answer: Option<PolicyAnswer>| {
                        answer
                            .map(|answer| {
                                let (tone, verdict) = if answer.allowed {
                                    ("notice notice--ok", "Yes")
                                } else {
                                    ("notice notice--error", "No")
                                };
                                view! {
                                    <div
                                        class=tone
                                        data-testid="policy-answer"
                                        data-allowed=answer.allowed.to_string()
                                    >
                                        <p class="notice__title">{verdict}</p>
                                        <p>{answer.reason}</p>
                                        {answer
                                            .receipt_id
                                            .map(|id| {
                                                view! {
                                                    <p data-testid="policy-receipt">
                                                        "Granted by a signed decision: "
                                                        <a href=format!("/receipts/{id}")>"its receipt"</a> "."
                                                    </p>
                                                }
                                            })}
                                        {answer
                                            .re_review_request
                                            .map(|n| {
                                                view! {
                                                    <p>
                                                        "Re-review: "
                                                        <a href=format!(
                                                            "/requests/{n}",
                                                        )>{format!("request #{n}")}</a>
                                                    </p>
                                                }
                                            })}
                                    </div>
                                }
                            })
                    }}
                />
            </div>
        </section>
        <ApprovalCard tool=tool.clone() />
        <AccessCard tool=tool.clone() />
        <SupplyChainCard tool />
        {kill_switch}
        <section class="card" aria-labelledby="history-title">
            <h2 id="history-title">"History"</h2>
            <History entries=history />
        </section>
    }
}

/// Where the tool's approval stands in the workflow: the request it came from, or that it went
/// stale and which re-review is open.
#[component]
fn ApprovalNotice(tool: ToolDetail) -> impl IntoView {
    let approval = tool.approval;
    match (
        &approval.stale_since,
        approval.re_review_request,
        approval.request,
    ) {
        (Some(since), re_review, _) => view! {
            <div class="notice notice--warn" role="note" data-testid="approval-stale">
                <p class="notice__title">"Approval stale since " <OnDay at=*since /></p>
                <p>
                    {format!("Changed after the approval: {}. ", approval.stale_changes)}
                    {re_review
                        .map(|n| {
                            view! {
                                "Re-review "
                                <a href=format!("/requests/{n}")>{format!("request #{n}")}</a>
                                " is open."
                            }
                        })}
                </p>
            </div>
        }
        .into_any(),
        (None, _, Some(n)) => view! {
            <p class="page__lead" data-testid="approval-source">
                "Approved through "
                <a href=format!("/requests/{n}")>{format!("request #{n}")}</a>
                "."
            </p>
        }
        .into_any(),
        _ => ().into_any(),
    }
}

/// Why a tool that may not be used is in that state, and what to use instead.
#[component]
fn StatusNotice(tool: ToolDetail) -> impl IntoView {
    let tone = match tool.status {
        ToolStatus::Approved | ToolStatus::ApprovedWithConditions => return ().into_any(),
        ToolStatus::Prohibited => "notice notice--error",
        ToolStatus::Suspended | ToolStatus::Retired => "notice notice--warn",
    };
    view! {
        <div class=tone role="note" data-testid="status-notice">
            <p class="notice__title">
                {format!("{} since {}", tool.status.label(), tool.status_since)}
            </p>
            {(!tool.status_reason.is_empty())
                .then(|| view! { <p>{tool.status_reason.clone()}</p> })}
            {(!tool.rollback_plan.is_empty())
                .then(|| {
                    view! {
                        <p>
                            <strong>"Instead: "</strong>
                            {tool.rollback_plan.clone()}
                        </p>
                    }
                })}
        </div>
    }
    .into_any()
}

#[component]
fn ApprovalCard(tool: ToolDetail) -> impl IntoView {
    view! {
        <section class="card" aria-labelledby="approval-title">
            <h2 id="approval-title">"Approval"</h2>
            <dl class="details">
                <div>
                    <dt>"Status"</dt>
                    <dd>
                        <StatusBadge status=tool.status />
                        " since "
                        {tool.status_since.to_string()}
                    </dd>
                </div>
                <div>
                    <dt>"What it is"</dt>
                    <dd class="prose">{or_dash(&tool.description)}</dd>
                </div>
                <div>
                    <dt>"Conditions of use"</dt>
                    <dd class="prose">{or_dash(&tool.conditions)}</dd>
                </div>
                <div>
                    <dt>"Teams"</dt>
                    <dd data-testid="tool-teams">
                        {match &tool.teams {
                            None => "All teams".to_owned(),
                            Some(teams) if teams.is_empty() => "No team".to_owned(),
                            Some(teams) => {
                                teams.iter().map(|t| t.name.as_str()).collect::<Vec<_>>().join(", ")
                            }
                        }}
                    </dd>
                </div>
                <div>
                    <dt>"Permitted data"</dt>
                    <dd data-testid="tool-data-classes">
                        {if tool.data_classes.is_empty() {
                            view! { "None: no company data may go into it" }.into_any()
                        } else {
                            view! {
                                <ul class="tags">
                                    {tool
                                        .data_classes
                                        .iter()
                                        .map(|c| {
                                            view! {
                                                <li class="badge badge--neutral">{c.name.clone()}</li>
                                            }
                                        })
                                        .collect_view()}
                                </ul>
                            }
                                .into_any()
                        }}
                    </dd>
                </div>
                <div>
                    <dt>"Business owner"</dt>
                    <dd>{or_dash(&tool.business_owner)}</dd>
                </div>
                <div>
                    <dt>"Next review"</dt>
                    <dd>
                        {tool.next_review.map(|d| d.to_string()).unwrap_or_else(|| "—".into())}
                    </dd>
                </div>
                <div>
                    <dt>"Rollback plan"</dt>
                    <dd class="prose">{or_dash(&tool.rollback_plan)}</dd>
                </div>
            </dl>
        </section>
    }
}

#[component]
fn AccessCard(tool: ToolDetail) -> impl IntoView {
    let applies = tool
        .access_requirements
        .iter()
        .any(|r| r.required || !r.note.is_empty());
    view! {
        <section class="card" aria-labelledby="access-title">
            <h2 id="access-title">"Least-privilege requirements"</h2>
            {if !applies {
                view! {
                    <EmptyState title="None recorded">
                        <p>"These apply to AI coding tools that read files or run commands."</p>
                    </EmptyState>
                }
                    .into_any()
            } else {
                view! {
                    <div class="table-wrap">
                        <table class="table table--dense" data-testid="access-table">
                            <caption class="visually-hidden">
                                "Least-privilege requirements"
                            </caption>
                            <thead>
                                <tr>
                                    <th scope="col">"Requirement"</th>
                                    <th scope="col">"Applies"</th>
                                    <th scope="col">"Note"</th>
                                </tr>
                            </thead>
                            <tbody>
                                {tool
                                    .access_requirements
                                    .into_iter()
                                    .map(|r| {
                                        view! {
                                            <tr>
                                                <th scope="row">{r.label}</th>
                                                <td data-label="Applies">
                                                    {if r.required {
                                                        view! { <span class="badge badge--info">"Required"</span> }
                                                            .into_any()
                                                    } else {
                                                        view! {
                                                            <span class="badge badge--neutral">"Not applicable"</span>
                                                        }
                                                            .into_any()
                                                    }}
                                                </td>
                                                <td data-label="Note">{or_dash(&r.note)}</td>
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
}

#[component]
fn SupplyChainCard(tool: ToolDetail) -> impl IntoView {
    view! {
        <section class="card" aria-labelledby="supply-title">
            <h2 id="supply-title">"Supply chain"</h2>
            <dl class="details">
                <div>
                    <dt>"Distribution"</dt>
                    <dd>{tool.distribution.label()}</dd>
                </div>
                <div>
                    <dt>"Package"</dt>
                    <dd>{code_or(&tool.package_name, "—", "")}</dd>
                </div>
                <div>
                    <dt>"Pinned version"</dt>
                    <dd>{code_or(&tool.pinned_version, "Not pinned", "")}</dd>
                </div>
                <div>
                    <dt>"SHA-256"</dt>
                    <dd>{code_or(&tool.checksum, "—", "checksum")}</dd>
                </div>
                <div>
                    <dt>"Vendor trains on customer data"</dt>
                    <dd>{if tool.vendor_trains_on_data { "Yes" } else { "No" }}</dd>
                </div>
            </dl>
        </section>
    }
}
