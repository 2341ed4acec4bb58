//! The incident register. Who sees an incident: its reporter, its owner, managers of a team
//! it names, reviewers and admins; anyone else gets `Hidden` (on the wire the same as a number
//! that does not exist). Every change is one transaction with its timeline event and its
//! audit event.

mod banners;
mod evidence;
mod exercises;
mod kill_switch;
mod overdue;
mod playbooks;
mod reading;
mod reinstatement;
mod reporting;
mod triage;

pub(crate) use banners::lift_stops;
pub use banners::{acknowledge, banners, note_first_no};
pub use evidence::response_evidence;
pub use exercises::{
    add_exercise_follow_up, complete_exercise_follow_up, exercise, exercises, record_outcome,
    schedule,
};
pub use kill_switch::{dry_run, stop_tool, Stopped};
pub use overdue::suspend_overdue;
pub(crate) use playbooks::copy_steps;
pub use playbooks::{playbook, playbooks, save_playbook, tick_step};
pub use reading::{detail, list, report_form};
pub(crate) use reinstatement::stop_in_force;
pub use reinstatement::{propose_reinstatement, stop_on};
pub use reporting::report;
pub use triage::{add_follow_up, comment, complete_follow_up, review, triage};

use sqlx::PgConnection;
use uuid::Uuid;

use crate::backend::audit::{self, NewEvent};
use crate::backend::identity::users::Principal;
use crate::backend::platform::change::Change;
use crate::domain::incidents::IncidentStatus;
use crate::domain::{AuditAction, Permission};
use crate::error::AppError;

/// An incident as stored, locked for a change.
struct Stored {
    incident_id: Uuid,
    number: i64,
    reporter_id: Uuid,
    owner_id: Option<Uuid>,
    status: IncidentStatus,
    title: String,
}

/// Incident `number` locked for a change by `principal`, who must be able to see it.
async fn lock(
    conn: &mut PgConnection,
    principal: &Principal,
    number: i64,
) -> Result<Stored, AppError> {
    let row = sqlx::query!(
        r#"SELECT i.incident_id, i.number, i.reporter_id, i.owner_id, i.title,
             i.status AS "status: IncidentStatus",
             EXISTS (SELECT 1 FROM incident_teams it
                     JOIN team_members m ON m.team_id = it.team_id
                     WHERE it.incident_id = i.incident_id AND m.user_id = $2
                       AND m.membership = 'manager') AS "manages_team!"
           FROM incidents i WHERE i.number = $1 FOR UPDATE OF i"#,
        number,
        principal.user_id
    )
    .fetch_optional(&mut *conn)
    .await?
    .ok_or(AppError::NotFound)?;
    if !sees(principal, row.reporter_id, row.owner_id, row.manages_team) {
        return Err(AppError::Hidden);
    }
    Ok(Stored {
        incident_id: row.incident_id,
        number: row.number,
        reporter_id: row.reporter_id,
        owner_id: row.owner_id,
        status: row.status,
        title: row.title,
    })
}

/// Whether `principal` may see an incident reported by `reporter`, owned by `owner`, naming a
/// team they manage or not (`manages_team`). The list's query says the same in SQL.
fn sees(principal: &Principal, reporter: Uuid, owner: Option<Uuid>, manages_team: bool) -> bool {
    principal.may(Permission::ManageIncidents)
        || reporter == principal.user_id
        || owner == Some(principal.user_id)
        || manages_team
}

/// A step on the incident's timeline.
struct Step<'a> {
    kind: &'a str,
    statuses: Option<(IncidentStatus, IncidentStatus)>,
    body: &'a str,
}

impl<'a> Step<'a> {
    /// A step that leaves the status as it is.
    fn note(kind: &'a str, body: &'a str) -> Self {
        Self {
            kind,
            statuses: None,
            body,
        }
    }
}

/// Records `step` on incident `stored`'s timeline and in the audit chain as `action` (with
/// `after` as its detail).
async fn record(
    conn: &mut PgConnection,
    change: &Change,
    stored: &Stored,
    step: Step<'_>,
    action: AuditAction,
    after: serde_json::Value,
) -> Result<(), AppError> {
    sqlx::query!(
        "INSERT INTO incident_events (incident_id, at, actor_id, kind, from_status, to_status,
           body)
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
        stored.incident_id,
        change.now,
        change.by,
        step.kind,
        step.statuses.map(|(from, _)| from.as_str()),
        step.statuses.map(|(_, to)| to.as_str()),
        step.body
    )
    .execute(&mut *conn)
    .await?;
    let event = NewEvent::new(change.actor.clone(), action)
        .target(format!("incident:{}", stored.number))
        .source(change.source)
        .after(after);
    audit::append(conn, event, change.now).await?;
    Ok(())
}

/// Refuses any change to an incident that is closed or dismissed.
fn still_open(stored: &Stored) -> Result<(), AppError> {
    match stored.status.refuse(stored.status) {
        Some(message) => Err(AppError::Conflict { message }),
        None => Ok(()),
    }
}
