//! Reporting an incident: anyone signed in, from the browser or with a token.

use serde_json::json;
use sqlx::PgPool;

use super::{record, Step, Stored};
use crate::backend::identity::users::Principal;
use crate::backend::notifications;
use crate::backend::platform::change::Change;
use crate::backend::platform::lookups::{ids_of, Named};
use crate::backend::platform::rate;
use crate::backend::webhooks::{self, Event};
use crate::domain::incidents::{IncidentForm, IncidentStatus};
use crate::domain::webhooks::WebhookEvent;
use crate::domain::{AuditAction, Role};
use crate::error::AppError;

/// Files `form` as a new incident reported by `reporter` and returns its number. The tools'
/// approving requests are linked to it, and every reviewer and admin is told at once.
#[tracing::instrument(skip_all)]
pub async fn report(
    pool: &PgPool,
    reporter: &Principal,
    change: &Change,
    form: &IncidentForm,
) -> Result<i64, AppError> {
    let incident = form.validate(change.now)?;
    let mut tx = pool.begin().await?;
    let tool_ids = ids_of(&mut tx, "tools", &incident.tools, Named::Tools).await?;
    let class_ids = ids_of(
        &mut tx,
        "data_classes",
        &incident.data_classes,
        Named::DataClasses,
    )
    .await?;
    let team_ids = ids_of(&mut tx, "teams", &incident.teams, Named::Teams).await?;
    rate::take(
        &mut tx,
        rate::INCIDENTS_REPORTED,
        reporter.user_id,
        change.now,
    )
    .await?;
    let row = sqlx::query!(
        "INSERT INTO incidents (reporter_id, kind, title, description, occurred_at, reported_at,
           updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $6)
         RETURNING incident_id, number",
        reporter.user_id,
        incident.kind.as_str(),
        incident.title,
        incident.description,
        incident.occurred_at,
        change.now
    )
    .fetch_one(&mut *tx)
    .await?;
    sqlx::query!(
        "INSERT INTO incident_tools (incident_id, tool_id) SELECT $1, unnest($2::uuid[])",
        row.incident_id,
        &tool_ids
    )
    .execute(&mut *tx)
    .await?;
    sqlx::query!(
        "INSERT INTO incident_data_classes (incident_id, data_class_id)
         SELECT $1, unnest($2::uuid[])",
        row.incident_id,
        &class_ids
    )
    .execute(&mut *tx)
    .await?;
    sqlx::query!(
        "INSERT INTO incident_teams (incident_id, team_id) SELECT $1, unnest($2::uuid[])",
        row.incident_id,
        &team_ids
    )
    .execute(&mut *tx)
    .await?;
    sqlx::query!(
        "INSERT INTO incident_requests (incident_id, request_id)
         SELECT DISTINCT $1::uuid, t.approval_request_id FROM tools t
         WHERE t.tool_id = ANY($2) AND t.approval_request_id IS NOT NULL",
        row.incident_id,
        &tool_ids
    )
    .execute(&mut *tx)
    .await?;
    super::playbooks::copy_steps(&mut tx, row.incident_id, incident.kind).await?;
    let stored = Stored {
        incident_id: row.incident_id,
        number: row.number,
        reporter_id: reporter.user_id,
        owner_id: None,
        status: IncidentStatus::Reported,
        title: incident.title.clone(),
    };
    let step = Step::note("reported", "");
    let after = json!({
        "kind": incident.kind,
        "title": incident.title,
        "description": incident.description,
        "occurred_at": incident.occurred_at,
        "tools": incident.tools,
        "data_classes": incident.data_classes,
        "teams": incident.teams,
    });
    record(
        &mut tx,
        change,
        &stored,
        step,
        AuditAction::IncidentReported,
        after,
    )
    .await?;
    let mut told = notifications::holders(&mut tx, Role::Reviewer).await?;
    told.extend(notifications::holders(&mut tx, Role::Admin).await?);
    let message = format!(
        "Incident #{} reported by {}: {} ({}).",
        row.number,
        reporter.display_name,
        incident.title,
        incident.kind.label().to_lowercase()
    );
    let link = format!("/incidents/{}", row.number);
    notifications::notify(
        &mut tx,
        crate::domain::notices::NoticeKind::Incidents,
        &told,
        reporter.user_id,
        &message,
        &link,
        change.now,
    )
    .await?;
    let event = Event {
        kind: WebhookEvent::IncidentOpened,
        summary: &message,
        link: &link,
        data: json!({
            "number": row.number,
            "kind": incident.kind,
            "title": incident.title,
            "by": reporter.display_name,
        }),
    };
    webhooks::emit(&mut tx, event, change.now).await?;
    tx.commit().await?;
    Ok(row.number)
}
