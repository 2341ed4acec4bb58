use leptos::prelude::*;
use leptos_router::hooks::use_params_map;

use crate::api::{get_team, get_teams, CreateTeam, SetTeamMember, UpdateTeam};
use crate::model::{TeamDetail, TeamRow};
use crate::ui::components::{
    action_error, field_error, EmptyState, Field, FormError, Loaded, Page,
};

/// Admin: the teams and a form to create one.
#[component]
pub fn TeamsPage() -> impl IntoView {
    let create = ServerAction::<CreateTeam>::new();
    let create_error = action_error(create);
    let data = Resource::new_blocking(move || create.version().get(), |_| get_teams());
    view! {
        <Page title="Teams" heading="Teams" section="Administration">
            <Loaded
                resource=data
                loading="Loading teams…"
                view={move |teams: Vec<TeamRow>| {
                    if teams.is_empty() {
                        return view! {
                            <EmptyState title="No teams yet">
                                <p>
                                    "Create the first team below; people are added to teams when invited or on the team's page."
                                </p>
                            </EmptyState>
                        }
                            .into_any();
                    }
                    view! {
                        <div class="table-wrap">
                            <table class="table" data-testid="teams-table">
                                <caption class="visually-hidden">"Teams"</caption>
                                <thead>
                                    <tr>
                                        <th scope="col">"Team"</th>
                                        <th scope="col">"Identifier"</th>
                                        <th scope="col">"Members"</th>
                                        <th scope="col">"Managers"</th>
                                    </tr>
                                </thead>
                                <tbody>
                                    {teams
                                        .into_iter()
                                        .map(|team| {
                                            view! {
                                                <tr>
                                                    <th scope="row">
                                                        <a href=format!(
                                                            "/admin/teams/{}",
                                                            team.slug,
                                                        )>{team.name.clone()}</a>
                                                    </th>
                                                    <td data-label="Identifier">
                                                        <code>{team.slug.clone()}</code>
                                                    </td>
                                                    <td data-label="Members">{team.members}</td>
                                                    <td data-label="Managers">{team.managers}</td>
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
            />
            <section class="card" aria-labelledby="create-title">
                <h2 id="create-title">"Create a team"</h2>
                <FormError error=create_error fields=&["name", "slug", "description"] />
                <ActionForm action=create attr:class="form" attr:novalidate=true>
                    <Field
                        id="team-name"
                        name="name"
                        label="Name"
                        input_type="text"
                        autocomplete="off"
                        maxlength=120
                        error=field_error(create_error, "name")
                    />
                    <Field
                        id="team-slug"
                        name="slug"
                        label="Identifier (optional)"
                        input_type="text"
                        autocomplete="off"
                        maxlength=64
                        optional=true
                        hint="Lowercase words joined by hyphens, used in links. Made from the name when empty."
                        error=field_error(create_error, "slug")
                    />
                    <Field
                        id="team-description"
                        name="description"
                        label="What it does (optional)"
                        input_type="text"
                        autocomplete="off"
                        maxlength=2000
                        optional=true
                        error=field_error(create_error, "description")
                    />
                    <button type="submit" class="button">
                        "Create team"
                    </button>
                </ActionForm>
            </section>
        </Page>
    }
}

/// Admin: one team, its name and its people.
#[component]
pub fn TeamPage() -> impl IntoView {
    let params = use_params_map();
    let slug = move || params.with(|p| p.get("slug").unwrap_or_default());
    let update = ServerAction::<UpdateTeam>::new();
    let member = ServerAction::<SetTeamMember>::new();
    let data = Resource::new_blocking(
        move || (slug(), update.version().get(), member.version().get()),
        |(slug, ..)| get_team(slug),
    );
    view! {
        <Page title="Team" up=("/admin/teams", "Teams")>
            <Loaded
                resource=data
                loading="Loading the team…"
                view={move |team: TeamDetail| view! { <TeamView team update member /> }}
            />
        </Page>
    }
}

#[component]
fn TeamView(
    team: TeamDetail,
    update: ServerAction<UpdateTeam>,
    member: ServerAction<SetTeamMember>,
) -> impl IntoView {
    let update_error = action_error(update);
    let member_error = action_error(member);
    let slug = team.slug.clone();
    let (add_slug, update_slug) = (team.slug.clone(), team.slug.clone());
    view! {
        <header class="page__header">
            <h1 id="page-title">{team.name.clone()}</h1>
            <code>{team.slug.clone()}</code>
        </header>
        <section class="card" aria-labelledby="members-title">
            <h2 id="members-title">"People"</h2>
            <FormError error=member_error fields=&["email"] />
            {if team.members.is_empty() {
                view! {
                    <EmptyState title="Nobody in this team yet">
                        <p>"Add someone by email below."</p>
                    </EmptyState>
                }
                    .into_any()
            } else {
                let slug = slug.clone();
                view! {
                    <div class="table-wrap">
                        <table class="table" data-testid="members-table">
                            <caption class="visually-hidden">"Members and managers"</caption>
                            <thead>
                                <tr>
                                    <th scope="col">"Name"</th>
                                    <th scope="col">"Email"</th>
                                    <th scope="col">"Membership"</th>
                                    <th scope="col">
                                        <span class="visually-hidden">"Action"</span>
                                    </th>
                                </tr>
                            </thead>
                            <tbody>
                                {team
                                    .members
                                    .into_iter()
                                    .map(|person| {
                                        let (change_slug, remove_slug) = (
                                            slug.clone(),
                                            slug.clone(),
                                        );
                                        let (change_email, remove_email) = (
                                            person.email.clone(),
                                            person.email.clone(),
                                        );
                                        let other = if person.membership == "manager" {
                                            "member"
                                        } else {
                                            "manager"
                                        };
                                        view! {
                                            <tr>
                                                <th scope="row">
                                                    <a href=format!(
                                                        "/admin/people/{}",
                                                        person.user_id,
                                                    )>{person.name.clone()}</a>
                                                    {person
                                                        .disabled
                                                        .then(|| {
                                                            view! {
                                                                " "
                                                                <span class="badge badge--danger">"Disabled"</span>
                                                            }
                                                        })}
                                                </th>
                                                <td data-label="Email">{person.email.clone()}</td>
                                                <td data-label="Membership">
                                                    <span class=if person.membership == "manager" {
                                                        "badge badge--info"
                                                    } else {
                                                        "badge badge--neutral"
                                                    }>{person.membership.clone()}</span>
                                                </td>
                                                <td class="table__actions">
                                                    <ActionForm action=member>
                                                        <input type="hidden" name="slug" value=change_slug />
                                                        <input type="hidden" name="email" value=change_email />
                                                        <input type="hidden" name="membership" value=other />
                                                        <button type="submit" class="button button--ghost">
                                                            {format!("Make {other}")}
                                                        </button>
                                                    </ActionForm>
                                                    <ActionForm action=member>
                                                        <input type="hidden" name="slug" value=remove_slug />
                                                        <input type="hidden" name="email" value=remove_email />
                                                        <input type="hidden" name="membership" value="" />
                                                        <button type="submit" class="button button--ghost">
                                                            {format!("Remove {}", person.name)}
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
            <ActionForm action=member attr:class="form form--inline" attr:novalidate=true>
                <input type="hidden" name="slug" value=add_slug />
                <Field
                    id="member-email"
                    name="email"
                    label="Add by email"
                    input_type="email"
                    autocomplete="off"
                    maxlength=254
                    error=field_error(member_error, "email")
                />
                <div class="field">
                    <label for="member-membership">"As"</label>
                    <select id="member-membership" name="membership">
                        <option value="member">"Member"</option>
                        <option value="manager">"Manager"</option>
                    </select>
                </div>
                <button type="submit" class="button">
                    "Add to team"
                </button>
            </ActionForm>
        </section>
        <section class="card" aria-labelledby="rename-title">
            <h2 id="rename-title">"Name and description"</h2>
            <FormError error=update_error fields=&["name", "description"] />
            <ActionForm action=update attr:class="form" attr:novalidate=true>
                <input type="hidden" name="slug" value=update_slug />
                <Field
                    id="team-name"
                    name="name"
                    label="Name"
                    input_type="text"
                    autocomplete="off"
                    maxlength=120
                    value=team.name.clone()
                    error=field_error(update_error, "name")
                />
                <Field
                    id="team-description"
                    name="description"
                    label="What it does"
                    input_type="text"
                    autocomplete="off"
                    maxlength=2000
                    optional=true
                    value=team.description.clone()
                    error=field_error(update_error, "description")
                />
                <button type="submit" class="button">
                    "Save"
                </button>
            </ActionForm>
        </section>
    }
}
