//! Administration: people and invitations, teams, organization settings, the audit log.
//! Every function here requires the admin role (see `domain::access`).

use std::collections::BTreeMap;

use leptos::prelude::*;

use crate::error::AppError;
#[cfg(feature = "ssr")]
use crate::model::Reveal;
use crate::model::{
    AuditPage, AuditQuery, ChainCheck, PeoplePage, PersonPage, Settings, TeamDetail, TeamRow,
};

#[cfg(feature = "ssr")]
fn pairs(teams: Option<BTreeMap<String, String>>) -> Vec<(String, String)> {
    teams.unwrap_or_default().into_iter().collect()
}

#[server(endpoint = "admin/people")]
pub async fn get_people() -> Result<PeoplePage, AppError> {
    use super::context::{authorized, respond};
    use crate::backend::{identity::invitations, identity::people, org::teams};
    use crate::domain::Permission;
    respond(
        async {
            let request = authorized(Permission::ManagePeople).await?;
            let pool = &request.services.pool;
            Ok(PeoplePage {
                people: people::list(pool).await?,
                invitations: invitations::list(pool, request.now).await?,
                teams: teams::list(pool).await?,
                reveal: request.session.take_reveal().await?,
            })
        }
        .await,
    )
}

#[server(endpoint = "admin/invite")]
pub async fn invite_person(
    email: String,
    name: String,
    roles: Option<Vec<String>>,
    teams: Option<BTreeMap<String, String>>,
) -> Result<(), AppError> {
    use super::context::{authorized, respond};
    use crate::backend::identity::invitations;
    use crate::domain::Permission;
    respond(
        async {
            let request = authorized(Permission::ManagePeople).await?;
            let invitation =
                invitations::parse(&email, &name, &roles.unwrap_or_default(), pairs(teams))?;
            let email = invitation.email.to_string();
            let token = invitations::create(
                &request.services.pool,
                &request.principal,
                invitation,
                request.now,
            )
            .await?;
            let url = format!("{}/invite/{token}", request.services.public_url);
            request
                .session
                .reveal(&Reveal::InvitationLink { email, url })
                .await
        }
        .await,
    )
}

#[server(endpoint = "admin/revoke_invitation")]
pub async fn revoke_invitation(id: String) -> Result<(), AppError> {
    use super::context::{authorized, respond};
    use crate::domain::Permission;
    respond(
        async {
            let request = authorized(Permission::ManagePeople).await?;
            crate::backend::identity::invitations::revoke(
                &request.services.pool,
                request.principal.actor(),
                &id,
                request.now,
            )
            .await
        }
        .await,
    )
}

#[server(endpoint = "admin/person")]
pub async fn get_person(id: String) -> Result<PersonPage, AppError> {
    use super::context::{authorized, respond};
    use crate::backend::{identity::people, org::teams};
    use crate::domain::Permission;
    respond(
        async {
            let request = authorized(Permission::ManagePeople).await?;
            let pool = &request.services.pool;
            let person = people::detail(pool, &id).await?;
            Ok(PersonPage {
                is_self: person.id == request.principal.user_id.to_string(),
                person,
                teams: teams::list(pool).await?,
            })
        }
        .await,
    )
}

#[server(endpoint = "admin/update_person")]
pub async fn update_person(
    id: String,
    roles: Option<Vec<String>>,
    teams: Option<BTreeMap<String, String>>,
) -> Result<(), AppError> {
    use super::context::{authorized, respond};
    use crate::domain::Permission;
    respond(
        async {
            let request = authorized(Permission::ManagePeople).await?;
            let roles_changed = crate::backend::identity::people::update_access(
                &request.services.pool,
                &request.principal,
                &id,
                &roles.unwrap_or_default(),
                &pairs(teams),
                request.session.id().as_deref(),
                request.now,
            )
            .await?;
            if roles_changed && id == request.principal.user_id.to_string() {
                request.session.renew().await?;
            }
            Ok(())
        }
        .await,
    )
}

/// `disabled` is "true" to disable the account, "false" to enable it again.
#[server(endpoint = "admin/set_person_disabled")]
pub async fn set_person_disabled(id: String, disabled: String) -> Result<(), AppError> {
    use super::context::{authorized, respond};
    use crate::domain::Permission;
    respond(
        async {
            let request = authorized(Permission::ManagePeople).await?;
            let disabled = match disabled.as_str() {
                "true" => true,
                "false" => false,
                _ => return Err(AppError::invalid("disabled", "must be true or false")),
            };
            crate::backend::identity::people::set_disabled(
                &request.services.pool,
                &request.principal,
                &id,
                disabled,
                request.now,
            )
            .await
        }
        .await,
    )
}

#[server(endpoint = "admin/reset_person_totp")]
pub async fn reset_person_totp(id: String) -> Result<(), AppError> {
    use super::context::{authorized, respond};
    use crate::domain::Permission;
    respond(
        async {
            let request = authorized(Permission::ManagePeople).await?;
            crate::backend::identity::people::reset_totp(
                &request.services.pool,
                &request.principal,
                &id,
                request.now,
            )
            .await
        }
        .await,
    )
}

#[server(endpoint = "admin/teams")]
pub async fn get_teams() -> Result<Vec<TeamRow>, AppError> {
    use super::context::{authorized, respond};
    use crate::domain::Permission;
    respond(
        async {
            let request = authorized(Permission::ManageTeams).await?;
            crate::backend::org::teams::list(&request.services.pool).await
        }
        .await,
    )
}

#[server(endpoint = "admin/create_team")]
pub async fn create_team(
    name: String,
    slug: Option<String>,
    description: Option<String>,
) -> Result<String, AppError> {
    use super::context::{authorized, respond};
    use crate::domain::Permission;
    respond(
        async {
            let request = authorized(Permission::ManageTeams).await?;
            crate::backend::org::teams::create(
                &request.services.pool,
                request.principal.actor(),
                &name,
                slug.as_deref().unwrap_or(""),
                description.as_deref().unwrap_or(""),
                request.now,
            )
            .await
        }
        .await,
    )
}

#[server(endpoint = "admin/team")]
pub async fn get_team(slug: String) -> Result<TeamDetail, AppError> {
    use super::context::{authorized, respond};
    use crate::domain::Permission;
    respond(
        async {
            let request = authorized(Permission::ManageTeams).await?;
            crate::backend::org::teams::detail(&request.services.pool, &slug).await
        }
        .await,
    )
}

#[server(endpoint = "admin/update_team")]
pub async fn update_team(
    slug: String,
    name: String,
    description: Option<String>,
) -> Result<(), AppError> {
    use super::context::{authorized, respond};
    use crate::domain::Permission;
    respond(
        async {
            let request = authorized(Permission::ManageTeams).await?;
            crate::backend::org::teams::update(
                &request.services.pool,
                request.principal.actor(),
                &slug,
                &name,
                description.as_deref().unwrap_or(""),
                request.now,
            )
            .await
        }
        .await,
    )
}

/// Adds `email` to the team, changes their membership, or (empty membership) removes them.
#[server(endpoint = "admin/set_team_member")]
pub async fn set_team_member(
    slug: String,
    email: String,
    membership: String,
) -> Result<(), AppError> {
    use super::context::{authorized, respond};
    use crate::domain::Permission;
    respond(
        async {
            let request = authorized(Permission::ManageTeams).await?;
            crate::backend::org::teams::set_member(
                &request.services.pool,
                request.principal.actor(),
                &slug,
                &email,
                &membership,
                request.now,
            )
            .await
        }
        .await,
    )
}

#[server(endpoint = "admin/settings")]
pub async fn get_settings() -> Result<Settings, AppError> {
    use super::context::{authorized, respond};
    use crate::domain::Permission;
    respond(
        async {
            let request = authorized(Permission::ManageSettings).await?;
            crate::backend::org::settings::get(&request.services.pool).await
        }
        .await,
    )
}

/// `require_totp_for_all` is a checkbox: present ("on") when ticked.
#[server(endpoint = "admin/update_settings")]
pub async fn update_settings(
    name: String,
    require_totp_for_all: Option<String>,
) -> Result<(), AppError> {
    use super::context::{authorized, respond};
    use crate::domain::Permission;
    respond(
        async {
            let request = authorized(Permission::ManageSettings).await?;
            crate::backend::org::settings::update(
                &request.services.pool,
                &request.principal,
                &name,
                require_totp_for_all.is_some_and(|v| !v.is_empty() && v != "false"),
                request.now,
            )
            .await
        }
        .await,
    )
}

#[server(endpoint = "admin/audit")]
pub async fn get_audit_log(query: AuditQuery) -> Result<AuditPage, AppError> {
    use super::context::{authorized, respond};
    use crate::domain::Permission;
    respond(
        async {
            let request = authorized(Permission::ViewAuditLog).await?;
            crate::backend::audit::search(&request.services.pool, &query).await
        }
        .await,
    )
}

#[server(endpoint = "admin/verify_audit")]
pub async fn verify_audit_chain() -> Result<ChainCheck, AppError> {
    use super::context::{authorized, respond};
    use crate::backend::audit::{verify, Verification};
    use crate::domain::Permission;
    respond(
        async {
            let request = authorized(Permission::ViewAuditLog).await?;
            Ok(match verify(&request.services.pool).await? {
                Verification::Intact { events } => ChainCheck {
                    intact: true,
                    events,
                    first_bad_seq: None,
                    problem: None,
                },
                Verification::Broken { seq, problem } => ChainCheck {
                    intact: false,
                    events: seq - 1,
                    first_bad_seq: Some(seq),
                    problem: Some(problem),
                },
            })
        }
        .await,
    )
}
