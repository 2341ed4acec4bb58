//! Administration: people and invitations, teams, organization settings, the audit log.
//! Every function here requires the admin role (see `domain::access`).

use std::collections::BTreeMap;

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use super::Reveal;
use crate::domain::{Membership, Role};
use crate::error::AppError;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TeamMembershipView {
    pub slug: String,
    pub name: String,
    pub membership: Membership,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PersonRow {
    pub id: String,
    pub email: String,
    pub name: String,
    pub roles: Vec<Role>,
    pub teams: Vec<TeamMembershipView>,
    pub totp_enrolled: bool,
    pub disabled: bool,
    pub since: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InvitationRow {
    pub id: String,
    pub email: String,
    pub name: String,
    pub roles: Vec<String>,
    pub teams: Vec<String>,
    pub invited_by: Option<String>,
    pub created: String,
    pub expires: String,
    pub expired: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TeamRow {
    pub slug: String,
    pub name: String,
    pub description: String,
    pub members: i64,
    pub managers: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TeamMemberRow {
    pub user_id: String,
    pub email: String,
    pub name: String,
    pub membership: String,
    pub disabled: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TeamDetail {
    pub slug: String,
    pub name: String,
    pub description: String,
    pub members: Vec<TeamMemberRow>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PeoplePage {
    pub people: Vec<PersonRow>,
    pub invitations: Vec<InvitationRow>,
    pub teams: Vec<TeamRow>,
    pub reveal: Option<Reveal>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PersonPage {
    pub person: PersonRow,
    pub teams: Vec<TeamRow>,
    pub is_self: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Settings {
    pub name: String,
    pub require_totp_for_all: bool,
}

/// Audit log filters, as the filter form sends them (all optional).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditQuery {
    #[serde(default)]
    pub action: String,
    #[serde(default)]
    pub actor: String,
    #[serde(default)]
    pub target: String,
    #[serde(default)]
    pub from: String,
    #[serde(default)]
    pub to: String,
    /// Only events before this sequence number (the next page).
    #[serde(default)]
    pub before: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditEntry {
    pub seq: i64,
    pub at: String,
    pub action: String,
    pub actor: String,
    pub target: String,
    pub source: String,
    pub details: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditPage {
    pub entries: Vec<AuditEntry>,
    /// Where the next (older) page starts, if there is one.
    pub next_before: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChainCheck {
    pub intact: bool,
    pub events: i64,
    pub first_bad_seq: Option<i64>,
    pub problem: Option<String>,
}

#[cfg(feature = "ssr")]
fn pairs(teams: Option<BTreeMap<String, String>>) -> Vec<(String, String)> {
    teams.unwrap_or_default().into_iter().collect()
}

#[server(endpoint = "admin/people")]
pub async fn get_people() -> Result<PeoplePage, AppError> {
    use super::context::{authorized, respond};
    use crate::backend::{invitations, people, teams};
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
    use crate::backend::invitations;
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
            crate::backend::invitations::revoke(
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
    use crate::backend::{people, teams};
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
            let roles_changed = crate::backend::people::update_access(
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
            crate::backend::people::set_disabled(
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
            crate::backend::people::reset_totp(
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
            crate::backend::teams::list(&request.services.pool).await
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
            crate::backend::teams::create(
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
            crate::backend::teams::detail(&request.services.pool, &slug).await
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
            crate::backend::teams::update(
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
            crate::backend::teams::set_member(
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
            crate::backend::settings::get(&request.services.pool).await
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
            crate::backend::settings::update(
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
