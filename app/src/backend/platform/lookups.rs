//! Lookups many features share.

use crate::error::AppError;
use sqlx::PgConnection;
use uuid::Uuid;

/// What a slug names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Named {
    Teams,
    DataClasses,
    Tools,
}

/// Looks up the ids of `slugs` among `what`; an unknown one names `field`.
pub(crate) async fn ids_of(
    conn: &mut PgConnection,
    field: &str,
    slugs: &[String],
    what: Named,
) -> Result<Vec<Uuid>, AppError> {
    let found = match what {
        Named::Teams => sqlx::query!(
            r#"SELECT slug, team_id AS "id!" FROM teams WHERE slug = ANY($1)"#,
            slugs
        )
        .fetch_all(&mut *conn)
        .await?
        .into_iter()
        .map(|row| (row.slug, row.id))
        .collect::<Vec<_>>(),
        Named::DataClasses => sqlx::query!(
            r#"SELECT slug, data_class_id AS "id!" FROM data_classes WHERE slug = ANY($1)"#,
            slugs
        )
        .fetch_all(&mut *conn)
        .await?
        .into_iter()
        .map(|row| (row.slug, row.id))
        .collect::<Vec<_>>(),
        Named::Tools => sqlx::query!(
            r#"SELECT slug, tool_id AS "id!" FROM tools WHERE slug = ANY($1)"#,
            slugs
        )
        .fetch_all(&mut *conn)
        .await?
        .into_iter()
        .map(|row| (row.slug, row.id))
        .collect::<Vec<_>>(),
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
