//! "Check before you paste": a person pastes what they are about to send to an AI tool and sees
//! what the organization's detectors find, highlighted, and whether it may go into the tool
//! for their team. The form posts to this page's own address (`/scan`), which answers with the
//! page and what was found — with or without JavaScript; the text is not kept anywhere.

use leptos::prelude::*;

use crate::api::{get_scan_choices, get_scan_posted};
use crate::error::AppError;
use crate::model::{ScanChoices, ScanFinding, ScanPosted, ScanReport, ScanVerdict};
use crate::ui::components::{EmptyState, Loaded, Page, Select, TextArea};

/// The fields the form shows errors beside.
const FIELDS: [&str; 3] = ["text", "tool", "team"];

#[component]
pub fn ScanPage() -> impl IntoView {
    let data = Resource::new_blocking(
        || (),
        |_| async {
            let choices = get_scan_choices().await?;
            let posted = get_scan_posted().await?;
            Ok::<_, AppError>((choices, posted))
        },
    );
    view! {
        <Page
            title="Check a text"
            heading="Check before you paste"
            section="Registry"
            lead="Paste what you are about to send to an AI tool. The portal looks for the data your organization never allows into AI tools — credentials, personal and customer data, core source code — and, for a tool and team, says whether the text may go in. The text is checked and forgotten: it is not stored or logged."
        >
            <Loaded
                resource=data
                loading="Loading the scanner…"
                view={move |(choices, posted): (ScanChoices, Option<ScanPosted>)| {
                    view! { <ScanView choices posted /> }
                }}
            />
        </Page>
    }
}

#[component]
fn ScanView(choices: ScanChoices, posted: Option<ScanPosted>) -> impl IntoView {
    let error = posted.as_ref().and_then(|p| p.outcome.clone().err());
    let message = |field: &'static str| {
        let text = error
            .as_ref()
            .filter(|e| e.field() == Some(field))
            .map(ToString::to_string);
        Signal::derive(move || text.clone())
    };
    let general = error
        .clone()
        .filter(|e| e.field().is_none_or(|f| !FIELDS.contains(&f)));
    let mut tools = vec![(String::new(), "— Only look, no tool —".to_owned())];
    tools.extend(choices.tools);
    let mut teams = vec![(String::new(), "— No team —".to_owned())];
    teams.extend(choices.teams);
    let (text, tool, team) = posted
        .as_ref()
        .map(|p| (p.text.clone(), p.tool.clone(), p.team.clone()))
        .unwrap_or_else(|| {
            (
                String::new(),
                String::new(),
                choices.my_team.unwrap_or_default(),
            )
        });
    let report = posted.and_then(|p| p.outcome.ok().map(|report| (p.text, report)));
    view! {
        <section class="card" aria-labelledby="scan-form-title">
            <h2 id="scan-form-title" class="visually-hidden">
                "Text to check"
            </h2>
            {general
                .map(|error| {
                    view! {
                        <div class="notice notice--error" role="alert">
                            {error.to_string()}
                        </div>
                    }
                })}
            <form method="post" action="/scan" class="form scan-form" data-testid="scan-form">
                <TextArea
                    id="scan-text"
                    name="text"
                    label="Text"
                    maxlength=1_048_576
                    value=text
                    hint=format!(
                        "Up to 1 MiB. {} detectors look at it in one pass.",
                        choices.detectors,
                    )
                    error=message("text")
                />
                <div class="form__row">
                    <Select
                        id="scan-tool"
                        name="tool"
                        label="AI tool (optional)"
                        options=tools
                        selected=tool
                        error=message("tool")
                    />
                    <Select
                        id="scan-team"
                        name="team"
                        label="For team"
                        options=teams
                        selected=team
                        error=message("team")
                    />
                </div>
                <button type="submit" class="button">
                    "Check the text"
                </button>
            </form>
        </section>
        {report.map(|(text, report)| view! { <ScanResult text report /> })}
    }
}

#[component]
fn ScanResult(text: String, report: ScanReport) -> impl IntoView {
    let shown = report.findings.len();
    let total: usize = report.classes.iter().map(|c| c.count).sum();
    view! {
        <section class="card" aria-labelledby="scan-result-title" data-testid="scan-result">
            <h2 id="scan-result-title">"What was found"</h2>
            {report.verdict.map(|verdict| view! { <VerdictView verdict /> })}
            {if report.findings.is_empty() {
                view! {
                    <EmptyState title="Nothing found">
                        <p>
                            "None of the organization's detectors found anything in this text. They find what they are built for; read it once more before you paste."
                        </p>
                    </EmptyState>
                }
                    .into_any()
            } else {
                view! {
                    <ul class="scan-classes" aria-label="Found per data class">
                        {report
                            .classes
                            .iter()
                            .map(|class| {
                                let badge = if class.prohibited {
                                    "badge badge--danger"
                                } else {
                                    "badge badge--neutral"
                                };
                                view! {
                                    <li>
                                        <span class=badge>
                                            {format!("{}: {}", class.class_name, class.count)}
                                        </span>
                                    </li>
                                }
                            })
                            .collect_view()}
                    </ul>
                    {(shown < total)
                        .then(|| {
                            view! {
                                <p class="field-hint">
                                    {format!("Showing the first {shown} of {total} findings.")}
                                </p>
                            }
                        })}
                    <div class="table-wrap">
                        <table class="table" data-testid="scan-findings">
                            <caption class="visually-hidden">
                                "Findings, in the order they appear"
                            </caption>
                            <thead>
                                <tr>
                                    <th scope="col">"Data class"</th>
                                    <th scope="col">"Detector"</th>
                                    <th scope="col">"Where"</th>
                                    <th scope="col">"Excerpt"</th>
                                </tr>
                            </thead>
                            <tbody>
                                {report
                                    .findings
                                    .iter()
                                    .map(|finding| {
                                        view! {
                                            <tr>
                                                <th scope="row">{finding.class_name.clone()}</th>
                                                <td data-label="Detector">
                                                    {finding.detector_name.clone()}
                                                </td>
                                                <td data-label="Where">
                                                    {format!(
                                                        "Line {}, column {}",
                                                        finding.line,
                                                        finding.column,
                                                    )}
                                                </td>
                                                <td data-label="Excerpt">
                                                    <code>{finding.excerpt.clone()}</code>
                                                </td>
                                            </tr>
                                        }
                                    })
                                    .collect_view()}
                            </tbody>
                        </table>
                    </div>
                    <h3>"The text, with what was found marked"</h3>
                    <pre class="scan-text" data-testid="scan-marked">
                        {marked(&text, &report.findings)}
                    </pre>
                }
                    .into_any()
            }}
        </section>
    }
}

#[component]
fn VerdictView(verdict: ScanVerdict) -> impl IntoView {
    let (tone, answer) = if verdict.allowed {
        ("notice notice--ok", "Yes")
    } else {
        ("notice notice--error", "No")
    };
    view! {
        <div
            class=tone
            role="status"
            data-testid="scan-verdict"
            data-allowed=verdict.allowed.to_string()
        >
            <p class="notice__title">
                {format!("{answer}: may this text go into {}?", verdict.tool_name)}
            </p>
            <p>{verdict.reason.clone()}</p>
            {(!verdict.blocked_classes.is_empty())
                .then(|| {
                    view! {
                        <ul>
                            {verdict
                                .blocked_classes
                                .into_iter()
                                .map(|blocked| {
                                    view! {
                                        <li>
                                            <strong>{blocked.class_name}</strong>
                                            ": "
                                            {blocked.reason}
                                        </li>
                                    }
                                })
                                .collect_view()}
                        </ul>
                    }
                })}
        </div>
    }
}

/// The text cut at the findings, each finding in a `<mark>` naming its class.
fn marked(text: &str, findings: &[ScanFinding]) -> impl IntoView {
    let mut parts = vec![];
    let mut at = 0;
    for finding in findings {
        let (Some(before), Some(found)) = (
            text.get(at..finding.start),
            text.get(finding.start..finding.end),
        ) else {
            continue;
        };
        parts.push(view! { {before.to_owned()} }.into_any());
        parts.push(
            view! {
                <mark title=finding
                    .class_name
                    .clone()>
                    {found.to_owned()}
                    <span class="visually-hidden">{format!(" ({})", finding.class_name)}</span>
                </mark>
            }
            .into_any(),
        );
        at = finding.end;
    }
    parts.push(view! { {text.get(at..).unwrap_or_default().to_owned()} }.into_any());
    parts
}
