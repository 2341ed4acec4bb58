//! Administration: people and invitations, teams, organization settings, the audit log.
//! Every function here requires the admin role (see `domain::access`).

use std::collections::BTreeMap;

use leptos::prelude::*;
use uuid::Uuid;

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
    use super::guard::guard;
    use crate::backend::{identity::invitations, identity::people, org::teams};
    use crate::domain::Permission;
    guard(Permission::ManagePeople, |caller| async move {
        let pool = caller.pool();
        Ok(PeoplePage {
            people: people::list(pool).await?,
            invitations: invitations::list(pool, caller.now).await?,
            teams: teams::list(pool).await?,
            reveal: caller.take_reveal().await?,
        })
    })
    .await
}

#[server(endpoint = "admin/invite")]
pub async fn invite_person(
    email: String,
    name: String,
    roles: Option<Vec<String>>,
    teams: Option<BTreeMap<String, String>>,
    #[server(default)] current_password: String,
    #[server(default)] code: String,
) -> Result<(), AppError> {
    use super::guard::guard;
    use crate::backend::identity::invitations;
    use crate::domain::Permission;
    guard(Permission::ManagePeople, |caller| async move {
        let invitation =
            invitations::parse(&email, &name, &roles.unwrap_or_default(), pairs(teams))?;
        // Inviting a reviewer or an admin grants the role: the same fresh proof as granting it.
        if invitation.roles.iter().any(|role| role.requires_totp()) {
            caller.confirm_identity(&current_password, &code).await?;
        }
        let email = invitation.email.to_string();
        let token =
            invitations::create(caller.pool(), &caller.principal, invitation, caller.now).await?;
        // After `#`: browsers never send the token to a server or proxy with the link.
        let url = format!("{}/invite#{token}", caller.services.public_url);
        caller.reveal(&Reveal::InvitationLink { email, url }).await
    })
    .await
}

#[server(endpoint = "admin/revoke_invitation")]
pub async fn revoke_invitation(id: Uuid) -> Result<(), AppError> {
    use super::guard::guard;
    use crate::domain::Permission;
    guard(Permission::ManagePeople, |caller| async move {
        crate::backend::identity::invitations::revoke(
            caller.pool(),
            caller.principal.actor(),
            id,
            caller.now,
        )
        .await
    })
    .await
}

#[server(endpoint = "admin/person")]
pub async fn get_person(id: Uuid) -> Result<PersonPage, AppError> {
    use super::guard::guard;
    use crate::backend::{identity::people, org::teams};
    use crate::domain::Permission;
    guard(Permission::ManagePeople, |caller| async move {
        let pool = caller.pool();
        let person = people::detail(pool, id).await?;
        Ok(PersonPage {
            is_self: id == caller.principal.user_id,
            person,
            teams: teams::list(pool).await?,
            tokens: crate::backend::identity::account::tokens(pool, id, caller.now).await?,
        })
    })
    .await
}

/// A person's roles and teams. Granting the reviewer or admin role needs a fresh proof of the
/// admin's identity (the password or a code, unless given in the last five minutes).
#[server(endpoint = "admin/update_person")]
pub async fn update_person(
    id: Uuid,
    roles: Option<Vec<String>>,
    teams: Option<BTreeMap<String, String>>,
    #[server(default)] current_password: String,
    #[server(default)] code: String,
) -> Result<(), AppError> {
    use super::guard::guard;
    use crate::backend::identity::people;
    use crate::domain::{Permission, Role};
    guard(Permission::ManagePeople, |caller| async move {
        let roles = roles.unwrap_or_default();
        let held = people::detail(caller.pool(), id).await?.roles;
        let granted = Role::parse_form(&roles)?;
        if granted
            .iter()
            .any(|role| role.requires_totp() && !held.contains(role))
        {
            caller.confirm_identity(&current_password, &code).await?;
        }
        let roles_changed = people::update_access(
            caller.pool(),
            &caller.principal,
            id,
            &roles,
            &pairs(teams),
            caller.session.id().as_deref(),
            caller.now,
        )
        .await?;
        if roles_changed && id == caller.principal.user_id {
            caller.session.renew().await?;
        }
        caller.session.notice("Saved.").await
    })
    .await
}

/// `disabled`: true disables the account, false enables it again.
#[server(endpoint = "admin/set_person_disabled")]
pub async fn set_person_disabled(id: Uuid, disabled: bool) -> Result<(), AppError> {
    use super::guard::guard;
    use crate::domain::Permission;
    guard(Permission::ManagePeople, |caller| async move {
        crate::backend::identity::people::set_disabled(
            caller.pool(),
            &caller.principal,
            id,
            disabled,
            caller.now,
        )
        .await
    })
    .await
}

/// Removes a person's second factor (a lost phone). Needs a fresh proof of the admin's
/// identity.
#[server(endpoint = "admin/reset_person_totp")]
pub async fn reset_person_totp(
    id: Uuid,
    #[server(default)] current_password: String,
    #[server(default)] code: String,
) -> Result<(), AppError> {
    use super::guard::guard;
    use crate::domain::Permission;
    guard(Permission::ManagePeople, |caller| async move {
        caller.confirm_identity(&current_password, &code).await?;
        crate::backend::identity::people::reset_totp(
            caller.pool(),
            &caller.principal,
            id,
            caller.now,
        )
        .await
    })
    .await
}

/// Revokes one of a person's API tokens (an admin cleaning up after someone left, say).
#[server(endpoint = "admin/revoke_person_token")]
pub async fn revoke_person_token(user_id: Uuid, id: Uuid) -> Result<(), AppError> {
    use super::guard::guard;
    use crate::domain::Permission;
    guard(Permission::ManagePeople, |caller| async move {
        crate::backend::identity::tokens::revoke(
            caller.pool(),
            caller.principal.actor(),
            user_id,
            id,
            caller.now,
        )
        .await
    })
    .await
}

#[server(endpoint = "admin/teams")]
pub async fn get_teams() -> Result<Vec<TeamRow>, AppError> {
    use super::guard::guard;
    use crate::domain::Permission;
    guard(Permission::ManageTeams, |caller| async move {
        crate::backend::org::teams::list(caller.pool()).await
    })
    .await
}

#[server(endpoint = "admin/create_team")]
pub async fn create_team(
    name: String,
    slug: Option<String>,
    description: Option<String>,
) -> Result<String, AppError> {
    use super::guard::guard;
    use crate::domain::Permission;
    guard(Permission::ManageTeams, |caller| async move {
        let slug = crate::backend::org::teams::create(
            caller.pool(),
            caller.principal.actor(),
            &name,
            slug.as_deref().unwrap_or(""),
            description.as_deref().unwrap_or(""),
            caller.now,
        )
        .await?;
        caller.session.notice("Team created.").await?;
        Ok(slug)
    })
    .await
}

#[server(endpoint = "admin/team")]
pub async fn get_team(slug: String) -> Result<TeamDetail, AppError> {
    use super::guard::guard;
    use crate::domain::Permission;
    guard(Permission::ManageTeams, |caller| async move {
        crate::backend::org::teams::detail(caller.pool(), &slug).await
    })
    .await
}

#[server(endpoint = "admin/update_team")]
pub async fn update_team(
    slug: String,
    name: String,
    description: Option<String>,
) -> Result<(), AppError> {
    use super::guard::guard;
    use crate::domain::Permission;
    guard(Permission::ManageTeams, |caller| async move {
        crate::backend::org::teams::update(
            caller.pool(),
            caller.principal.actor(),
            &slug,
            &name,
            description.as_deref().unwrap_or(""),
            caller.now,
        )
        .await?;
        caller.session.notice("Saved.").await
    })
    .await
}

/// Adds `email` to the team, changes their membership, or (empty membership) removes them.
#[server(endpoint = "admin/set_team_member")]
pub async fn set_team_member(
    slug: String,
    email: String,
    membership: String,
) -> Result<(), AppError> {
    use super::guard::guard;
    use crate::domain::Permission;
    guard(Permission::ManageTeams, |caller| async move {
        crate::backend::org::teams::set_member(
            caller.pool(),
            caller.principal.actor(),
            &slug,
            &email,
            &membership,
            caller.now,
        )
        .await
    })
    .await
}

#[server(endpoint = "admin/settings")]
pub async fn get_settings() -> Result<Settings, AppError> {
    use super::guard::guard;
    use crate::domain::Permission;
    guard(Permission::ManageSettings, |caller| async move {
        crate::backend::org::settings::get(caller.pool()).await
    })
    .await
}

/// `require_totp_for_all` is a checkbox: present ("on") when ticked.
#[server(endpoint = "admin/update_settings")]
pub async fn update_settings(
    name: String,
    require_totp_for_all: Option<String>,
    #[server(default)] max_review_months: String,
    #[server(default)] stale_policy: String,
    #[server(default)] response_review_months: String,
    #[server(default)] review_target_days: String,
    #[server(default)] overdue_policy: String,
) -> Result<(), AppError> {
    use super::guard::guard;
    use crate::backend::org::settings::{update, SettingsForm};
    use crate::domain::Permission;
    guard(Permission::ManageSettings, |caller| async move {
        let form = SettingsForm {
            name: &name,
            require_totp_for_all: require_totp_for_all
                .is_some_and(|v| !v.is_empty() && v != "false"),
            max_review_months: &max_review_months,
            stale_policy: &stale_policy,
            response_review_months: &response_review_months,
            review_target_days: &review_target_days,
            overdue_policy: &overdue_policy,
        };
        update(caller.pool(), &caller.principal, form, caller.now).await?;
        caller.session.notice("Settings saved.").await
    })
    .await
}

#[server(endpoint = "admin/audit")]
pub async fn get_audit_log(query: AuditQuery) -> Result<AuditPage, AppError> {
    use super::guard::guard;
    use crate::domain::Permission;
    guard(Permission::ViewAuditLog, |caller| async move {
        crate::backend::audit::search(caller.pool(), &query).await
    })
    .await
}

#[server(endpoint = "admin/verify_audit")]
pub async fn verify_audit_chain() -> Result<ChainCheck, AppError> {
    use super::guard::guard;
    use crate::backend::audit::{verify, Verification};
    use crate::domain::Permission;
    guard(Permission::ViewAuditLog, |caller| async move {
        Ok(match verify(caller.pool()).await? {
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
    })
    .await
}
