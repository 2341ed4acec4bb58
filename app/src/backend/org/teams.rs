//! Teams and who belongs to them.

use chrono::{DateTime, Utc};
use sqlx::{PgConnection, PgPool};
use uuid::Uuid;

use crate::backend::audit::{self, NewEvent};
use crate::domain::{Actor, AuditAction, DisplayName, Membership, Slug};
use crate::error::{AppError, OnConstraint};
use crate::model::{TeamDetail, TeamMemberRow, TeamRow};

const DESCRIPTION_MAX: usize = 2000;

fn parse_name(name: &str) -> Result<DisplayName, AppError> {
    let name = DisplayName::parse(name).map_err(|m| AppError::invalid("name", m))?;
    if name.as_str().chars().count() > 120 {
        return Err(AppError::invalid("name", "must be at most 120 characters"));
    }
    Ok(name)
}

fn parse_description(description: &str) -> Result<String, AppError> {
    let description = description.trim();
    if description.chars().count() > DESCRIPTION_MAX {
        return Err(AppError::invalid(
            "description",
            format!("must be at most {DESCRIPTION_MAX} characters"),
        ));
    }
    Ok(description.to_owned())
}

pub async fn list(pool: &PgPool) -> Result<Vec<TeamRow>, AppError> {
    Ok(sqlx::query_as!(
        TeamRow,
        r#"SELECT t.slug, t.name, t.description,
             count(m.user_id) FILTER (WHERE u.disabled_at IS NULL) AS "members!",
             count(m.user_id) FILTER (WHERE m.membership = 'manager' AND u.disabled_at IS NULL)
               AS "managers!"
           FROM teams t
           LEFT JOIN team_members m ON m.team_id = t.team_id
           LEFT JOIN users u ON u.user_id = m.user_id
           GROUP BY t.team_id ORDER BY lower(t.name), t.slug"#
    )
    .fetch_all(pool)
    .await?)
}

/// Every team's identifier and name, by name (for choosing one; no member counts).
pub async fn names(
    pool: &PgPool,
) -> Result<Vec<crate::domain::registry::policy::TeamRef>, AppError> {
    Ok(sqlx::query_as!(
        crate::domain::registry::policy::TeamRef,
        "SELECT slug, name FROM teams ORDER BY lower(name), slug"
    )
    .fetch_all(pool)
    .await?)
}

/// The slugs of the teams `user_id` belongs to (as member or manager), by name.
pub async fn of_user(pool: &PgPool, user_id: Uuid) -> Result<Vec<String>, AppError> {
    Ok(sqlx::query_scalar!(
        "SELECT t.slug FROM team_members m JOIN teams t ON t.team_id = m.team_id
         WHERE m.user_id = $1 ORDER BY lower(t.name)",
        user_id
    )
    .fetch_all(pool)
    .await?)
}

pub async fn detail(pool: &PgPool, slug: &str) -> Result<TeamDetail, AppError> {
    let team = sqlx::query!(
        "SELECT team_id, slug, name, description FROM teams WHERE slug = $1",
        slug
    )
    .fetch_optional(pool)
    .await?
    .ok_or(AppError::NotFound)?;
    let members = sqlx::query_as!(
        TeamMemberRow,
        r#"SELECT u.user_id::text AS "user_id!", u.email, u.display_name AS name,
             m.membership, u.disabled_at IS NOT NULL AS "disabled!"
           FROM team_members m JOIN users u ON u.user_id = m.user_id
           WHERE m.team_id = $1
           ORDER BY m.membership DESC, lower(u.display_name)"#,
        team.team_id
    )
    .fetch_all(pool)
    .await?;
    Ok(TeamDetail {
        slug: team.slug,
        name: team.name,
        description: team.description,
        members,
    })
}

/// Creates a team; the identifier is derived from the name unless one is given.
pub async fn create(
    pool: &PgPool,
    actor: Actor,
    name: &str,
    slug: &str,
    description: &str,
    now: DateTime<Utc>,
) -> Result<String, AppError> {
    let name = parse_name(name)?;
    let slug = if slug.trim().is_empty() {
        Slug::from_name(name.as_str()).map_err(|m| AppError::invalid("slug", m))?
    } else {
        Slug::parse(slug.trim()).map_err(|m| AppError::invalid("slug", m))?
    };
    let description = parse_description(description)?;
    let mut tx = pool.begin().await?;
    sqlx::query!(
        "INSERT INTO teams (slug, name, description, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $4)",
        slug.as_str(),
        name.as_str(),
        description,
        now
    )
    .execute(&mut *tx)
    .await
    .on_constraint("teams_slug_key", "slug", "is already used by another team")?;
    let event = NewEvent::new(actor, AuditAction::TeamCreated)
        .target(format!("team:{}", slug.as_str()))
        .after(serde_json::json!({ "name": name.as_str(), "description": description }));
    audit::append(&mut tx, event, now).await?;
    tx.commit().await?;
    Ok(slug.as_str().to_owned())
}

/// Renames a team or changes its description (the identifier stays: links keep working).
pub async fn update(
    pool: &PgPool,
    actor: Actor,
    slug: &str,
    name: &str,
    description: &str,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    let name = parse_name(name)?;
    let description = parse_description(description)?;
    let mut tx = pool.begin().await?;
    let before = sqlx::query!(
        "SELECT name, description FROM teams WHERE slug = $1 FOR UPDATE",
        slug
    )
    .fetch_optional(&mut *tx)
    .await?
    .ok_or(AppError::NotFound)?;
    sqlx::query!(
        "UPDATE teams SET name = $2, description = $3, updated_at = $4 WHERE slug = $1",
        slug,
        name.as_str(),
        description,
        now
    )
    .execute(&mut *tx)
    .await?;
    let mut event = NewEvent::new(actor, AuditAction::TeamUpdated)
        .target(format!("team:{slug}"))
        .after(serde_json::json!({ "name": name.as_str(), "description": description }));
    event.before =
        Some(serde_json::json!({ "name": before.name, "description": before.description }));
    audit::append(&mut tx, event, now).await?;
    tx.commit().await?;
    Ok(())
}

/// Parses `(slug, membership)` pairs from a form, resolving each team. Empty memberships mean
/// "not in this team" and are skipped.
pub async fn resolve_memberships(
    conn: &mut PgConnection,
    pairs: &[(String, String)],
) -> Result<Vec<(Uuid, String, Membership)>, AppError> {
    let mut resolved = Vec::new();
    for (slug, membership) in pairs {
        if membership.is_empty() {
            continue;
        }
        let membership =
            Membership::parse(membership).map_err(|m| AppError::invalid("teams", m))?;
        let team_id = sqlx::query_scalar!("SELECT team_id FROM teams WHERE slug = $1", slug)
            .fetch_optional(&mut *conn)
            .await?
            .ok_or_else(|| AppError::invalid("teams", format!("there is no team {slug:?}")))?;
        resolved.push((team_id, slug.clone(), membership));
    }
    Ok(resolved)
}

/// Makes `user_id`'s memberships exactly `memberships`; returns (before, after) as
/// `slug:membership` lists for the audit log.
pub async fn replace_memberships(
    conn: &mut PgConnection,
    user_id: Uuid,
    memberships: &[(Uuid, String, Membership)],
    now: DateTime<Utc>,
) -> Result<(Vec<String>, Vec<String>), AppError> {
    let before = memberships_of(conn, user_id).await?;
    sqlx::query!("DELETE FROM team_members WHERE user_id = $1", user_id)
        .execute(&mut *conn)
        .await?;
    let team_ids: Vec<Uuid> = memberships.iter().map(|(id, _, _)| *id).collect();
    let kinds: Vec<String> = memberships
        .iter()
        .map(|(_, _, m)| m.as_str().to_owned())
        .collect();
    sqlx::query!(
        "INSERT INTO team_members (team_id, user_id, membership, added_at)
         SELECT t, $2, m, $4 FROM unnest($1::uuid[], $3::text[]) AS x(t, m)
         ON CONFLICT ON CONSTRAINT team_members_pkey DO UPDATE SET membership = EXCLUDED.membership",
        &team_ids,
        user_id,
        &kinds,
        now
    )
    .execute(&mut *conn)
    .await?;
    let after = memberships_of(conn, user_id).await?;
    Ok((before, after))
}

pub(crate) async fn memberships_of(
    conn: &mut PgConnection,
    user_id: Uuid,
) -> Result<Vec<String>, AppError> {
    Ok(sqlx::query_scalar!(
        r#"SELECT t.slug || ':' || m.membership AS "entry!"
           FROM team_members m JOIN teams t ON t.team_id = m.team_id
           WHERE m.user_id = $1 ORDER BY t.slug"#,
        user_id
    )
    .fetch_all(&mut *conn)
    .await?)
}

/// Adds `email` to the team `slug`, changes their membership, or removes them (empty
/// `membership`). Audited on the person.
pub async fn set_member(
    pool: &PgPool,
    actor: Actor,
    slug: &str,
    email: &str,
    membership: &str,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    let membership = match membership {
        "" => None,
        other => Some(Membership::parse(other).map_err(|m| AppError::invalid("membership", m))?),
    };
    let email = crate::domain::Email::parse(email).map_err(|m| AppError::invalid("email", m))?;
    let mut tx = pool.begin().await?;
    let team_id = sqlx::query_scalar!("SELECT team_id FROM teams WHERE slug = $1", slug)
        .fetch_optional(&mut *tx)
        .await?
        .ok_or(AppError::NotFound)?;
    let user_id = sqlx::query_scalar!("SELECT user_id FROM users WHERE email = $1", email.as_str())
        .fetch_optional(&mut *tx)
        .await?
        .ok_or_else(|| AppError::invalid("email", "nobody has an account with this address"))?;
    let before = memberships_of(&mut tx, user_id).await?;
    match membership {
        Some(membership) => {
            sqlx::query!(
                "INSERT INTO team_members (team_id, user_id, membership, added_at)
                 VALUES ($1, $2, $3, $4)
                 ON CONFLICT ON CONSTRAINT team_members_pkey
                 DO UPDATE SET membership = EXCLUDED.membership",
                team_id,
                user_id,
                membership.as_str(),
                now
            )
            .execute(&mut *tx)
            .await?;
        }
        None => {
            sqlx::query!(
                "DELETE FROM team_members WHERE team_id = $1 AND user_id = $2",
                team_id,
                user_id
            )
            .execute(&mut *tx)
            .await?;
        }
    }
    let after = memberships_of(&mut tx, user_id).await?;
    if before != after {
        let mut event = NewEvent::new(actor, AuditAction::TeamsChanged)
            .target(format!("user:{email}"))
            .after(serde_json::json!({ "teams": after }));
        event.before = Some(serde_json::json!({ "teams": before }));
        audit::append(&mut tx, event, now).await?;
    }
    tx.commit().await?;
    Ok(())
}
