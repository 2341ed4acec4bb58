//! A request's risk, assessed from what is stored when it is submitted.

use crate::domain::requests::input::ready_to_submit;
use crate::domain::requests::risk::{self, RiskAssessment, RiskInput, TouchedClass};
use crate::domain::requests::state::RequestKind;
use crate::domain::{ClassificationLevel, Distribution};
use crate::error::{AppError, OrInternal};
use chrono::{DateTime, Utc};
use sqlx::PgConnection;
use uuid::Uuid;

/// The risk of the request as stored, for submission (`ready`: it must also be complete enough
/// to submit).
async fn assess(
    conn: &mut PgConnection,
    request_id: Uuid,
    ready: bool,
) -> Result<RiskAssessment, AppError> {
    let row = sqlx::query!(
        r#"SELECT vendor, use_case, justification, users_count, access_file_system,
             access_terminal, access_git, access_internet, access_production,
             distribution AS "distribution: Distribution", pinned_version, checksum,
             vendor_trains_on_data, kind AS "kind: RequestKind",
             EXISTS (SELECT 1 FROM tool_stops s WHERE s.tool_id = r.tool_id
                     AND s.lifted_at IS NULL AND s.review_due_on IS NULL) AS "stopped!"
           FROM tool_requests r WHERE request_id = $1"#,
        request_id
    )
    .fetch_one(&mut *conn)
    .await?;
    let classes = sqlx::query!(
        r#"SELECT d.name, d.level AS "level: ClassificationLevel", d.prohibited_by_default
           FROM tool_request_data_classes r
           JOIN data_classes d ON d.data_class_id = r.data_class_id
           WHERE r.request_id = $1 ORDER BY lower(d.name)"#,
        request_id
    )
    .fetch_all(&mut *conn)
    .await?;
    // A registry change states its case in its proposal, not in the request form's fields.
    if ready && row.kind == RequestKind::Tool {
        ready_to_submit(
            &row.vendor,
            &row.use_case,
            &row.justification,
            classes.len(),
        )?;
    }
    let data_classes = classes
        .into_iter()
        .map(|c| TouchedClass {
            name: c.name,
            level: c.level,
            prohibited_by_default: c.prohibited_by_default,
        })
        .collect();
    Ok(risk::assess(&RiskInput {
        data_classes,
        access: risk::AccessNeeds {
            file_system: row.access_file_system,
            terminal: row.access_terminal,
            git: row.access_git,
            internet: row.access_internet,
            production: row.access_production,
        },
        distribution: row.distribution,
        pinned_version: !row.pinned_version.is_empty(),
        checksum: !row.checksum.is_empty(),
        vendor_trains_on_data: row.vendor_trains_on_data,
        users: u32::try_from(row.users_count).unwrap_or(1),
        stopped: row.stopped,
    }))
}

/// Assesses the request's risk and stores it with the number of approvals it needs.
pub(super) async fn store_risk(
    conn: &mut PgConnection,
    request_id: Uuid,
    ready: bool,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    let assessment = assess(conn, request_id, ready).await?;
    let risk = serde_json::to_value(&assessment).or_internal("storing a risk assessment")?;
    let required = i16::try_from(assessment.required_approvals).unwrap_or(2);
    sqlx::query!(
        "UPDATE tool_requests SET risk = $2, required_approvals = $3,
           submitted_at = COALESCE(submitted_at, $4)
         WHERE request_id = $1",
        request_id,
        risk,
        required,
        now
    )
    .execute(&mut *conn)
    .await?;
    Ok(())
}
