use leptos::prelude::*;

use super::sso::SsoSection;
use crate::api::{
    get_integrations, AddSsoMapping, AddWebhook, ChangeWebhook, RemoveSsoMapping, ResendDelivery,
    RetryJob, TestEmail, TestWebhook,
};
use crate::domain::webhooks::{WebhookEvent, WebhookFormat};
use crate::model::{
    DeadJobView, DeliveryState, DeliveryView, IntegrationsPage as Data, WebhookView,
};
use crate::ui::components::{
    action_error, field_error, Checkboxes, Choice, ConfirmIdentity, EmptyState, Field, FormError,
    Loaded, Page, RevealPanel, Select, When,
};

/// The actions of the page, shared by its sections.
#[derive(Clone, Copy)]
struct Actions {
    add: ServerAction<AddWebhook>,
    change: ServerAction<ChangeWebhook>,
    test: ServerAction<TestWebhook>,
    resend: ServerAction<ResendDelivery>,
    retry: ServerAction<RetryJob>,
    test_email: ServerAction<TestEmail>,
    add_mapping: ServerAction<AddSsoMapping>,
    remove_mapping: ServerAction<RemoveSsoMapping>,
}

/// Admin: single sign-on, e-mail, webhooks, their deliveries and the background jobs that
/// failed.
#[component]
pub fn IntegrationsPage() -> impl IntoView {
    let actions = Actions {
        add: ServerAction::new(),
        change: ServerAction::new(),
        test: ServerAction::new(),
        resend: ServerAction::new(),
        retry: ServerAction::new(),
        test_email: ServerAction::new(),
        add_mapping: ServerAction::new(),
        remove_mapping: ServerAction::new(),
    };
    let data = Resource::new_blocking(
        move || {
            (
                actions.add.version().get(),
                actions.change.version().get(),
                actions.test.version().get(),
                actions.resend.version().get(),
                actions.retry.version().get(),
                actions.test_email.version().get(),
                actions.add_mapping.version().get(),
                actions.remove_mapping.version().get(),
            )
        },
        |_| get_integrations(),
    );
    view! {
        <Page title="Integrations" heading="Integrations" section="Administration">
            <Loaded
                resource=data
                loading="Loading integrations…"
                view={move |page: Data| view! { <IntegrationsView page actions /> }}
            />
        </Page>
    }
}

#[component]
fn IntegrationsView(page: Data, actions: Actions) -> impl IntoView {
    let hook_error = action_error(actions.change);
    let test_error = action_error(actions.test);
    let resend_error = action_error(actions.resend);
    let retry_error = action_error(actions.retry);
    view! {
        <RevealPanel reveal=page.reveal />
        <SsoSection sso=page.sso add=actions.add_mapping remove=actions.remove_mapping />
        <EmailSection summary=page.email test=actions.test_email />
        <section class="card" aria-labelledby="hooks-title">
            <h2 id="hooks-title">"Webhooks"</h2>
            <p>
                "Events are posted to each address as they happen, signed with its own secret, and tried again for about an hour when the receiver fails."
            </p>
            <details>
                <summary>"How a receiver checks a delivery"</summary>
                <p>
                    "Each delivery carries " <code>"X-Portal-Signature: t=…,v1=…"</code>
                    ": the HMAC-SHA256, in hex, of the timestamp, a full stop and the raw body, under the webhook's secret. Compare it in constant time, refuse timestamps more than five minutes old, and drop repeats by "
                    <code>"X-Portal-Event-Id"</code>
                    " (a delivery can arrive twice). Slack and Teams bodies are signed too; those services ignore the header."
                </p>
            </details>
            <FormError error=hook_error />
            <FormError error=test_error />
            <Listing
                testid="webhooks-table"
                caption="Webhooks"
                columns=&["Receiver", "Events", "Deliveries", "Status"]
                empty=(
                    "No webhooks yet",
                    "Add one below to tell a chat channel or your own service of new requests, decisions, incidents and stopped tools.",
                )
                rows=page
                    .webhooks
                    .into_iter()
                    .map(|hook| view! { <HookRow hook actions /> }.into_any())
                    .collect()
            />
        </section>
        <AddHook add=actions.add />
        <section class="card" aria-labelledby="deliveries-title">
            <h2 id="deliveries-title">"Recent deliveries"</h2>
            <FormError error=resend_error />
            <Listing
                testid="deliveries-table"
                caption="The 50 newest deliveries"
                columns=&["Event", "Receiver", "Status", "Last answer"]
                empty=(
                    "Nothing delivered yet",
                    "Deliveries show here as events happen; send a test to see one now.",
                )
                rows=page
                    .deliveries
                    .into_iter()
                    .map(|delivery| {
                        view! { <DeliveryRow delivery resend=actions.resend /> }.into_any()
                    })
                    .collect()
            />
        </section>
        <section class="card" aria-labelledby="dead-title">
            <h2 id="dead-title">"Background jobs that failed"</h2>
            <p>
                "Reminders and deliveries that failed every attempt. Fix the cause, then try one again."
            </p>
            <FormError error=retry_error />
            <Listing
                testid="dead-jobs-table"
                caption="Jobs that used up their attempts"
                columns=&["Job", "Failed", "Last error"]
                empty=(
                    "No failed jobs",
                    "Every background job so far has finished or is still being tried.",
                )
                rows=page
                    .dead_jobs
                    .into_iter()
                    .map(|job| view! { <DeadJobRow job retry=actions.retry /> }.into_any())
                    .collect()
            />
        </section>
    }
}

/// `rows` under `columns` and a last column of actions, or `empty` (a title and a sentence) when
/// there are none.
#[component]
pub(super) fn Listing(
    testid: &'static str,
    caption: &'static str,
    columns: &'static [&'static str],
    empty: (&'static str, &'static str),
    rows: Vec<AnyView>,
) -> impl IntoView {
    if rows.is_empty() {
        let (title, text) = empty;
        return view! {
            <EmptyState title>
                <p>{text}</p>
            </EmptyState>
        }
        .into_any();
    }
    view! {
        <div class="table-wrap">
            <table class="table" data-testid=testid>
                <caption class="visually-hidden">{caption}</caption>
                <thead>
                    <tr>
                        {columns
                            .iter()
                            .map(|column| view! { <th scope="col">{*column}</th> })
                            .collect_view()} <th scope="col">
                            <span class="visually-hidden">"Actions"</span>
                        </th>
                    </tr>
                </thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
    }
    .into_any()
}

#[component]
fn HookRow(hook: WebhookView, actions: Actions) -> impl IntoView {
    let id = hook.id.to_string();
    let name = if hook.description.is_empty() {
        hook.url.clone()
    } else {
        hook.description.clone()
    };
    let events = hook
        .events
        .iter()
        .map(|event| event.as_str())
        .collect::<Vec<_>>()
        .join(", ");
    let (status, class) = if hook.paused {
        ("Paused", "badge badge--neutral")
    } else {
        ("Active", "badge badge--ok")
    };
    let (flip, flip_short) = if hook.paused {
        ("resume", "Resume")
    } else {
        ("pause", "Pause")
    };
    let (test_id, flip_id) = (id.clone(), id.clone());
    let (test_label, flip_label, remove_label, confirm_label) = (
        format!("Send test to {name}"),
        format!("{flip_short} {name}"),
        format!("Remove {name} for good"),
        format!("Remove {name}…"),
    );
    view! {
        <tr>
            <th scope="row">
                {name} <br /> <small>
                    <code>{hook.url.clone()}</code>
                    {format!(" · {}", hook.format.label())}
                </small> <br />
                <small>"Added by " {hook.created_by.clone()} " " <When at=hook.created /></small>
            </th>
            <td data-label="Events">
                <small>{events}</small>
            </td>
            <td data-label="Deliveries">
                {format!("{} delivered", hook.delivered)}
                {(hook.failing > 0)
                    .then(|| {
                        view! {
                            <br />
                            <span class="badge badge--warn">
                                {format!("{} failing", hook.failing)}
                            </span>
                        }
                    })}
            </td>
            <td data-label="Status">
                <span class=class>{status}</span>
            </td>
            <td class="table__actions">
                <ActionForm action=actions.test>
                    <input type="hidden" name="id" value=test_id />
                    <button type="submit" class="button button--ghost" disabled=hook.paused>
                        <span aria-hidden="true">"Send test"</span>
                        <span class="visually-hidden">{test_label}</span>
                    </button>
                </ActionForm>
                <ActionForm action=actions.change>
                    <input type="hidden" name="id" value=flip_id />
                    <input type="hidden" name="change" value=flip />
                    <button type="submit" class="button button--ghost">
                        <span aria-hidden="true">{flip_short}</span>
                        <span class="visually-hidden">{flip_label}</span>
                    </button>
                </ActionForm>
                // A second step: removing cannot be undone (a new hook needs a new secret).
                <details class="confirm">
                    <summary class="button button--ghost">
                        <span aria-hidden="true">"Remove…"</span>
                        <span class="visually-hidden">{confirm_label}</span>
                    </summary>
                    <ActionForm action=actions.change>
                        <input type="hidden" name="id" value=id />
                        <input type="hidden" name="change" value="remove" />
                        <p>
                            "Its queued deliveries are not sent; a new webhook gets a new secret."
                        </p>
                        <button type="submit" class="button button--danger">
                            <span aria-hidden="true">"Remove for good"</span>
                            <span class="visually-hidden">{remove_label}</span>
                        </button>
                    </ActionForm>
                </details>
            </td>
        </tr>
    }
}

#[component]
fn AddHook(add: ServerAction<AddWebhook>) -> impl IntoView {
    let error = action_error(add);
    let events = WebhookEvent::subscribable()
        .map(|event| {
            let label = view! { <span>{event.label()} " " <code>{event.as_str()}</code></span> };
            Choice::new(event.as_str(), label, false)
        })
        .collect();
    let formats = WebhookFormat::ALL
        .iter()
        .map(|format| (format.as_str().to_owned(), format.label().to_owned()))
        .collect();
    view! {
        <section class="card" aria-labelledby="add-hook-title">
            <h2 id="add-hook-title">"Add a webhook"</h2>
            <FormError
                error
                fields=&["url", "description", "events", "format", "current_password", "code"]
            />
            <ActionForm action=add attr:class="form" attr:novalidate=true>
                <Field
                    id="hook-url"
                    name="url"
                    label="Address"
                    input_type="url"
                    autocomplete="off"
                    maxlength=2000
                    hint="Where events are posted: https://… (http:// only for receivers inside your network)."
                    error=field_error(error, "url")
                />
                <Field
                    id="hook-description"
                    name="description"
                    label="Name (optional)"
                    input_type="text"
                    autocomplete="off"
                    maxlength=200
                    optional=true
                    hint="Shown in lists instead of the address, e.g. “#ai-governance in Slack”."
                    error=field_error(error, "description")
                />
                <Checkboxes
                    id="hook-events"
                    name="events[]"
                    legend="Events"
                    choices=events
                    error=field_error(error, "events")
                />
                <Select
                    id="hook-format"
                    name="format"
                    label="Body"
                    options=formats
                    selected="json"
                    error=field_error(error, "format")
                />
                <ConfirmIdentity id="hook" error />
                <button type="submit" class="button">
                    "Add webhook"
                </button>
            </ActionForm>
        </section>
    }
}

#[component]
fn DeliveryRow(delivery: DeliveryView, resend: ServerAction<ResendDelivery>) -> impl IntoView {
    let class = match delivery.state {
        DeliveryState::Delivered => "badge badge--ok",
        DeliveryState::Failed => "badge badge--danger",
        DeliveryState::Retrying => "badge badge--warn",
        DeliveryState::Queued | DeliveryState::Sending => "badge badge--info",
        DeliveryState::NotSent => "badge badge--neutral",
    };
    let answer = match (delivery.last_status, delivery.last_error.is_empty()) {
        (_, false) => delivery.last_error.clone(),
        (Some(status), true) => format!("HTTP {status}"),
        (None, true) => "—".to_owned(),
    };
    let label = format!(
        "Send again: {} to {}, delivery {}",
        delivery.event, delivery.hook, delivery.id
    );
    view! {
        <tr data-testid=format!("delivery-{}", delivery.id)>
            <th scope="row">
                <code>{delivery.event.clone()}</code>
                <br />
                <small>
                    <When at=delivery.at />
                </small>
            </th>
            <td data-label="Receiver">{delivery.hook.clone()}</td>
            <td data-label="Status">
                <span class=class>{delivery.state.label()}</span>
                <br />
                <small>
                    {match delivery.attempts {
                        1 => "1 attempt".to_owned(),
                        n => format!("{n} attempts"),
                    }}
                    {delivery
                        .next_attempt
                        .map(|at| {
                            view! {
                                " · next "
                                <When at />
                            }
                        })}
                </small>
            </td>
            <td data-label="Last answer" class="table__note">
                {answer}
            </td>
            <td class="table__actions">
                {delivery
                    .can_resend
                    .then(|| {
                        view! {
                            <ActionForm action=resend>
                                <input type="hidden" name="id" value=delivery.id />
                                <button type="submit" class="button button--ghost">
                                    <span aria-hidden="true">"Send again"</span>
                                    <span class="visually-hidden">{label}</span>
                                </button>
                            </ActionForm>
                        }
                    })}
            </td>
        </tr>
    }
}

#[component]
fn DeadJobRow(job: DeadJobView, retry: ServerAction<RetryJob>) -> impl IntoView {
    view! {
        <tr data-testid=format!("dead-job-{}", job.id)>
            <th scope="row">
                {job.kind.clone()} <br /> <small>{format!("job {}", job.id)}</small>
            </th>
            <td data-label="Failed">
                <When at=job.dead />
                <br />
                <small>{format!("after {} attempts", job.attempts)}</small>
            </td>
            <td data-label="Last error" class="table__note">
                {job.last_error.clone()}
            </td>
            <td class="table__actions">
                <ActionForm action=retry>
                    <input type="hidden" name="id" value=job.id />
                    <button type="submit" class="button button--ghost">
                        <span aria-hidden="true">"Try again"</span>
                        <span class="visually-hidden">
                            {format!("Try again: {}, job {}", job.kind, job.id)}
                        </span>
                    </button>
                </ActionForm>
            </td>
        </tr>
    }
}

/// How e-mail leaves the portal, and a test mail to the admin.
#[component]
fn EmailSection(summary: Option<String>, test: ServerAction<TestEmail>) -> impl IntoView {
    let error = action_error(test);
    view! {
        <section class="card" aria-labelledby="email-title">
            <h2 id="email-title">"E-mail"</h2>
            {match summary {
                Some(summary) => {
                    view! {
                        <p data-testid="email-settings">
                            "Notifications are mailed through " {summary} "."
                        </p>
                        <p>
                            "Each person chooses under Notifications → How you hear of things: in the portal only, also by e-mail, or in a daily digest."
                        </p>
                        <FormError error />
                        <ActionForm action=test attr:class="form--inline">
                            <button type="submit" class="button button--secondary">
                                "Send a test e-mail to yourself"
                            </button>
                        </ActionForm>
                    }
                        .into_any()
                }
                None => {
                    view! {
                        <p data-testid="email-settings">
                            "E-mail is not set up: notifications stay in the portal. Start the portal with "
                            <code>"--smtp-host"</code> " and " <code>"--smtp-from"</code>
                            " (see docs/OPERATIONS.md, E-mail)."
                        </p>
                    }
                        .into_any()
                }
            }}
        </section>
    }
}
