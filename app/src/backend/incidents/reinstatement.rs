//! Reinstating a tool the kill switch stopped. A reviewer proposes it with a justification
//! and the facts that changed (a new pinned version and checksum, for instance); it is filed as
//! a registry change request, which the stop in force makes need two approvals by reviewers
//! other than the proposer, each with a fresh code and a signed receipt. The final approval
//! writes the tool back and lifts the stop (`lift_stops`).

use sqlx::{PgConnection, PgPool};
use uuid::Uuid;

use crate::backend::identity::users::Principal;
use crate::backend::org::settings::max_review_months;
use crate::backend::platform::change::Change;
use crate::backend::platform::rate;
use crate::backend::registry::editing::{as_valid, lock_tool};
use crate::backend::registry::tools::detail_in;
use crate::backend::requests::changes::{self, NewProposal};
use crate::domain::incidents::ReinstateForm;
use crate::domain::registry::widening::{widenings, Allowance};
use crate::domain::{Permission, ToolForm, ToolStatus};
use crate::error::AppError;
use crate::model::ToolStop;

/// A kill switch's stop that is still in force.
pub(crate) struct StopInForce {
    pub stop_id: Uuid,
    pub status_before: ToolStatus,
    pub incident_id: Option<Uuid>,
    pub incident_number: Option<i64>,
}

/// The stop in force on tool `slug`, if there is one, locked.
pub(crate) async fn stop_in_force(
    conn: &mut PgConnection,
    slug: &str,
) -> Result<Option<StopInForce>, AppError> {
    let row = sqlx::query!(
        r#"SELECT s.stop_id, s.status_before AS "status_before: ToolStatus", s.incident_id,
             i.number AS "incident_number?"
           FROM tool_stops s JOIN tools t ON t.tool_id = s.tool_id
           LEFT JOIN incidents i ON i.incident_id = s.incident_id
           WHERE t.slug = $1 AND s.lifted_at IS NULL
           FOR UPDATE OF s"#,
        slug
    )
    .fetch_optional(&mut *conn)
    .await?;
    Ok(row.map(|row| StopInForce {
        stop_id: row.stop_id,
        status_before: row.status_before,
        incident_id: row.incident_id,
        incident_number: row.incident_number,
    }))
}

/// The stop in force on tool `slug`, as its page shows it to everyone who may read it.
pub async fn stop_on(pool: &PgPool, slug: &str) -> Result<Option<ToolStop>, AppError> {
    let row = sqlx::query!(
        r#"SELECT s.stop_id, s.reason, s.stopped_at, u.display_name AS "stopped_by?",
             i.number AS "incident?",
             (SELECT r.number FROM tool_requests r WHERE r.reinstates = s.stop_id
                AND r.state IN ('submitted', 'in_review', 'changes_requested')) AS reinstatement
           FROM tool_stops s JOIN tools t ON t.tool_id = s.tool_id
           LEFT JOIN users u ON u.user_id = s.stopped_by
           LEFT JOIN incidents i ON i.incident_id = s.incident_id
           WHERE t.slug = $1 AND s.lifted_at IS NULL"#,
        slug
    )
    .fetch_optional(pool)
    .await?;
    Ok(row.map(|row| ToolStop {
        receipt_id: row.stop_id.to_string(),
        reason: row.reason,
        stopped_at: row.stopped_at,
        stopped_by: row.stopped_by,
        incident: row.incident,
        reinstatement: row.reinstatement,
    }))
}

/// Files the reinstatement of tool `slug` by `principal`; returns the request's number.
#[tracing::instrument(skip_all)]
pub async fn propose_reinstatement(
    pool: &PgPool,
    principal: &Principal,
    change: &Change,
    slug: &str,
    form: &ReinstateForm,
) -> Result<i64, AppError> {
    if !principal.may(Permission::ManageRegistry) {
        return Err(AppError::Forbidden);
    }
    let valid = form.validate()?;
    let mut tx = pool.begin().await?;
    lock_tool(&mut tx, slug).await?;
    let stop = stop_in_force(&mut tx, slug)
        .await?
        .ok_or_else(|| AppError::Conflict {
            message: "this tool is not stopped (by the kill switch or for an overdue review): \
                      nothing to reinstate"
                .into(),
        })?;
    let pending = sqlx::query_scalar!(
        "SELECT number FROM tool_requests WHERE reinstates = $1
           AND state IN ('submitted', 'in_review', 'changes_requested')",
        stop.stop_id
    )
    .fetch_optional(&mut *tx)
    .await?;
    if let Some(number) = pending {
        return Err(AppError::Conflict {
            message: format!("request #{number} already proposes reinstating this tool"),
        });
    }
    let before = as_valid(&detail_in(&mut tx, slug).await?)?;
    let mut proposed = ToolForm::of(&before);
    proposed.status = stop.status_before.as_str().to_owned();
    proposed.status_reason = String::new();
    // The approvers set the next review: the one from before the stop may be long past.
    proposed.next_review = String::new();
    if let Some(version) = &valid.pinned_version {
        proposed.pinned_version = version.clone();
    }
    if let Some(checksum) = &valid.checksum {
        proposed.checksum = checksum.as_str().to_owned();
    }
    // The stored entry with these changes is valid unless a new field breaks a rule: the
    // error names the field, as on the form.
    let tool = proposed.validate()?;
    let max_months = max_review_months(&mut tx).await?;
    let widened = widenings(
        Some(&Allowance::of(&before)),
        &Allowance::of(&tool),
        change.today,
        max_months,
    );
    rate::take(&mut tx, rate::REQUESTS_FILED, principal.user_id, change.now).await?;
    let proposal = NewProposal {
        before: Some(&before),
        form: &proposed,
        tool: &tool,
        widened: &widened,
        reinstates: Some((
            stop.stop_id,
            valid.use_case(&before.name, stop.incident_number),
        )),
    };
    let number = changes::propose(&mut tx, principal, &proposal, change.now).await?;
    if let Some(incident_id) = stop.incident_id {
        sqlx::query!(
            "INSERT INTO incident_events (incident_id, at, actor_id, kind, body)
             VALUES ($1, $2, $3, 'reinstatement_proposed', $4)",
            incident_id,
            change.now,
            principal.user_id,
            format!(
                "Reinstatement of {} proposed as request #{number}: {}",
                before.name, valid.justification
            )
        )
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await?;
    Ok(number)
}
