use leptos::prelude::*;
use leptos::server_fn::client::Client;
use leptos::server_fn::codec::{Json, PostUrl};
use leptos::server_fn::request::ClientReq;
use leptos::server_fn::{Http, ServerFn};
use leptos::web_sys::FormData;
use serde::de::DeserializeOwned;

use super::{action_error, field_error, Field, FormError, Select};
use crate::error::AppError;
use crate::model::{FollowUp, PersonRef};

/// Follow-up actions with an owner and a due day — an incident's or a tabletop exercise's —
/// and, when `addable`, the form that adds one. `add` takes `number` and `follow_up[…]`;
/// `done` takes `number` and `action`. Both work as plain form posts.
#[component]
pub fn FollowUps<A, D>(
    follow_ups: Vec<FollowUp>,
    /// Who may own one (`addable` only).
    owners: Vec<PersonRef>,
    /// The incident's or exercise's number.
    number: i64,
    addable: bool,
    /// The reader may complete any of them.
    may_complete: bool,
    /// The reader's user id: they complete their own.
    #[prop(optional)]
    me: Option<String>,
    add: ServerAction<A>,
    done: ServerAction<D>,
) -> impl IntoView
where
    A: DeserializeOwned
        + ServerFn<Protocol = Http<PostUrl, Json>, Error = AppError>
        + Clone
        + Send
        + Sync
        + 'static,
    A::Output: Clone + Send + Sync + 'static,
    A::Client: Client<AppError>,
    <<A::Client as Client<AppError>>::Request as ClientReq<AppError>>::FormData: From<FormData>,
    D: DeserializeOwned
        + ServerFn<Protocol = Http<PostUrl, Json>, Error = AppError>
        + Clone
        + Send
        + Sync
        + 'static,
    D::Output: Clone + Send + Sync + 'static,
    D::Client: Client<AppError>,
    <<D::Client as Client<AppError>>::Request as ClientReq<AppError>>::FormData: From<FormData>,
{
    let error = action_error(add);
    let done_error = action_error(done);
    let e = move |field: &'static str| field_error(error, field);
    if follow_ups.is_empty() && !addable {
        return ().into_any();
    }
    let mut choices = vec![(String::new(), "Choose…".to_owned())];
    choices.extend(owners.iter().map(|p| (p.user_id.clone(), p.name.clone())));
    view! {
        <section class="card" aria-labelledby="follow-ups-title">
            <h2 id="follow-ups-title">"Follow-up actions"</h2>
            <FormError error=done_error />
            {if follow_ups.is_empty() {
                view! { <p>"No follow-up actions yet."</p> }.into_any()
            } else {
                view! {
                    <ul class="follow-ups" data-testid="follow-ups">
                        {follow_ups
                            .into_iter()
                            .map(|f| {
                                let may_complete = may_complete
                                    || me.as_deref() == Some(f.owner.user_id.as_str());
                                view! { <FollowUpItem f number may_complete done /> }
                            })
                            .collect_view()}
                    </ul>
                }
                    .into_any()
            }}
            {addable
                .then(|| {
                    view! {
                        <FormError error fields=&["what", "owner", "due"] />
                        <ActionForm action=add attr:class="form" attr:novalidate=true>
                            <input type="hidden" name="number" value=number.to_string() />
                            <Field
                                id="follow-up-what"
                                name="follow_up[what]"
                                label="Follow-up action"
                                input_type="text"
                                autocomplete="off"
                                maxlength=500
                                error=e("what")
                            />
                            <div class="form__row">
                                <Select
                                    id="follow-up-owner"
                                    name="follow_up[owner]"
                                    label="Who does it"
                                    options=choices
                                    selected=String::new()
                                    error=e("owner")
                                />
                                <Field
                                    id="follow-up-due"
                                    name="follow_up[due]"
                                    label="Due"
                                    input_type="date"
                                    autocomplete="off"
                                    maxlength=10
                                    error=e("due")
                                />
                            </div>
                            <div class="form__actions">
                                <button type="submit" class="button button--secondary">
                                    "Add the follow-up"
                                </button>
                            </div>
                        </ActionForm>
                    }
                })}
        </section>
    }
    .into_any()
}

#[component]
fn FollowUpItem<D>(
    f: FollowUp,
    number: i64,
    may_complete: bool,
    done: ServerAction<D>,
) -> impl IntoView
where
    D: DeserializeOwned
        + ServerFn<Protocol = Http<PostUrl, Json>, Error = AppError>
        + Clone
        + Send
        + Sync
        + 'static,
    D::Output: Clone + Send + Sync + 'static,
    D::Client: Client<AppError>,
    <<D::Client as Client<AppError>>::Request as ClientReq<AppError>>::FormData: From<FormData>,
{
    let state = match (&f.done_at, f.overdue) {
        (Some(_), _) => view! { <span class="badge badge--ok">"Done"</span> }.into_any(),
        (None, true) => view! { <span class="badge badge--danger">"Overdue"</span> }.into_any(),
        (None, false) => view! { <span class="badge badge--info">"Open"</span> }.into_any(),
    };
    let open = f.done_at.is_none();
    view! {
        <li class="follow-ups__item">
            <p>
                <strong>{f.what.clone()}</strong>
                " "
                {state}
            </p>
            <p class="field-hint">{format!("{} · due {}", f.owner.name, f.due)}</p>
            {(open && may_complete)
                .then(|| {
                    view! {
                        <ActionForm action=done attr:class="form--inline">
                            <input type="hidden" name="number" value=number.to_string() />
                            <input type="hidden" name="action" value=f.id.clone() />
                            <button type="submit" class="button button--ghost">
                                "Mark done"
                            </button>
                        </ActionForm>
                    }
                })}
        </li>
    }
}
