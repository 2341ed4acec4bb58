use leptos::prelude::*;
use leptos_router::hooks::use_params_map;

use uuid::Uuid;

use crate::api::get_receipt;
use crate::domain::requests::receipt::StopDocument;
use crate::error::AppError;
use crate::model::ReceiptView;
use crate::ui::components::{or_dash, Loaded, Page};

/// A signed receipt — a decision's or a kill switch's: what was decided, by whom, on which
/// version of the request, the portal's verification of the signature, the file to keep, and
/// how to check it without the portal.
#[component]
pub fn ReceiptPage() -> impl IntoView {
    let params = use_params_map();
    // A malformed id names no receipt.
    let data = Resource::new_blocking(
        move || params.with(|p| p.get("id").and_then(|id| Uuid::parse_str(id.trim()).ok())),
        |id| async move {
            match id {
                Some(id) => get_receipt(id).await,
                None => Err(AppError::NotFound),
            }
        },
    );
    view! {
        <Page title="Receipt">
            <Loaded
                resource=data
                loading="Loading the receipt…"
                view={move |receipt: ReceiptView| view! { <ReceiptBody receipt /> }}
            />
        </Page>
    }
}

/// `text` as a `data:` address, for downloading the receipt without another request.
fn data_address(text: &str) -> String {
    let mut address = String::from("data:application/json;charset=utf-8,");
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || b"-_.~".contains(&byte) {
            address.push(char::from(byte));
        } else {
            address.push_str(&format!("%{byte:02X}"));
        }
    }
    address
}

#[component]
fn ReceiptBody(receipt: ReceiptView) -> impl IntoView {
    let (heading, eyebrow, file) = match (receipt.request_number, &receipt.stop) {
        (Some(number), _) => (
            "Decision receipt",
            view! { <a href=format!("/requests/{number}")>{format!("Request #{number}")}</a> }
                .into_any(),
            format!("receipt-{number}-{}.json", receipt.receipt.key_id),
        ),
        (None, stop) => (
            if stop.as_ref().is_some_and(|s| s.reviewer.is_none()) {
                "Automatic suspension receipt"
            } else {
                "Kill-switch receipt"
            },
            match stop {
                Some(stop) => match stop.incident_number {
                    Some(n) => view! { <a href=format!("/incidents/{n}")>{format!("Incident #{n}")}</a> }
                        .into_any(),
                    None => view! { <a href=format!("/tools/{}", stop.tool)>{stop.tool_name.clone()}</a> }
                        .into_any(),
                },
                None => view! { "Kill switch" }.into_any(),
            },
            format!("stop-{}.json", receipt.receipt.key_id),
        ),
    };
    let download = data_address(&receipt.json);
    let verdict = match (receipt.document.is_some() || receipt.stop.is_some(), &receipt.problem) {
        (true, _) => view! {
            <div class="notice notice--ok" role="status" data-testid="receipt-verdict">
                <p class="notice__title">"Signature valid"</p>
                <p>
                    {format!(
                        "Signed by the portal's Ed25519 key {}; the document below is exactly what was signed.",
                        receipt.receipt.key_id,
                    )}
                </p>
            </div>
        }
        .into_any(),
        (false, problem) => view! {
            <div class="notice notice--error" role="alert" data-testid="receipt-verdict">
                <p class="notice__title">"Signature not valid"</p>
                <p>{problem.clone().unwrap_or_default()}</p>
            </div>
        }
        .into_any(),
    };
    view! {
        <p class="page__eyebrow">{eyebrow}</p>
        <header class="page__header">
            <h1 id="page-title">{heading}</h1>
            <a class="button button--secondary" href=download download=file.clone()>
                "Download receipt"
            </a>
        </header>
        {verdict}
        {receipt
            .document
            .clone()
            .map(|d| {
                view! {
                    <section class="card" aria-labelledby="decision-title">
                        <h2 id="decision-title">"What was signed"</h2>
                        <dl class="details" data-testid="receipt-document">
                            <div>
                                <dt>"Decision"</dt>
                                <dd>{d.decision.replace('_', " ")}</dd>
                            </div>
                            <div>
                                <dt>"Request left"</dt>
                                <dd>{d.request_state.replace('_', " ")}</dd>
                            </div>
                            <div>
                                <dt>"Reviewer"</dt>
                                <dd>{format!("{} <{}>", d.reviewer.name, d.reviewer.email)}</dd>
                            </div>
                            <div>
                                <dt>"Decided at"</dt>
                                <dd>{d.decided_at.clone()}</dd>
                            </div>
                            <div>
                                <dt>"Rationale"</dt>
                                <dd class="prose">{d.rationale.clone()}</dd>
                            </div>
                            <div>
                                <dt>"Conditions"</dt>
                                <dd class="prose">{or_dash(&d.conditions)}</dd>
                            </div>
                            <div>
                                <dt>"Request (SHA-256 as reviewed)"</dt>
                                <dd>
                                    <code class="checksum">{d.request_sha256.clone()}</code>
                                </dd>
                            </div>
                            <div>
                                <dt>"TOTP time step used"</dt>
                                <dd>
                                    <code>{d.totp_step}</code>
                                </dd>
                            </div>
                            <div>
                                <dt>"Audit event"</dt>
                                <dd>
                                    <code>{format!("#{}", d.audit_seq)}</code>
                                </dd>
                            </div>
                            <div>
                                <dt>"Receipt id"</dt>
                                <dd>
                                    <code>{d.receipt_id.clone()}</code>
                                </dd>
                            </div>
                        </dl>
                    </section>
                }
            })}
        {receipt.stop.clone().map(|stop| view! { <StopSigned stop /> })}
        <section class="card" aria-labelledby="check-title">
            <h2 id="check-title">"Check it yourself"</h2>
            <p>
                "The receipt holds the signed bytes (" <code>"payload"</code>
                ", canonical JSON) and the Ed25519 signature over them. With the portal's public key from "
                <a href="/api/v1/signing-key">"/api/v1/signing-key"</a> " (or "
                <code>"server keys public"</code> "):"
            </p>
            <pre class="code-block">
                <code>
                    {format!(
                        "server receipt verify {file}\n\n# or, with standard tools:\njq -j .payload {file} > payload.json\njq -r .signature {file} | base64 -d > payload.sig\nopenssl pkeyutl -verify -pubin -inkey portal-key.pem -rawin -in payload.json -sigfile payload.sig",
                    )}
                </code>
            </pre>
            <details>
                <summary>"The receipt file"</summary>
                <pre class="code-block" data-testid="receipt-json">
                    <code>{receipt.json.clone()}</code>
                </pre>
            </details>
        </section>
    }
}

/// What a stop's receipt signs: the kill switch's, or an automatic suspension's.
#[component]
fn StopSigned(stop: StopDocument) -> impl IntoView {
    let held = if stop.held_requests.is_empty() {
        "None".to_owned()
    } else {
        stop.held_requests
            .iter()
            .map(|n| format!("#{n}"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    view! {
        <section class="card" aria-labelledby="stop-title">
            <h2 id="stop-title">"What was signed"</h2>
            <dl class="details" data-testid="receipt-document">
                <div>
                    <dt>"Tool stopped"</dt>
                    <dd>
                        <a href=format!("/tools/{}", stop.tool)>{stop.tool_name.clone()}</a>
                    </dd>
                </div>
                <div>
                    <dt>"Reason"</dt>
                    <dd class="prose">{stop.reason.clone()}</dd>
                </div>
                <div>
                    <dt>"Instead"</dt>
                    <dd class="prose">{or_dash(&stop.instead)}</dd>
                </div>
                <div>
                    <dt>"Reviewer"</dt>
                    <dd>
                        {match &stop.reviewer {
                            Some(reviewer) => reviewer.name.clone(),
                            None => "None: the portal suspended it automatically".to_owned(),
                        }}
                    </dd>
                </div>
                {stop
                    .review_due_on
                    .clone()
                    .map(|day| {
                        view! {
                            <div>
                                <dt>"Review was due on"</dt>
                                <dd>{day}</dd>
                            </div>
                        }
                    })}
                <div>
                    <dt>"Stopped at"</dt>
                    <dd>{stop.stopped_at.clone()}</dd>
                </div>
                <div>
                    <dt>"Requests put on hold"</dt>
                    <dd>{held}</dd>
                </div>
                {stop
                    .totp_step
                    .map(|step| {
                        view! {
                            <div>
                                <dt>"TOTP time step used"</dt>
                                <dd>
                                    <code>{step}</code>
                                </dd>
                            </div>
                        }
                    })}
                <div>
                    <dt>"Audit event"</dt>
                    <dd>
                        <code>{format!("#{}", stop.audit_seq)}</code>
                    </dd>
                </div>
                <div>
                    <dt>"Receipt id"</dt>
                    <dd>
                        <code>{stop.receipt_id.clone()}</code>
                    </dd>
                </div>
            </dl>
        </section>
    }
}
