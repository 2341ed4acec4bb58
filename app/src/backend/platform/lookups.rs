//! Lookups many features share.

use crate::error::AppError;
use sqlx::PgConnection;
use uuid::Uuid;

/// Looks up the ids of `slugs` in `table`'s slug column; an unknown one names `field`.
pub(crate) async fn ids_of(
    conn: &mut PgConnection,
    field: &str,
    slugs: &[String],
    teams: bool,
) -> Result<Vec<Uuid>, AppError> {
    let found = if teams {
        sqlx::query!(
            r#"SELECT slug, team_id AS "id!" FROM teams WHERE slug = ANY($1)"#,
            slugs
        )
        .fetch_all(&mut *conn)
        .await?
        .into_iter()
        .map(|row| (row.slug, row.id))
        .collect::<Vec<_>>()
    } else {
        sqlx::query!(
            r#"SELECT slug, data_class_id AS "id!" FROM data_classes WHERE slug = ANY($1)"#,
            slugs
        )
        .fetch_all(&mut *conn)
        .await?
        .into_iter()
        .map(|row| (row.slug, row.id))
        .collect::<Vec<_>>()
    };
    slugs
        .iter()
        .map(|slug| {
            found
                .iter()
                .find(|(known, _)| known == slug)
                .map(|(_, id)| *id)
                .ok_or_else(|| AppError::invalid(field, format!("{slug:?} does not exist")))
        })
        .collect()
}
