use sqlx::PgPool;

use crate::error::AppError;
use crate::model::{OrganizationSummary, Overview, TeamSummary};

/// Reads the organization and its teams, teams in name order.
pub async fn load(pool: &PgPool) -> Result<Overview, AppError> {
    let organization = sqlx::query_as!(
        OrganizationSummary,
        "SELECT name, is_demo, created_at AS since FROM organization WHERE organization_id = 1"
    )
    .fetch_optional(pool)
    .await?;
    let teams = sqlx::query_as!(
        TeamSummary,
        "SELECT slug, name, description FROM teams ORDER BY lower(name), slug"
    )
    .fetch_all(pool)
    .await?;
    Ok(Overview {
        organization,
        teams,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[sqlx::test(migrations = "../migrations")]
    async fn an_empty_portal_has_no_organization_and_no_teams(pool: PgPool) {
        let overview = load(&pool).await.expect("loads");
        assert_eq!(overview.organization, None);
        assert!(overview.teams.is_empty());
    }

    #[sqlx::test(migrations = "../migrations")]
    async fn teams_come_in_case_insensitive_name_order(pool: PgPool) {
        sqlx::query("INSERT INTO organization (name) VALUES ('Acme')")
            .execute(&pool)
            .await
            .expect("organization");
        for (slug, name) in [("b", "beta"), ("a", "Alpha"), ("c", "Gamma")] {
            sqlx::query("INSERT INTO teams (slug, name) VALUES ($1, $2)")
                .bind(slug)
                .bind(name)
                .execute(&pool)
                .await
                .expect("team");
        }
        let overview = load(&pool).await.expect("loads");
        let organization = overview.organization.expect("organization");
        assert_eq!(organization.name, "Acme");
        assert!(!organization.is_demo);
        assert!(chrono::Utc::now() - organization.since < chrono::Duration::minutes(5));
        let names: Vec<_> = overview.teams.iter().map(|t| t.name.as_str()).collect();
        assert_eq!(names, ["Alpha", "beta", "Gamma"]);
    }
}
