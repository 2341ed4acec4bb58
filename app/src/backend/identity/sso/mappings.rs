//! What the provider's groups grant in the portal, as admins edit it: a role (reviewer,
//! manager, admin), or a place in a team (member or manager). Each change is audited; it takes
//! effect at each person's next sign-in through the provider.

use chrono::{DateTime, Utc};
use serde_json::json;
use sqlx::PgPool;
use uuid::Uuid;

use crate::backend::audit::{self, NewEvent};
use crate::backend::identity::users::Principal;
use crate::domain::{AuditAction, Membership, Permission, Role};
use crate::error::AppError;
use crate::model::SsoMappingView;

/// What a mapping grants, as the form names it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Grant {
    Role(Role),
    Team {
        slug: String,
        membership: Membership,
    },
}

impl Grant {
    /// `role:<role>`, `member:<team>` or `manager:<team>`.
    pub fn parse(input: &str) -> Result<Self, AppError> {
        let wrong = || AppError::invalid("grants", "choose what the group grants");
        let (kind, value) = input.trim().split_once(':').ok_or_else(wrong)?;
        match kind {
            "role" => match Role::parse(value).map_err(|_| wrong())? {
                Role::Employee => Err(AppError::invalid(
                    "grants",
                    "everyone is an employee already: choose another role or a team",
                )),
                role => Ok(Self::Role(role)),
            },
            "member" | "manager" if !value.is_empty() => Ok(Self::Team {
                slug: value.to_owned(),
                membership: Membership::parse(kind).map_err(|_| wrong())?,
            }),
            _ => Err(wrong()),
        }
    }
}

fn role_label(role: Role) -> &'static str {
    match role {
        Role::Employee => "Employee",
        Role::Reviewer => "Reviewer",
        Role::Manager => "Manager",
        Role::Admin => "Admin",
    }
}

fn group_name(input: &str) -> Result<String, AppError> {
    let group = input.trim();
    if group.is_empty() || group.chars().count() > 200 || group.chars().any(char::is_control) {
        return Err(AppError::invalid(
            "group",
            "name the group as the provider sends it in the groups claim (1 to 200 characters)",
        ));
    }
    Ok(group.to_owned())
}

/// The mappings, by group.
pub async fn list(pool: &PgPool) -> Result<Vec<SsoMappingView>, AppError> {
    let rows = sqlx::query!(
        r#"SELECT m.mapping_id, m.group_name, m.role, m.membership, t.name AS "team?",
             u.display_name AS added_by, m.created_at
           FROM sso_group_mappings m JOIN users u ON u.user_id = m.created_by
           LEFT JOIN teams t ON t.team_id = m.team_id
           ORDER BY lower(m.group_name), m.role NULLS LAST, t.name"#
    )
    .fetch_all(pool)
    .await?;
    Ok(rows
        .into_iter()
        .map(|row| SsoMappingView {
            id: row.mapping_id.to_string(),
            group: row.group_name,
            grants: match (row.role, row.team, row.membership.as_deref()) {
                (Some(role), _, _) => format!(
                    "Role: {}",
                    Role::parse(&role).map(role_label).unwrap_or("unknown")
                ),
                (None, Some(team), Some("manager")) => format!("Manager of {team}"),
                (None, Some(team), _) => format!("Member of {team}"),
                (None, None, _) => "Nothing".to_owned(),
            },
            added_by: row.added_by,
            added: row.created_at,
        })
        .collect())
}

/// Everything a mapping may grant, for the form.
pub async fn grants(pool: &PgPool) -> Result<Vec<(String, String)>, AppError> {
    let mut grants: Vec<(String, String)> = [Role::Reviewer, Role::Manager, Role::Admin]
        .iter()
        .map(|role| {
            (
                format!("role:{}", role.as_str()),
                format!("Role: {}", role_label(*role)),
            )
        })
        .collect();
    let teams = sqlx::query!("SELECT slug, name FROM teams ORDER BY lower(name)")
        .fetch_all(pool)
        .await?;
    for team in teams {
        grants.push((
            format!("member:{}", team.slug),
            format!("Member of {}", team.name),
        ));
        grants.push((
            format!("manager:{}", team.slug),
            format!("Manager of {}", team.name),
        ));
    }
    Ok(grants)
}

/// Adds "people in `group` get `grants`"; audited.
pub async fn add(
    pool: &PgPool,
    admin: &Principal,
    group: &str,
    grants: &str,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    if !admin.may(Permission::ManageSettings) {
        return Err(AppError::Forbidden);
    }
    let group = group_name(group)?;
    let grant = Grant::parse(grants)?;
    let mut tx = pool.begin().await?;
    let (role, team_id, membership) = match &grant {
        Grant::Role(role) => (Some(role.as_str()), None, None),
        Grant::Team { slug, membership } => {
            let team_id = sqlx::query_scalar!("SELECT team_id FROM teams WHERE slug = $1", slug)
                .fetch_optional(&mut *tx)
                .await?
                .ok_or_else(|| AppError::invalid("grants", "no team has this identifier"))?;
            (None, Some(team_id), Some(membership.as_str()))
        }
    };
    let added = sqlx::query_scalar!(
        "INSERT INTO sso_group_mappings (group_name, role, team_id, membership, created_by,
           created_at)
         VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT DO NOTHING RETURNING mapping_id",
        group,
        role,
        team_id,
        membership,
        admin.user_id,
        now
    )
    .fetch_optional(&mut *tx)
    .await?;
    let Some(mapping_id) = added else {
        return Err(AppError::invalid("group", "this group grants that already"));
    };
    let event = NewEvent::new(admin.actor(), AuditAction::SsoMappingAdded)
        .target(format!("sso_group:{group}"))
        .after(json!({ "id": mapping_id.to_string(), "group": group, "grants": grants.trim() }));
    audit::append(&mut tx, event, now).await?;
    tx.commit().await?;
    Ok(())
}

/// Removes mapping `id`; audited with what it granted.
pub async fn remove(
    pool: &PgPool,
    admin: &Principal,
    id: Uuid,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    if !admin.may(Permission::ManageSettings) {
        return Err(AppError::Forbidden);
    }
    let mut tx = pool.begin().await?;
    let removed = sqlx::query!(
        r#"DELETE FROM sso_group_mappings m WHERE mapping_id = $1
           RETURNING group_name, role,
             (SELECT slug FROM teams t WHERE t.team_id = m.team_id) AS "team?", membership"#,
        id
    )
    .fetch_optional(&mut *tx)
    .await?
    .ok_or(AppError::NotFound)?;
    let grants = match (removed.role, removed.team, removed.membership) {
        (Some(role), _, _) => format!("role:{role}"),
        (None, Some(team), Some(membership)) => format!("{membership}:{team}"),
        _ => String::new(),
    };
    let event = NewEvent::new(admin.actor(), AuditAction::SsoMappingRemoved)
        .target(format!("sso_group:{}", removed.group_name))
        .before(json!({ "id": id.to_string(), "group": removed.group_name, "grants": grants }));
    audit::append(&mut tx, event, now).await?;
    tx.commit().await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_grant_names_a_role_or_a_place_in_a_team() {
        assert_eq!(
            Grant::parse("role:reviewer").ok(),
            Some(Grant::Role(Role::Reviewer))
        );
        assert_eq!(
            Grant::parse("manager:payments").ok(),
            Some(Grant::Team {
                slug: "payments".into(),
                membership: Membership::Manager
            })
        );
        for bad in [
            "",
            "role:",
            "role:employee",
            "role:owner",
            "member:",
            "boss:payments",
            "reviewer",
        ] {
            assert_eq!(
                Grant::parse(bad).expect_err(bad).field(),
                Some("grants"),
                "{bad}"
            );
        }
        assert_eq!(group_name(" ").expect_err("empty").field(), Some("group"));
        assert_eq!(
            group_name("a\nb").expect_err("control").field(),
            Some("group")
        );
        assert_eq!(
            group_name(" ai-reviewers ").ok().as_deref(),
            Some("ai-reviewers")
        );
    }
}
