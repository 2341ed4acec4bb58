//! Checklist item 10 ("Prepare an Incident Response Plan for AI"), evidenced by the portal
//! itself: the playbooks in force and when each was last reviewed, the day of the last exercise
//! held and the follow-ups still open. Older than the organization's interval — or a playbook
//! as shipped, never reviewed — the item is due again. Every team sees it, so it names no
//! exercise (those are for reviewers and admins).

use chrono::{DateTime, Utc};
use sqlx::PgConnection;

use crate::backend::platform::change::day;
use crate::domain::incidents::IncidentKind;
use crate::error::AppError;
use crate::model::{ExerciseEvidence, PlaybookEvidence, ResponseEvidence};

/// The evidence as of `now`.
pub async fn response_evidence(
    conn: &mut PgConnection,
    now: DateTime<Utc>,
) -> Result<ResponseEvidence, AppError> {
    let interval_months = sqlx::query_scalar!(
        "SELECT response_review_months FROM organization WHERE organization_id = 1"
    )
    .fetch_optional(&mut *conn)
    .await?
    .unwrap_or(12);
    let since = now - chrono::Months::new(u32::try_from(interval_months).unwrap_or(12));
    // A version shipped with the portal (no editor) was never reviewed by the organization.
    let playbooks: Vec<PlaybookEvidence> = sqlx::query!(
        r#"SELECT DISTINCT ON (kind) kind AS "kind: IncidentKind", version, edited_at,
             edited_by IS NOT NULL AS "reviewed!"
           FROM playbook_versions ORDER BY kind, version DESC"#
    )
    .fetch_all(&mut *conn)
    .await?
    .into_iter()
    .map(|row| PlaybookEvidence {
        kind: row.kind,
        version: row.version,
        reviewed_at: row.reviewed.then_some(row.edited_at),
    })
    .collect();
    let last_exercise = sqlx::query_scalar!(
        "SELECT held_on FROM exercises WHERE recorded_at IS NOT NULL
         ORDER BY held_on DESC LIMIT 1"
    )
    .fetch_optional(&mut *conn)
    .await?
    .map(|held_on| {
        Ok::<_, AppError>(ExerciseEvidence {
            held_on: day(held_on)?,
        })
    })
    .transpose()?;
    let open_follow_ups = sqlx::query_scalar!(
        r#"SELECT (SELECT count(*) FROM exercise_actions WHERE done_at IS NULL)
             + (SELECT count(*) FROM incident_actions WHERE done_at IS NULL) AS "open!""#
    )
    .fetch_one(&mut *conn)
    .await?;
    let stale_playbook = playbooks.is_empty()
        || playbooks
            .iter()
            .any(|p| p.reviewed_at.is_none_or(|at| at < since));
    let stale_exercise = last_exercise
        .as_ref()
        .is_none_or(|e| e.held_on < day(since.date_naive()).unwrap_or(e.held_on));
    Ok(ResponseEvidence {
        playbooks,
        last_exercise,
        open_follow_ups,
        interval_months,
        due: stale_playbook || stale_exercise,
    })
}
