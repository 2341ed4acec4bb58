//! Invitations: an admin names a person, their roles and teams; the person opens a one-time link
//! (valid 72 hours), sets a password, and their account exists.

use chrono::{DateTime, Duration, Utc};
use sqlx::PgPool;
use uuid::Uuid;

use crate::backend::audit::{self, NewEvent};
use crate::backend::identity::users::{self, NewUser, Principal};
use crate::backend::org::teams;
use crate::backend::platform::secrets::{digest, random_token};
use crate::domain::{Actor, AuditAction, DisplayName, Email, Password, Role};
use crate::error::AppError;
use crate::model::{InvitationRow, InvitationView};

pub const VALID_HOURS: i64 = 72;
const PREFIX: &str = "inv_";

/// An invitation as an admin fills it in.
#[derive(Debug)]
pub struct NewInvitation {
    pub email: Email,
    pub display_name: DisplayName,
    pub roles: Vec<Role>,
    /// `(team slug, membership)`; an empty membership means "not in this team".
    pub teams: Vec<(String, String)>,
}

pub fn parse(
    email: &str,
    name: &str,
    roles: &[String],
    teams: Vec<(String, String)>,
) -> Result<NewInvitation, AppError> {
    Ok(NewInvitation {
        email: Email::parse(email).map_err(|m| AppError::invalid("email", m))?,
        display_name: DisplayName::parse(name).map_err(|m| AppError::invalid("name", m))?,
        roles: Role::parse_form(roles)?,
        teams,
    })
}

/// Records the invitation (replacing any open one for the same address) and returns the token
/// of its link — the only time it exists.
#[tracing::instrument(skip_all)]
pub async fn create(
    pool: &PgPool,
    inviter: &Principal,
    invitation: NewInvitation,
    now: DateTime<Utc>,
) -> Result<String, AppError> {
    let mut tx = pool.begin().await?;
    let existing = sqlx::query_scalar!(
        "SELECT user_id FROM users WHERE email = $1",
        invitation.email.as_str()
    )
    .fetch_optional(&mut *tx)
    .await?;
    if existing.is_some() {
        return Err(AppError::invalid("email", "already has an account"));
    }
    let memberships = teams::resolve_memberships(&mut tx, &invitation.teams).await?;
    let role_names = users::role_names(&users::with_employee(invitation.roles));
    let team_list: Vec<serde_json::Value> = memberships
        .iter()
        .map(|(_, slug, m)| serde_json::json!({ "team": slug, "membership": m.as_str() }))
        .collect();
    sqlx::query!(
        "UPDATE invitations SET revoked_at = $2
         WHERE email = $1 AND accepted_at IS NULL AND revoked_at IS NULL",
        invitation.email.as_str(),
        now
    )
    .execute(&mut *tx)
    .await?;
    let token = random_token(PREFIX);
    sqlx::query!(
        "INSERT INTO invitations
           (token_hash, email, display_name, roles, teams, invited_by, created_at, expires_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        &digest(&token)[..],
        invitation.email.as_str(),
        invitation.display_name.as_str(),
        &role_names,
        serde_json::Value::Array(team_list.clone()),
        inviter.user_id,
        now,
        now + Duration::hours(VALID_HOURS)
    )
    .execute(&mut *tx)
    .await?;
    let event = NewEvent::new(inviter.actor(), AuditAction::UserInvited)
        .target(format!("user:{}", invitation.email))
        .after(serde_json::json!({
            "name": invitation.display_name.as_str(),
            "roles": role_names,
            "teams": team_list,
            "expires_in_hours": VALID_HOURS,
        }));
    audit::append(&mut tx, event, now).await?;
    tx.commit().await?;
    Ok(token)
}

/// Open and recently expired invitations, newest first.
pub async fn list(pool: &PgPool, now: DateTime<Utc>) -> Result<Vec<InvitationRow>, AppError> {
    let rows = sqlx::query!(
        r#"SELECT i.invitation_id, i.email, i.display_name, i.roles, i.teams,
                  u.display_name AS "invited_by?", i.created_at, i.expires_at
           FROM invitations i LEFT JOIN users u ON u.user_id = i.invited_by
           WHERE i.accepted_at IS NULL AND i.revoked_at IS NULL
           ORDER BY i.created_at DESC LIMIT 200"#
    )
    .fetch_all(pool)
    .await?;
    Ok(rows
        .into_iter()
        .map(|row| InvitationRow {
            id: row.invitation_id.to_string(),
            email: row.email,
            name: row.display_name,
            roles: row.roles,
            teams: team_labels(&row.teams),
            invited_by: row.invited_by,
            created: row.created_at,
            expires: row.expires_at,
            expired: row.expires_at <= now,
        })
        .collect())
}

fn team_labels(teams: &serde_json::Value) -> Vec<String> {
    teams
        .as_array()
        .map(|teams| {
            teams
                .iter()
                .filter_map(|t| {
                    Some(format!(
                        "{} ({})",
                        t.get("team")?.as_str()?,
                        t.get("membership")?.as_str()?
                    ))
                })
                .collect()
        })
        .unwrap_or_default()
}

pub async fn revoke(
    pool: &PgPool,
    actor: Actor,
    id: Uuid,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    let mut tx = pool.begin().await?;
    let email = sqlx::query_scalar!(
        "UPDATE invitations SET revoked_at = $2
         WHERE invitation_id = $1 AND accepted_at IS NULL AND revoked_at IS NULL
         RETURNING email",
        id,
        now
    )
    .fetch_optional(&mut *tx)
    .await?
    .ok_or(AppError::NotFound)?;
    let event =
        NewEvent::new(actor, AuditAction::InvitationRevoked).target(format!("user:{email}"));
    audit::append(&mut tx, event, now).await?;
    tx.commit().await?;
    Ok(())
}

/// What the invitee sees before setting a password. Unknown, used, revoked and expired links
/// are all simply `NotFound`.
pub async fn find(
    pool: &PgPool,
    token: &str,
    now: DateTime<Utc>,
) -> Result<InvitationView, AppError> {
    if !token.starts_with(PREFIX) || token.len() > 100 {
        return Err(AppError::NotFound);
    }
    let row = sqlx::query!(
        "SELECT email, display_name, roles,
                COALESCE((SELECT require_totp_for_all FROM organization), true) AS totp_for_all
         FROM invitations
         WHERE token_hash = $1 AND accepted_at IS NULL AND revoked_at IS NULL AND expires_at > $2",
        &digest(token)[..],
        now
    )
    .fetch_optional(pool)
    .await?
    .ok_or(AppError::NotFound)?;
    let roles = Role::from_stored(&row.roles);
    Ok(InvitationView {
        email: row.email,
        name: row.display_name,
        totp_required: crate::domain::enrollment_owed(
            &roles,
            row.totp_for_all.unwrap_or(false),
            false,
        ),
        roles,
    })
}

/// Creates the account the invitation describes, with `password`, and uses the link up.
#[tracing::instrument(skip_all)]
pub async fn accept(
    pool: &PgPool,
    token: &str,
    password: &str,
    source: Option<std::net::IpAddr>,
    now: DateTime<Utc>,
) -> Result<Uuid, AppError> {
    if !token.starts_with(PREFIX) || token.len() > 100 {
        return Err(AppError::NotFound);
    }
    let password = Password::parse(password).map_err(|m| AppError::invalid("password", m))?;
    let mut tx = pool.begin().await?;
    let invitation = sqlx::query!(
        r#"SELECT invitation_id, email AS "email: Email",
             display_name AS "display_name: DisplayName", roles, teams
           FROM invitations
           WHERE token_hash = $1 AND accepted_at IS NULL AND revoked_at IS NULL
             AND expires_at > $2
           FOR UPDATE"#,
        &digest(token)[..],
        now
    )
    .fetch_optional(&mut *tx)
    .await?
    .ok_or(AppError::NotFound)?;
    let email = invitation.email;
    let user = NewUser {
        email: email.clone(),
        display_name: invitation.display_name,
        password,
        roles: Role::from_stored(&invitation.roles),
    };
    let user_id = users::insert(&mut tx, Actor::System, user, now).await?;
    let pairs: Vec<(String, String)> = invitation
        .teams
        .as_array()
        .map(|teams| {
            teams
                .iter()
                .filter_map(|t| {
                    Some((
                        t.get("team")?.as_str()?.to_owned(),
                        t.get("membership")?.as_str()?.to_owned(),
                    ))
                })
                .collect()
        })
        .unwrap_or_default();
    // A team deleted since the invitation was sent is simply left out.
    let mut memberships = Vec::new();
    for (slug, membership) in pairs {
        if let Ok(mut found) = teams::resolve_memberships(&mut tx, &[(slug, membership)]).await {
            memberships.append(&mut found);
        }
    }
    teams::replace_memberships(&mut tx, user_id, &memberships, now).await?;
    sqlx::query!(
        "UPDATE invitations SET accepted_at = $2 WHERE invitation_id = $1",
        invitation.invitation_id,
        now
    )
    .execute(&mut *tx)
    .await?;
    let actor = Actor::User {
        user_id: user_id.to_string(),
        email: email.to_string(),
    };
    let event = NewEvent::new(actor, AuditAction::InvitationAccepted)
        .target(format!("user:{email}"))
        .source(source);
    audit::append(&mut tx, event, now).await?;
    tx.commit().await?;
    Ok(user_id)
}
