use leptos::prelude::*;
use leptos_router::hooks::use_params_map;
use uuid::Uuid;

use crate::api::{
    get_people, get_person, InvitePerson, ResetPersonTotp, RevokeInvitation, RevokePersonToken,
    SetPersonDisabled, UpdatePerson,
};
use crate::domain::{Membership, Role};
use crate::error::AppError;
use crate::model::{PeoplePage as PeopleData, PersonPage as PersonData, TeamRow};
use crate::ui::components::{
    action_error, field_error, ConfirmIdentity, EmptyState, Field, FormError, Loaded, Page,
    RevealPanel, RoleBadges, TokenTable,
};
use crate::ui::components::{OnDay, When};

/// Admin: everyone with an account, open invitations, and the invitation form.
#[component]
pub fn PeoplePage() -> impl IntoView {
    let invite = ServerAction::<InvitePerson>::new();
    let revoke = ServerAction::<RevokeInvitation>::new();
    let data = Resource::new_blocking(
        move || (invite.version().get(), revoke.version().get()),
        |_| get_people(),
    );
    view! {
        <Page title="People" heading="People" section="Administration">
            <Loaded
                resource=data
                loading="Loading people…"
                view={move |page: PeopleData| view! { <PeopleView page invite revoke /> }}
            />
        </Page>
    }
}

#[component]
fn PeopleView(
    page: PeopleData,
    invite: ServerAction<InvitePerson>,
    revoke: ServerAction<RevokeInvitation>,
) -> impl IntoView {
    let invite_error = action_error(invite);
    let revoke_error = action_error(revoke);
    let count = page.people.len();
    view! {
        <RevealPanel reveal=page.reveal />
        <section class="card" aria-labelledby="people-title">
            <h2 id="people-title">{format!("{count} people")}</h2>
            <div class="table-wrap">
                <table class="table" data-testid="people-table">
                    <caption class="visually-hidden">"People with an account"</caption>
                    <thead>
                        <tr>
                            <th scope="col">"Name"</th>
                            <th scope="col">"Email"</th>
                            <th scope="col">"Roles"</th>
                            <th scope="col">"Teams"</th>
                            <th scope="col">"Two-factor"</th>
                            <th scope="col">"Status"</th>
                        </tr>
                    </thead>
                    <tbody>
                        {page
                            .people
                            .into_iter()
                            .map(|person| {
                                view! {
                                    <tr>
                                        <th scope="row">
                                            <a href=format!(
                                                "/admin/people/{}",
                                                person.id,
                                            )>{person.name.clone()}</a>
                                        </th>
                                        <td data-label="Email">{person.email.clone()}</td>
                                        <td data-label="Roles">
                                            "employee " <RoleBadges roles=person.roles.clone() />
                                        </td>
                                        <td data-label="Teams">
                                            {person
                                                .teams
                                                .iter()
                                                .map(|t| {
                                                    if t.membership == Membership::Manager {
                                                        format!("{} (manager)", t.name)
                                                    } else {
                                                        t.name.clone()
                                                    }
                                                })
                                                .collect::<Vec<_>>()
                                                .join(", ")}
                                        </td>
                                        <td data-label="Two-factor">
                                            {if person.totp_enrolled {
                                                view! { <span class="badge badge--ok">"On"</span> }
                                                    .into_any()
                                            } else {
                                                view! { <span class="badge badge--neutral">"Off"</span> }
                                                    .into_any()
                                            }}
                                        </td>
                                        <td data-label="Status">
                                            {if person.disabled {
                                                view! {
                                                    <span class="badge badge--danger">"Disabled"</span>
                                                }
                                                    .into_any()
                                            } else {
                                                view! { <span class="badge badge--ok">"Active"</span> }
                                                    .into_any()
                                            }}
                                        </td>
                                    </tr>
                                }
                            })
                            .collect_view()}
                    </tbody>
                </table>
            </div>
        </section>

        <section class="card" aria-labelledby="invite-title">
            <h2 id="invite-title">"Invite someone"</h2>
            <p>
                "They get a one-time link, valid for 72 hours, to choose a password. Reviewers and admins set up two-factor sign-in right after."
            </p>
            <FormError
                error=invite_error
                fields=&["email", "name", "roles", "teams", "current_password", "code"]
            />
            <ActionForm action=invite attr:class="form" attr:novalidate=true>
                <Field
                    id="invite-email"
                    name="email"
                    label="Email address"
                    input_type="email"
                    autocomplete="off"
                    maxlength=254
                    error=field_error(invite_error, "email")
                />
                <Field
                    id="invite-name"
                    name="name"
                    label="Name"
                    input_type="text"
                    autocomplete="off"
                    maxlength=200
                    error=field_error(invite_error, "name")
                />
                <RoleChoices selected=vec![] error=field_error(invite_error, "roles") />
                <TeamChoices
                    teams=page.teams.clone()
                    current=vec![]
                    error=field_error(invite_error, "teams")
                />
                <ConfirmIdentity id="invite" error=invite_error />
                <button type="submit" class="button">
                    "Create invitation link"
                </button>
            </ActionForm>
        </section>

        <section class="card" aria-labelledby="invitations-title">
            <h2 id="invitations-title">"Open invitations"</h2>
            <FormError error=revoke_error />
            {if page.invitations.is_empty() {
                view! {
                    <EmptyState title="No open invitations">
                        <p>"Invite someone with the form above."</p>
                    </EmptyState>
                }
                    .into_any()
            } else {
                view! {
                    <div class="table-wrap">
                        <table class="table" data-testid="invitation-table">
                            <caption class="visually-hidden">
                                "Invitations not yet accepted"
                            </caption>
                            <thead>
                                <tr>
                                    <th scope="col">"Invitee"</th>
                                    <th scope="col">"Roles"</th>
                                    <th scope="col">"Teams"</th>
                                    <th scope="col">"Expires"</th>
                                    <th scope="col">
                                        <span class="visually-hidden">"Action"</span>
                                    </th>
                                </tr>
                            </thead>
                            <tbody>
                                {page
                                    .invitations
                                    .into_iter()
                                    .map(|invitation| {
                                        view! {
                                            <tr>
                                                <th scope="row">
                                                    {invitation.name.clone()} <br />
                                                    <small>{invitation.email.clone()}</small>
                                                </th>
                                                <td data-label="Roles">{invitation.roles.join(", ")}</td>
                                                <td data-label="Teams">{invitation.teams.join(", ")}</td>
                                                <td data-label="Expires">
                                                    {if invitation.expired {
                                                        view! {
                                                            <span class="badge badge--neutral">"Expired"</span>
                                                        }
                                                            .into_any()
                                                    } else {
                                                        view! { <When at=invitation.expires /> }.into_any()
                                                    }}
                                                </td>
                                                <td>
                                                    <ActionForm action=revoke>
                                                        <input
                                                            type="hidden"
                                                            name="id"
                                                            value=invitation.id.clone()
                                                        />
                                                        <button type="submit" class="button button--ghost">
                                                            {format!("Revoke invitation for {}", invitation.email)}
                                                        </button>
                                                    </ActionForm>
                                                </td>
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

/// Role checkboxes (`roles[]`); everyone is an employee anyway.
#[component]
fn RoleChoices(selected: Vec<Role>, #[prop(into)] error: Signal<Option<String>>) -> impl IntoView {
    view! {
        <fieldset class="field choices" aria-describedby="roles-error">
            <legend>"Roles"</legend>
            <p class="field-hint">"Everyone is an employee. Add more as needed."</p>
            {[
                (
                    Role::Reviewer,
                    "Reviewer — IT security: reviews requests, maintains the registry",
                ),
                (Role::Manager, "Manager — sees the compliance dashboards of their teams"),
                (Role::Admin, "Admin — people, teams, settings and the audit log"),
            ]
                .into_iter()
                .map(|(role, label)| {
                    let id = format!("role-{}", role.as_str());
                    let label_for = id.clone();
                    view! {
                        <label class="choice" for=label_for>
                            <input
                                type="checkbox"
                                id=id
                                name="roles[]"
                                value=role.as_str()
                                checked=selected.contains(&role)
                            />
                            {label}
                        </label>
                    }
                })
                .collect_view()}
            {move || {
                error
                    .get()
                    .map(|m| {
                        view! {
                            <p class="field-error" id="roles-error" role="alert">
                                {m}
                            </p>
                        }
                    })
            }}
        </fieldset>
    }
}

/// One select per team (`teams[slug]`): not a member, member, or manager.
#[component]
fn TeamChoices(
    teams: Vec<TeamRow>,
    current: Vec<(String, Membership)>,
    #[prop(into)] error: Signal<Option<String>>,
) -> impl IntoView {
    if teams.is_empty() {
        return view! { <p class="field-hint">"No teams yet: create teams under Teams first."</p> }
            .into_any();
    }
    view! {
        <fieldset class="field choices" aria-describedby="teams-error">
            <legend>"Teams"</legend>
            <div class="team-grid">
                {teams
                    .into_iter()
                    .map(|team| {
                        let id = format!("team-{}", team.slug);
                        let now = current
                            .iter()
                            .find(|(slug, _)| *slug == team.slug)
                            .map(|(_, m)| *m);
                        view! {
                            <div class="team-choice">
                                <label for=id.clone()>{team.name.clone()}</label>
                                <select id=id name=format!("teams[{}]", team.slug)>
                                    <option value="" selected=now.is_none()>
                                        "Not in this team"
                                    </option>
                                    <option value="member" selected=now == Some(Membership::Member)>
                                        "Member"
                                    </option>
                                    <option
                                        value="manager"
                                        selected=now == Some(Membership::Manager)
                                    >
                                        "Manager"
                                    </option>
                                </select>
                            </div>
                        }
                    })
                    .collect_view()}
            </div>
            {move || {
                error
                    .get()
                    .map(|m| {
                        view! {
                            <p class="field-error" id="teams-error" role="alert">
                                {m}
                            </p>
                        }
                    })
            }}
        </fieldset>
    }
    .into_any()
}

/// Admin: one person's roles, teams and status.
#[component]
pub fn PersonPage() -> impl IntoView {
    let params = use_params_map();
    // A malformed id names nobody.
    let id = move || params.with(|p| p.get("id").and_then(|id| Uuid::parse_str(&id).ok()));
    let update = ServerAction::<UpdatePerson>::new();
    let disable = ServerAction::<SetPersonDisabled>::new();
    let reset = ServerAction::<ResetPersonTotp>::new();
    let revoke_token = ServerAction::<RevokePersonToken>::new();
    let data = Resource::new_blocking(
        move || {
            (
                id(),
                update.version().get(),
                disable.version().get(),
                reset.version().get(),
                revoke_token.version().get(),
            )
        },
        |(id, ..)| async move {
            match id {
                Some(id) => get_person(id).await,
                None => Err(AppError::NotFound),
            }
        },
    );
    view! {
        <Page title="Person" up=("/admin/people", "People")>
            <Loaded
                resource=data
                loading="Loading…"
                view={move |page: PersonData| {
                    view! { <PersonView page update disable reset revoke_token /> }
                }}
            />
        </Page>
    }
}

#[component]
fn PersonView(
    page: PersonData,
    update: ServerAction<UpdatePerson>,
    disable: ServerAction<SetPersonDisabled>,
    reset: ServerAction<ResetPersonTotp>,
    revoke_token: ServerAction<RevokePersonToken>,
) -> impl IntoView {
    let update_error = action_error(update);
    let disable_error = action_error(disable);
    let reset_error = action_error(reset);
    let person = page.person;
    let current: Vec<(String, Membership)> = person
        .teams
        .iter()
        .map(|t| (t.slug.clone(), t.membership))
        .collect();
    let (update_id, reset_id, disable_id, token_owner) = (
        person.id.clone(),
        person.id.clone(),
        person.id.clone(),
        person.id.clone(),
    );
    let revoke_error = action_error(revoke_token);
    view! {
        <header class="page__header">
            <h1 id="page-title">{person.name.clone()}</h1>
            {if person.disabled {
                view! { <span class="badge badge--danger">"Disabled"</span> }.into_any()
            } else {
                view! { <span class="badge badge--ok">"Active"</span> }.into_any()
            }}
        </header>
        <p>{person.email.clone()} " · account since " <OnDay at=person.since /></p>

        <section class="card" aria-labelledby="access-title">
            <h2 id="access-title">"Roles and teams"</h2>
            <p>
                "Changing roles signs the person out everywhere, so their new rights apply from their next sign-in."
            </p>
            <FormError error=update_error fields=&["roles", "teams", "current_password", "code"] />
            <ActionForm action=update attr:class="form" attr:novalidate=true>
                <input type="hidden" name="id" value=update_id />
                <RoleChoices
                    selected=person.roles.clone()
                    error=field_error(update_error, "roles")
                />
                <TeamChoices teams=page.teams current error=field_error(update_error, "teams") />
                <p class="field-hint">
                    "Granting the reviewer or admin role asks you to confirm it is you."
                </p>
                <ConfirmIdentity id="access" error=update_error />
                <button type="submit" class="button">
                    "Save roles and teams"
                </button>
            </ActionForm>
        </section>

        <section class="card" aria-labelledby="factor-title">
            <h2 id="factor-title">"Two-factor sign-in"</h2>
            <FormError error=reset_error fields=&["current_password", "code"] />
            {if person.totp_enrolled {
                view! {
                    <p>
                        <span class="badge badge--ok">"On"</span>
                        " Lost their phone? Resetting removes their authenticator and recovery codes and signs them out; they set up a new one at their next sign-in."
                    </p>
                    <ActionForm action=reset attr:class="form" attr:novalidate=true>
                        <input type="hidden" name="id" value=reset_id />
                        <ConfirmIdentity id="reset" error=reset_error />
                        <button type="submit" class="button button--danger">
                            "Reset two-factor sign-in"
                        </button>
                    </ActionForm>
                }
                    .into_any()
            } else {
                view! {
                    <p>
                        <span class="badge badge--neutral">"Off"</span>
                        " Not set up."
                    </p>
                }
                    .into_any()
            }}
        </section>

        <section class="card" aria-labelledby="person-tokens-title">
            <h2 id="person-tokens-title">"API tokens"</h2>
            <FormError error=revoke_error />
            <TokenTable
                tokens=page.tokens
                empty="This person has no live API token."
                revoke=move |token| {
                    let owner = token_owner.clone();
                    view! {
                        <ActionForm action=revoke_token>
                            <input type="hidden" name="user_id" value=owner />
                            <input type="hidden" name="id" value=token.id />
                            <button type="submit" class="button button--danger">
                                {format!("Revoke {}", token.name)}
                            </button>
                        </ActionForm>
                    }
                }
            />
        </section>

        <section class="card" aria-labelledby="status-title">
            <h2 id="status-title">"Account status"</h2>
            <FormError error=disable_error />
            {(!page.is_self)
                .then(|| {
                    view! {
                        <p>
                            {if person.disabled {
                                "Disabled: the person cannot sign in and their API tokens do not work."
                            } else {
                                "Disabling signs the person out everywhere and stops their API tokens at once."
                            }}
                        </p>
                        <ActionForm action=disable>
                            <input type="hidden" name="id" value=disable_id />
                            <input
                                type="hidden"
                                name="disabled"
                                value=(!person.disabled).to_string()
                            />
                            <button
                                type="submit"
                                class=if person.disabled {
                                    "button button--secondary"
                                } else {
                                    "button button--danger"
                                }
                            >
                                {if person.disabled { "Enable account" } else { "Disable account" }}
                            </button>
                        </ActionForm>
                    }
                })}
            {page
                .is_self
                .then(|| {
                    view! { <p>"This is your own account: another admin can disable it."</p> }
                })}
        </section>
    }
}
