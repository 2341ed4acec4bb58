//! The policy check against stored facts: "may this team use this tool with this data today?"

use super::tools::detail;
use crate::domain::registry::policy::{self, DataClassFacts, TeamScope, ToolFacts};
use crate::domain::Day;
use crate::error::AppError;
use crate::model::PolicyAnswer;
use sqlx::PgPool;

fn some(text: String) -> Option<String> {
    (!text.trim().is_empty()).then_some(text)
}

/// "May `team` use `tool` with `data_class` on `today`?" — the stored facts through the one
/// policy function. Unknown identifiers name their field.
pub async fn check(
    pool: &PgPool,
    tool: &str,
    data_class: &str,
    team: &str,
    today: Day,
) -> Result<PolicyAnswer, AppError> {
    let detail = match detail(pool, tool).await {
        Err(AppError::NotFound) => {
            return Err(AppError::invalid("tool", "no tool has this identifier"))
        }
        other => other?,
    };
    let class = sqlx::query!(
        "SELECT slug, name, prohibited_by_default FROM data_classes WHERE slug = $1",
        data_class
    )
    .fetch_optional(pool)
    .await?
    .ok_or_else(|| AppError::invalid("data_class", "no data class has this identifier"))?;
    let team_exists = sqlx::query_scalar!(
        r#"SELECT EXISTS (SELECT 1 FROM teams WHERE slug = $1) AS "exists!""#,
        team
    )
    .fetch_one(pool)
    .await?;
    if !team_exists {
        return Err(AppError::invalid("team", "no team has this identifier"));
    }
    let facts = ToolFacts {
        name: detail.name,
        status: detail.status,
        status_reason: some(detail.status_reason),
        status_since: Some(detail.status_since),
        rollback_plan: some(detail.rollback_plan),
        conditions: some(detail.conditions),
        teams: match detail.teams {
            None => TeamScope::All,
            Some(teams) => TeamScope::Only(teams),
        },
        data_classes: detail.data_classes.into_iter().map(|c| c.slug).collect(),
        next_review: detail.next_review,
    };
    let class = DataClassFacts {
        slug: class.slug,
        name: class.name,
        prohibited_by_default: class.prohibited_by_default,
    };
    let decision = policy::check(&facts, &class, team, today);
    Ok(PolicyAnswer {
        allowed: decision.allowed,
        reason: decision.reason,
        tool: detail.slug,
        data_class: class.slug,
        team: team.to_owned(),
    })
}
