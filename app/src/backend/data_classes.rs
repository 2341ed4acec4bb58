//! Data classes: what may and may not be sent to AI tools.

use sqlx::PgPool;

use crate::api::DataClassView;
use crate::domain::ClassificationLevel;
use crate::error::AppError;

/// Every data class, most sensitive first, then by name.
pub async fn list(pool: &PgPool) -> Result<Vec<DataClassView>, AppError> {
    let rows = sqlx::query!(
        r#"SELECT slug, name, level, prohibited_by_default, description, examples
           FROM data_classes
           ORDER BY array_position(ARRAY['restricted', 'confidential', 'internal', 'public'], level),
                    lower(name)"#
    )
    .fetch_all(pool)
    .await?;
    rows.into_iter()
        .map(|row| {
            let level = ClassificationLevel::parse(&row.level).map_err(|_| {
                tracing::error!(level = %row.level, "unknown classification level stored");
                AppError::Internal
            })?;
            Ok(DataClassView {
                slug: row.slug,
                name: row.name,
                level,
                prohibited_by_default: row.prohibited_by_default,
                description: row.description,
                examples: row.examples,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[sqlx::test(migrations = "../migrations")]
    async fn the_defaults_from_the_article_exist_from_the_start(pool: PgPool) {
        let classes = list(&pool).await.expect("listed");
        let slugs: Vec<&str> = classes.iter().map(|c| c.slug.as_str()).collect();
        for slug in [
            "customer-data",
            "credentials-secrets",
            "core-source-code",
            "personal-data",
            "financial-records",
            "health-data",
            "internal-documents",
        ] {
            assert!(slugs.contains(&slug), "{slug} missing from {slugs:?}");
        }
        let credentials = classes
            .iter()
            .find(|c| c.slug == "credentials-secrets")
            .expect("credentials");
        assert!(credentials.prohibited_by_default);
        assert_eq!(credentials.level, ClassificationLevel::Restricted);
        assert_eq!(
            classes[0].level,
            ClassificationLevel::Restricted,
            "most sensitive first"
        );
        assert_eq!(
            classes.last().map(|c| c.level),
            Some(ClassificationLevel::Public)
        );
    }
}
