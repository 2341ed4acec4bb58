//! Administering people: their roles and teams, disabling accounts, resetting a lost second
//! factor. Every change is audited, and changes of roles or status end the person's sessions
//! (they sign in again under a new session id with their new rights).

use chrono::{DateTime, Utc};
use sqlx::{PgConnection, PgPool};
use uuid::Uuid;

use crate::backend::audit::{self, NewEvent};
use crate::backend::identity::auth::sessions;
use crate::backend::identity::tokens;
use crate::backend::identity::users::{grant_roles, role_names, with_employee, Principal};
use crate::backend::org::teams;
use crate::domain::{AuditAction, Role};
use crate::error::AppError;
use crate::model::{PersonRow, TeamMembershipView};

/// Everyone, with roles, teams and second-factor status, in name order.
pub async fn list(pool: &PgPool) -> Result<Vec<PersonRow>, AppError> {
    load(pool, None).await
}

pub async fn detail(pool: &PgPool, user_id: Uuid) -> Result<PersonRow, AppError> {
    load(pool, Some(user_id))
        .await?
        .into_iter()
        .next()
        .ok_or(AppError::NotFound)
}

async fn load(pool: &PgPool, only: Option<Uuid>) -> Result<Vec<PersonRow>, AppError> {
    let rows = sqlx::query!(
        r#"SELECT u.user_id, u.email, u.display_name, u.disabled_at IS NOT NULL AS "disabled!",
             u.created_at,
             ARRAY(SELECT role FROM user_roles r WHERE r.user_id = u.user_id ORDER BY role)
               AS "roles!: Vec<String>",
             ARRAY(SELECT t.slug || '|' || t.name || '|' || m.membership
                   FROM team_members m JOIN teams t ON t.team_id = m.team_id
                   WHERE m.user_id = u.user_id ORDER BY lower(t.name))
               AS "teams!: Vec<String>",
             EXISTS (SELECT 1 FROM user_totp t
                     WHERE t.user_id = u.user_id AND t.confirmed_at IS NOT NULL) AS "totp!"
           FROM users u
           WHERE $1::uuid IS NULL OR u.user_id = $1
           ORDER BY lower(u.display_name), u.email"#,
        only
    )
    .fetch_all(pool)
    .await?;
    Ok(rows
        .into_iter()
        .map(|row| PersonRow {
            id: row.user_id.to_string(),
            email: row.email,
            name: row.display_name,
            roles: Role::from_stored(&row.roles),
            teams: row
                .teams
                .iter()
                .filter_map(|entry| {
                    let mut parts = entry.splitn(3, '|');
                    let slug = parts.next()?.to_owned();
                    let name = parts.next()?.to_owned();
                    let membership = crate::domain::Membership::parse(parts.next()?).ok()?;
                    Some(TeamMembershipView {
                        slug,
                        name,
                        membership,
                    })
                })
                .collect(),
            totp_enrolled: row.totp,
            disabled: row.disabled,
            since: row.created_at,
        })
        .collect())
}

/// Refuses a change that would leave the organization without an active admin. Call it after
/// the change, in its transaction. The lock makes such changes take turns: two admins demoting
/// or disabling each other at the same moment would each count the other otherwise; the second
/// now counts after the first committed (each statement sees what committed before it).
pub(crate) async fn keep_an_admin(conn: &mut PgConnection, field: &str) -> Result<(), AppError> {
    sqlx::query!("SELECT pg_advisory_xact_lock(hashtext('keep_an_admin'))")
        .execute(&mut *conn)
        .await?;
    let admins = sqlx::query_scalar!(
        r#"SELECT count(*) AS "count!" FROM user_roles r JOIN users u ON u.user_id = r.user_id
           WHERE r.role = 'admin' AND u.disabled_at IS NULL"#
    )
    .fetch_one(&mut *conn)
    .await?;
    if admins == 0 {
        return Err(AppError::invalid(
            field,
            "the organization needs at least one active admin",
        ));
    }
    Ok(())
}

/// Sets a person's roles and teams. When the roles change, the person's sessions end, except
/// `current_session` (the admin's own, when they edit themselves; the caller renews its id).
/// Returns whether the roles changed.
#[allow(clippy::too_many_arguments)]
pub async fn update_access(
    pool: &PgPool,
    admin: &Principal,
    user_id: Uuid,
    roles: &[String],
    team_pairs: &[(String, String)],
    current_session: Option<&str>,
    now: DateTime<Utc>,
) -> Result<bool, AppError> {
    let roles = with_employee(Role::parse_form(roles)?);
    let role_names = role_names(&roles);

    let mut tx = pool.begin().await?;
    let email = sqlx::query_scalar!(
        "SELECT email FROM users WHERE user_id = $1 FOR UPDATE",
        user_id
    )
    .fetch_optional(&mut *tx)
    .await?
    .ok_or(AppError::NotFound)?;
    let before_roles = sqlx::query_scalar!(
        "SELECT role FROM user_roles WHERE user_id = $1 ORDER BY role",
        user_id
    )
    .fetch_all(&mut *tx)
    .await?;
    let memberships = teams::resolve_memberships(&mut tx, team_pairs).await?;
    let roles_changed = before_roles != role_names;
    if roles_changed {
        sqlx::query!("DELETE FROM user_roles WHERE user_id = $1", user_id)
            .execute(&mut *tx)
            .await?;
        grant_roles(&mut tx, user_id, &roles, now).await?;
        keep_an_admin(&mut tx, "roles").await?;
        sessions::end_all(&mut tx, user_id, current_session).await?;
        let mut event = NewEvent::new(admin.actor(), AuditAction::RolesChanged)
            .target(format!("user:{email}"))
            .after(serde_json::json!({ "roles": role_names }));
        event.before = Some(serde_json::json!({ "roles": before_roles }));
        audit::append(&mut tx, event, now).await?;
    }
    let (before_teams, after_teams) =
        teams::replace_memberships(&mut tx, user_id, &memberships, now).await?;
    if before_teams != after_teams {
        let mut event = NewEvent::new(admin.actor(), AuditAction::TeamsChanged)
            .target(format!("user:{email}"))
            .after(serde_json::json!({ "teams": after_teams }));
        event.before = Some(serde_json::json!({ "teams": before_teams }));
        audit::append(&mut tx, event, now).await?;
    }
    tx.commit().await?;
    Ok(roles_changed)
}

/// Disables (ending every session; API tokens stop working) or re-enables an account.
pub async fn set_disabled(
    pool: &PgPool,
    admin: &Principal,
    user_id: Uuid,
    disabled: bool,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    if disabled && user_id == admin.user_id {
        return Err(AppError::Conflict {
            message: "You cannot disable your own account.".into(),
        });
    }
    let mut tx = pool.begin().await?;
    let email = sqlx::query_scalar!(
        "UPDATE users SET disabled_at = CASE WHEN $2 THEN COALESCE(disabled_at, $3) END,
                          updated_at = $3
         WHERE user_id = $1 RETURNING email",
        user_id,
        disabled,
        now
    )
    .fetch_optional(&mut *tx)
    .await?
    .ok_or(AppError::NotFound)?;
    if disabled {
        keep_an_admin(&mut tx, "account").await?;
        sessions::end_all(&mut tx, user_id, None).await?;
        tokens::revoke_all(&mut tx, admin.actor(), user_id, "account disabled", now).await?;
    }
    let action = if disabled {
        AuditAction::UserDisabled
    } else {
        AuditAction::UserEnabled
    };
    let event = NewEvent::new(admin.actor(), action).target(format!("user:{email}"));
    audit::append(&mut tx, event, now).await?;
    tx.commit().await?;
    Ok(())
}

/// Removes a person's second factor and recovery codes (a lost phone), ends their sessions and
/// revokes their tokens; at their next sign-in they must set up a new one before anything else.
pub async fn reset_totp(
    pool: &PgPool,
    admin: &Principal,
    user_id: Uuid,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    let mut tx = pool.begin().await?;
    let email = sqlx::query_scalar!("SELECT email FROM users WHERE user_id = $1", user_id)
        .fetch_optional(&mut *tx)
        .await?
        .ok_or(AppError::NotFound)?;
    let removed = sqlx::query!("DELETE FROM user_totp WHERE user_id = $1", user_id)
        .execute(&mut *tx)
        .await?
        .rows_affected();
    if removed == 0 {
        return Err(AppError::Conflict {
            message: "This person has no two-factor sign-in to reset.".into(),
        });
    }
    sqlx::query!("DELETE FROM recovery_codes WHERE user_id = $1", user_id)
        .execute(&mut *tx)
        .await?;
    // Nothing else until a new factor is set up: not even for someone the organization would
    // let work without one. An enrollment they had started is discarded with the old factor.
    sqlx::query!(
        "UPDATE users SET must_enroll_totp = true WHERE user_id = $1",
        user_id
    )
    .execute(&mut *tx)
    .await?;
    sqlx::query!("DELETE FROM totp_enrollments WHERE user_id = $1", user_id)
        .execute(&mut *tx)
        .await?;
    sessions::end_all(&mut tx, user_id, None).await?;
    tokens::revoke_all(&mut tx, admin.actor(), user_id, "second factor reset", now).await?;
    let event =
        NewEvent::new(admin.actor(), AuditAction::TotpResetByAdmin).target(format!("user:{email}"));
    audit::append(&mut tx, event, now).await?;
    tx.commit().await?;
    Ok(())
}
