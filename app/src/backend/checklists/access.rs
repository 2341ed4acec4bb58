//! Who may see and change which team's checklist: members and managers their team, admins
//! every team.

use crate::backend::identity::users::Principal;
use crate::domain::registry::policy::TeamRef;
use crate::domain::Permission;
use crate::error::AppError;
use sqlx::{PgConnection, PgPool};
use uuid::Uuid;

/// How `principal` stands to team `slug`: its id and name, and whether they may change items.
/// Members and managers see and change their team; admins every team; others are refused.
pub(super) async fn team_access(
    conn: &mut PgConnection,
    principal: &Principal,
    slug: &str,
) -> Result<(Uuid, String), AppError> {
    let team = sqlx::query!(
        r#"SELECT t.team_id, t.name,
             EXISTS (SELECT 1 FROM team_members m WHERE m.team_id = t.team_id AND m.user_id = $2)
               AS "belongs!"
           FROM teams t WHERE t.slug = $1"#,
        slug,
        principal.user_id
    )
    .fetch_optional(&mut *conn)
    .await?
    .ok_or(AppError::NotFound)?;
    if !team.belongs && !principal.may(Permission::ManageAllChecklists) {
        return Err(AppError::Forbidden);
    }
    Ok((team.team_id, team.name))
}

/// The teams whose checklist `principal` may open: their own, or every team for admins.
pub async fn visible_teams(pool: &PgPool, principal: &Principal) -> Result<Vec<TeamRef>, AppError> {
    Ok(sqlx::query_as!(
        TeamRef,
        "SELECT t.slug, t.name FROM teams t
         WHERE $2 OR EXISTS (SELECT 1 FROM team_members m
                             WHERE m.team_id = t.team_id AND m.user_id = $1)
         ORDER BY lower(t.name)",
        principal.user_id,
        principal.may(Permission::ManageAllChecklists)
    )
    .fetch_all(pool)
    .await?)
}

/// The scope of the dashboards for `principal`: `None` (every team) for admins, else the teams
/// they manage.
pub(super) async fn managed(
    conn: &mut PgConnection,
    principal: &Principal,
) -> Result<Option<Vec<Uuid>>, AppError> {
    if principal.may(Permission::ViewAllDashboards) {
        return Ok(None);
    }
    Ok(Some(
        sqlx::query_scalar!(
            "SELECT team_id FROM team_members WHERE user_id = $1 AND membership = 'manager'",
            principal.user_id
        )
        .fetch_all(&mut *conn)
        .await?,
    ))
}
