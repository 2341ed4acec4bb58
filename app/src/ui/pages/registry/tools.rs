use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use crate::api::get_registry;
use crate::domain::{ToolCategory, ToolStatus};
use crate::model::{RegistryPage, ToolSummary};
use crate::ui::components::{choices, EmptyState, FilterSelect, Loaded, Page, StatusBadge};

/// The search as the address carries it (a plain GET form, so it works without JavaScript).
#[derive(Debug, Clone, Default, PartialEq)]
struct Search {
    q: String,
    status: String,
    category: String,
    data_class: String,
    team: String,
    page: i64,
}

impl Search {
    fn is_filtered(&self) -> bool {
        !(self.q.is_empty()
            && self.status.is_empty()
            && self.category.is_empty()
            && self.data_class.is_empty()
            && self.team.is_empty())
    }

    /// The address of another page of the same search.
    fn page_href(&self, page: i64) -> String {
        let mut pairs = vec![];
        for (key, value) in [
            ("q", &self.q),
            ("status", &self.status),
            ("category", &self.category),
            ("data_class", &self.data_class),
            ("team", &self.team),
        ] {
            if !value.is_empty() {
                pairs.push(format!("{key}={}", crate::domain::query_value(value)));
            }
        }
        pairs.push(format!("page={page}"));
        format!("/tools?{}", pairs.join("&"))
    }
}

/// Everyone: the AI-tool registry, searchable by name, vendor and description, filtered by
/// status, category, permitted data class and team.
#[component]
pub fn RegistryPage() -> impl IntoView {
    let query = use_query_map();
    let search = move || {
        query.with(|q| Search {
            q: q.get("q").unwrap_or_default(),
            status: q.get("status").unwrap_or_default(),
            category: q.get("category").unwrap_or_default(),
            data_class: q.get("data_class").unwrap_or_default(),
            team: q.get("team").unwrap_or_default(),
            page: q.get("page").and_then(|p| p.parse().ok()).unwrap_or(1),
        })
    };
    let data = Resource::new_blocking(search, |s| {
        let some = |v: String| (!v.is_empty()).then_some(v);
        get_registry(
            some(s.q),
            some(s.status),
            some(s.category),
            some(s.data_class),
            some(s.team),
            Some(s.page),
        )
    });
    view! {
        <Page
            title="AI tool registry"
            heading="AI tools"
            section="Registry"
            lead="Which AI tools are approved, for which data and teams, and under which conditions. Open a tool to ask whether your team may use it with your data."
        >
            <Loaded
                resource=data
                loading="Loading the registry…"
                view={move |page: RegistryPage| view! { <Registry page search=search() /> }}
            />
        </Page>
    }
}

#[component]
fn Registry(page: RegistryPage, search: Search) -> impl IntoView {
    let RegistryPage {
        results,
        data_classes,
        teams,
        can_edit,
    } = page;
    let pages = (results.total + results.per_page - 1) / results.per_page;
    let first = (results.page - 1) * results.per_page + 1;
    let last = first + results.tools.len() as i64 - 1;
    let summary = match results.total {
        0 => String::new(),
        1 => "1 tool".to_owned(),
        total if pages > 1 => format!("{first}–{last} of {total} tools"),
        total => format!("{total} tools"),
    };
    let s = search.clone();
    view! {
        {can_edit
            .then(|| {
                view! {
                    <p>
                        <a class="button" href="/tools/new">
                            "Add a tool"
                        </a>
                    </p>
                }
            })}
        <form
            class="filter-bar"
            method="get"
            action="/tools"
            role="search"
            aria-label="Search the registry"
        >
            <div class="field field--wide">
                <label for="q">"Search"</label>
                <input
                    id="q"
                    name="q"
                    type="search"
                    maxlength="100"
                    autocomplete="off"
                    placeholder="Name, vendor or description — part of a word is enough"
                    value=s.q.clone()
                />
            </div>
            <FilterSelect
                id="status"
                label="Status"
                any="Any status"
                options=choices(ToolStatus::ALL, ToolStatus::as_str, ToolStatus::label)
                selected=s.status.clone()
            />
            <FilterSelect
                id="category"
                label="Category"
                any="Any category"
                options=choices(ToolCategory::ALL, ToolCategory::as_str, ToolCategory::label)
                selected=s.category.clone()
            />
            <FilterSelect
                id="data_class"
                label="Permitted for data"
                any="Any data class"
                options=data_classes.into_iter().map(|c| (c.slug, c.name)).collect()
                selected=s.data_class.clone()
            />
            <FilterSelect
                id="team"
                label="Approved for team"
                any="Any team"
                options=teams.into_iter().map(|t| (t.slug, t.name)).collect()
                selected=s.team.clone()
            />
            <button type="submit" class="button button--secondary">
                "Search"
            </button>
        </form>
        <p class="list-summary" aria-live="polite" data-testid="registry-summary">
            {summary}
        </p>
        {if results.tools.is_empty() {
            empty(&search, can_edit)
        } else {
            view! { <ToolTable tools=results.tools /> }.into_any()
        }}
        {(pages > 1)
            .then(|| {
                view! {
                    <nav class="pagination" aria-label="Pages">
                        {(results.page > 1)
                            .then(|| {
                                view! {
                                    <a rel="prev" href=search.page_href(results.page - 1)>
                                        "← Previous"
                                    </a>
                                }
                            })}
                        <span>{format!("Page {} of {pages}", results.page)}</span>
                        {(results.page < pages)
                            .then(|| {
                                view! {
                                    <a rel="next" href=search.page_href(results.page + 1)>
                                        "Next →"
                                    </a>
                                }
                            })}
                    </nav>
                }
            })}
    }
}

/// What to do when nothing matches.
fn empty(search: &Search, can_edit: bool) -> AnyView {
    if !search.is_filtered() {
        return view! {
            <EmptyState title="The registry is empty">
                {if can_edit {
                    view! {
                        <p>"Add the first tool with " <a href="/tools/new">"Add a tool"</a> "."</p>
                    }
                        .into_any()
                } else {
                    view! {
                        <p>
                            "IT security has not listed any AI tool yet. Until a tool is approved here, do not use one with company data."
                        </p>
                    }
                        .into_any()
                }}
            </EmptyState>
        }
        .into_any();
    }
    let words = if search.q.is_empty() {
        "these filters".to_owned()
    } else {
        format!("“{}”", search.q)
    };
    view! {
        <EmptyState title=format!("No tool matches {words}")>
            <p>
                "Try part of the name or the vendor, or " <a href="/tools">"clear the search"</a>
                ". If the tool you need is not listed, it is not approved: ask IT security to review it before you use it."
            </p>
        </EmptyState>
    }
    .into_any()
}

#[component]
fn ToolTable(tools: Vec<ToolSummary>) -> impl IntoView {
    view! {
        <div class="table-wrap">
            <table class="table" data-testid="tools-table">
                <caption class="visually-hidden">"AI tools matching the search"</caption>
                <thead>
                    <tr>
                        <th scope="col">"Tool"</th>
                        <th scope="col">"Vendor"</th>
                        <th scope="col">"Category"</th>
                        <th scope="col">"Status"</th>
                        <th scope="col">"Next review"</th>
                    </tr>
                </thead>
                <tbody>
                    {tools
                        .into_iter()
                        .map(|tool| {
                            view! {
                                <tr>
                                    <th scope="row">
                                        <a href=format!(
                                            "/tools/{}",
                                            tool.slug,
                                        )>{tool.name.clone()}</a>
                                        <span class="table__sub">{tool.description.clone()}</span>
                                    </th>
                                    <td data-label="Vendor">{tool.vendor.clone()}</td>
                                    <td data-label="Category">{tool.category.label()}</td>
                                    <td data-label="Status">
                                        <StatusBadge status=tool.status />
                                    </td>
                                    <td data-label="Next review">
                                        {tool
                                            .next_review
                                            .map(|d| d.to_string())
                                            .unwrap_or_else(|| "—".into())}
                                        {tool
                                            .review_overdue
                                            .then(|| {
                                                view! {
                                                    " "
                                                    <span class="badge badge--warn">"Overdue"</span>
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
