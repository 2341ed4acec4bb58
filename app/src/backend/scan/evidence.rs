//! Checklist item 3 ("Define data types prohibited from AI input"): the classes the portal
//! holds and how many detectors in force find each, gathered rather than typed in.

use sqlx::PgConnection;

use crate::error::AppError;
use crate::model::{ClassDetectorCount, ProhibitedDataEvidence};

pub async fn prohibited_data_evidence(
    conn: &mut PgConnection,
) -> Result<ProhibitedDataEvidence, AppError> {
    let classes = sqlx::query_as!(
        ClassDetectorCount,
        r#"SELECT d.slug, d.name, d.prohibited_by_default,
             (SELECT count(*) FROM scan_detectors s
              WHERE s.data_class_id = d.data_class_id AND s.retired_at IS NULL) AS "detectors!"
           FROM data_classes d
           ORDER BY d.prohibited_by_default DESC,
                    array_position(ARRAY['restricted', 'confidential', 'internal', 'public'], d.level),
                    lower(d.name)"#
    )
    .fetch_all(conn)
    .await?;
    Ok(ProhibitedDataEvidence { classes })
}
