use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use crate::api::{get_audit_log, verify_audit_chain};
use crate::domain::AuditAction;
use crate::model::{AuditPage as AuditData, AuditQuery, ChainCheck};
use crate::ui::components::When;
use crate::ui::components::{EmptyState, Loaded, Page};

/// Admin: the audit log, filtered through the URL (a plain GET form), and chain verification.
#[component]
pub fn AuditPage() -> impl IntoView {
    let query = use_query_map();
    let filters = move || {
        query.with(|q| AuditQuery {
            action: q.get("action").unwrap_or_default(),
            actor: q.get("actor").unwrap_or_default(),
            target: q.get("target").unwrap_or_default(),
            from: q.get("from").unwrap_or_default(),
            to: q.get("to").unwrap_or_default(),
            before: q.get("before").and_then(|b| b.parse().ok()),
        })
    };
    let data = Resource::new_blocking(filters, get_audit_log);
    // Verification is asked for in the URL, so it works as a plain link without JavaScript.
    let verify = Resource::new_blocking(
        move || query.with(|q| q.get("verify").is_some()),
        |asked| async move {
            if asked {
                verify_audit_chain().await.map(Some)
            } else {
                Ok(None)
            }
        },
    );
    view! {
        <Page title="Audit log" heading="Audit log" section="Administration">
            <section class="card" aria-labelledby="verify-title">
                <h2 id="verify-title">"Integrity"</h2>
                <p>
                    "Every event is chained to the one before by a SHA-256 hash; any change, insertion or deletion breaks the chain."
                </p>
                <form method="get" action="/admin/audit" class="form form--inline">
                    <input type="hidden" name="verify" value="1" />
                    <button type="submit" class="button button--secondary">
                        "Verify chain"
                    </button>
                </form>
                <Loaded
                    resource=verify
                    loading="Verifying every event…"
                    view={move |check: Option<ChainCheck>| {
                        check
                            .map(|check| {
                                if check.intact {
                                    view! {
                                        <p
                                            class="notice notice--ok"
                                            role="status"
                                            data-testid="chain-result"
                                        >
                                            {format!("OK: all {} events are intact.", check.events)}
                                        </p>
                                    }
                                        .into_any()
                                } else {
                                    view! {
                                        <p
                                            class="notice notice--error"
                                            role="alert"
                                            data-testid="chain-result"
                                        >
                                            {format!(
                                                "Broken at event {}: {}.",
                                                check.first_bad_seq.unwrap_or_default(),
                                                check.problem.clone().unwrap_or_default(),
                                            )}
                                        </p>
                                    }
                                        .into_any()
                                }
                            })
                    }}
                />
            </section>
            <form class="filter-bar" method="get" action="/admin/audit" role="search">
                <div class="field">
                    <label for="action">"Action"</label>
                    <select id="action" name="action">
                        <option value="" selected=move || filters().action.is_empty()>
                            "Any action"
                        </option>
                        {AuditAction::ALL
                            .iter()
                            .map(|action| {
                                let name = action.as_str();
                                view! {
                                    <option value=name selected=move || filters().action == name>
                                        {name}
                                    </option>
                                }
                            })
                            .collect_view()}
                    </select>
                </div>
                <div class="field">
                    <label for="actor">"Actor contains"</label>
                    <input
                        id="actor"
                        name="actor"
                        type="search"
                        maxlength="200"
                        value={move || filters().actor}
                    />
                </div>
                <div class="field">
                    <label for="target">"Target contains"</label>
                    <input
                        id="target"
                        name="target"
                        type="search"
                        maxlength="200"
                        value={move || filters().target}
                    />
                </div>
                <div class="field">
                    <label for="from">"From"</label>
                    <input id="from" name="from" type="date" value=move || filters().from />
                </div>
                <div class="field">
                    <label for="to">"To"</label>
                    <input id="to" name="to" type="date" value=move || filters().to />
                </div>
                <button type="submit" class="button button--secondary">
                    "Filter"
                </button>
            </form>
            <Loaded
                resource=data
                loading="Loading events…"
                view={move |page: AuditData| view! { <AuditTable page filters=filters() /> }}
            />
        </Page>
    }
}

#[component]
fn AuditTable(page: AuditData, filters: AuditQuery) -> impl IntoView {
    if page.entries.is_empty() {
        return view! {
            <EmptyState title="No event matches these filters">
                <p>
                    <a href="/admin/audit">"Clear the filters"</a>
                </p>
            </EmptyState>
        }
        .into_any();
    }
    let next = page.next_before.map(|before| {
        let mut params = vec![];
        for (key, value) in [
            ("action", &filters.action),
            ("actor", &filters.actor),
            ("target", &filters.target),
            ("from", &filters.from),
            ("to", &filters.to),
        ] {
            if !value.is_empty() {
                params.push(format!("{key}={}", crate::domain::query_value(value)));
            }
        }
        params.push(format!("before={before}"));
        format!("/admin/audit?{}", params.join("&"))
    });
    view! {
        <div class="table-wrap">
            <table class="table table--dense" data-testid="audit-table">
                <caption class="visually-hidden">"Audit events, newest first"</caption>
                <thead>
                    <tr>
                        <th scope="col">"#"</th>
                        <th scope="col">"Time (UTC)"</th>
                        <th scope="col">"Action"</th>
                        <th scope="col">"Actor"</th>
                        <th scope="col">"Target"</th>
                        <th scope="col">"Details"</th>
                    </tr>
                </thead>
                <tbody>
                    {page
                        .entries
                        .into_iter()
                        .map(|entry| {
                            view! {
                                <tr>
                                    <td data-label="#">{entry.seq}</td>
                                    <td data-label="Time">
                                        <When at=entry.at />
                                    </td>
                                    <th scope="row">
                                        <code>{entry.action}</code>
                                    </th>
                                    <td data-label="Actor">
                                        {entry.actor}
                                        {(!entry.source.is_empty())
                                            .then(|| {
                                                view! {
                                                    <br />
                                                    <small>{format!("from {}", entry.source)}</small>
                                                }
                                            })}
                                    </td>
                                    <td data-label="Target">{entry.target}</td>
                                    <td data-label="Details" class="table__details">
                                        {entry.details}
                                    </td>
                                </tr>
                            }
                        })
                        .collect_view()}
                </tbody>
            </table>
        </div>
        {next
            .map(|href| {
                view! {
                    <p>
                        <a class="button button--secondary" href=href>
                            "Older events"
                        </a>
                    </p>
                }
            })}
    }
    .into_any()
}
