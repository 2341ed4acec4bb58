//! Playbooks, one per incident kind, every edit a new version; and an incident's checklist,
//! copied from its kind's playbook in force when it is reported and ticked step by step.

use serde_json::json;
use sqlx::types::Json;
use sqlx::{PgConnection, PgPool};
use uuid::Uuid;

use super::triage::{touch, triager};
use super::{lock, record, still_open, Step};
use crate::backend::audit::{self, NewEvent};
use crate::backend::identity::users::Principal;
use crate::backend::platform::change::Change;
use crate::domain::incidents::{Channel, IncidentKind, PlaybookForm, PlaybookStep};
use crate::domain::{AuditAction, Permission};
use crate::error::{AppError, OrInternal};
use crate::model::{IncidentStep, PlaybookPage, PlaybookSummary, PlaybookVersion};

/// Every incident kind with its playbook in force.
pub async fn playbooks(pool: &PgPool) -> Result<Vec<PlaybookSummary>, AppError> {
    let rows = sqlx::query!(
        r#"SELECT DISTINCT ON (p.kind) p.kind AS "kind: IncidentKind", p.version,
             jsonb_array_length(p.steps) AS "steps!", jsonb_array_length(p.channels) AS "channels!",
             p.edited_at, u.display_name AS "edited_by?"
           FROM playbook_versions p LEFT JOIN users u ON u.user_id = p.edited_by
           ORDER BY p.kind, p.version DESC"#
    )
    .fetch_all(pool)
    .await?;
    Ok(IncidentKind::ALL
        .iter()
        .map(|&kind| match rows.iter().find(|row| row.kind == kind) {
            Some(row) => PlaybookSummary {
                kind,
                version: Some(row.version),
                steps: i64::from(row.steps),
                channels: i64::from(row.channels),
                edited_at: Some(row.edited_at),
                edited_by: row.edited_by.clone(),
            },
            None => PlaybookSummary {
                kind,
                version: None,
                steps: 0,
                channels: 0,
                edited_at: None,
                edited_by: None,
            },
        })
        .collect())
}

/// The playbook for `kind`, every version newest first.
pub async fn playbook(
    pool: &PgPool,
    principal: &Principal,
    kind: IncidentKind,
) -> Result<PlaybookPage, AppError> {
    let versions = sqlx::query!(
        r#"SELECT p.version, p.steps AS "steps: Json<Vec<PlaybookStep>>",
             p.channels AS "channels: Json<Vec<Channel>>", p.note, p.edited_at,
             u.display_name AS "edited_by?"
           FROM playbook_versions p LEFT JOIN users u ON u.user_id = p.edited_by
           WHERE p.kind = $1 ORDER BY p.version DESC"#,
        kind.as_str()
    )
    .fetch_all(pool)
    .await?
    .into_iter()
    .map(|row| PlaybookVersion {
        version: row.version,
        steps: row.steps.0,
        channels: row.channels.0,
        note: row.note,
        edited_at: row.edited_at,
        edited_by: row.edited_by,
    })
    .collect();
    Ok(PlaybookPage {
        kind,
        versions,
        may_edit: principal.may(Permission::ManageSettings),
    })
}

/// An admin saves the playbook for `form.kind` as its next version — a review when only the
/// note is new; returns the version in force (the same one when nothing changed and no note
/// says it was reviewed).
pub async fn save_playbook(
    pool: &PgPool,
    principal: &Principal,
    change: &Change,
    form: &PlaybookForm,
) -> Result<i32, AppError> {
    if !principal.may(Permission::ManageSettings) {
        return Err(AppError::Forbidden);
    }
    let playbook = form.validate()?;
    let mut tx = pool.begin().await?;
    // One editor at a time per kind: the next version number is read under this lock.
    sqlx::query!(
        "SELECT pg_advisory_xact_lock(hashtext('playbook:' || $1))",
        playbook.kind.as_str()
    )
    .execute(&mut *tx)
    .await?;
    let current = sqlx::query!(
        r#"SELECT version, steps AS "steps: Json<Vec<PlaybookStep>>",
             channels AS "channels: Json<Vec<Channel>>"
           FROM playbook_versions WHERE kind = $1 ORDER BY version DESC LIMIT 1"#,
        playbook.kind.as_str()
    )
    .fetch_optional(&mut *tx)
    .await?;
    if let Some(current) = &current {
        // Saved as it is with a note ("reviewed, no change"), it is a review: a version too.
        let unchanged =
            current.steps.0 == playbook.steps && current.channels.0 == playbook.channels;
        if unchanged && playbook.note.is_empty() {
            return Ok(current.version);
        }
    }
    let version = current.map_or(1, |c| c.version + 1);
    let steps = serde_json::to_value(&playbook.steps).or_internal("writing playbook steps")?;
    let channels =
        serde_json::to_value(&playbook.channels).or_internal("writing playbook channels")?;
    sqlx::query!(
        "INSERT INTO playbook_versions (kind, version, steps, channels, note, edited_by,
           edited_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
        playbook.kind.as_str(),
        version,
        steps,
        channels,
        playbook.note,
        principal.user_id,
        change.now
    )
    .execute(&mut *tx)
    .await?;
    let event = NewEvent::new(change.actor.clone(), AuditAction::PlaybookSaved)
        .target(format!("playbook:{}", playbook.kind.as_str()))
        .source(change.source)
        .after(json!({
            "version": version,
            "steps": steps,
            "channels": channels,
            "note": playbook.note,
        }));
    audit::append(&mut tx, event, change.now).await?;
    tx.commit().await?;
    Ok(version)
}

/// Copies the playbook in force for `kind` into incident `incident_id`'s checklist.
pub(crate) async fn copy_steps(
    conn: &mut PgConnection,
    incident_id: Uuid,
    kind: IncidentKind,
) -> Result<(), AppError> {
    sqlx::query!(
        "WITH in_force AS (
           SELECT version, steps FROM playbook_versions WHERE kind = $2
           ORDER BY version DESC LIMIT 1),
         copied AS (
           INSERT INTO incident_steps (incident_id, position, what, who)
           SELECT $1, step.position::int, COALESCE(step.value->>'what', ''),
             COALESCE(step.value->>'who', '')
           FROM in_force, jsonb_array_elements(in_force.steps) WITH ORDINALITY
             AS step(value, position))
         UPDATE incidents SET playbook_version = (SELECT version FROM in_force)
         WHERE incident_id = $1",
        incident_id,
        kind.as_str()
    )
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Incident `incident_id`'s checklist, and the channels of the playbook version it came from.
pub(super) async fn checklist(
    pool: &PgPool,
    incident_id: Uuid,
) -> Result<(Vec<IncidentStep>, Vec<Channel>), AppError> {
    let steps = sqlx::query!(
        r#"SELECT s.position, s.what, s.who, s.done_at, u.display_name AS "done_by?"
           FROM incident_steps s LEFT JOIN users u ON u.user_id = s.done_by
           WHERE s.incident_id = $1 ORDER BY s.position"#,
        incident_id
    )
    .fetch_all(pool)
    .await?
    .into_iter()
    .map(|row| IncidentStep {
        position: row.position,
        what: row.what,
        who: row.who,
        done_at: row.done_at,
        done_by: row.done_by,
    })
    .collect();
    let channels = sqlx::query_scalar!(
        r#"SELECT p.channels AS "channels: Json<Vec<Channel>>"
           FROM incidents i JOIN playbook_versions p
             ON p.kind = i.kind AND p.version = i.playbook_version
           WHERE i.incident_id = $1"#,
        incident_id
    )
    .fetch_optional(pool)
    .await?
    .map(|c| c.0)
    .unwrap_or_default();
    Ok((steps, channels))
}

/// A triager ticks step `position` of incident `number`'s checklist as done (`done`) or not.
pub async fn tick_step(
    pool: &PgPool,
    principal: &Principal,
    change: &Change,
    number: i64,
    position: i32,
    done: bool,
) -> Result<(), AppError> {
    let mut tx = pool.begin().await?;
    let stored = lock(&mut tx, principal, number).await?;
    triager(principal)?;
    still_open(&stored)?;
    let step = sqlx::query!(
        "SELECT what, done_at FROM incident_steps
         WHERE incident_id = $1 AND position = $2 FOR UPDATE",
        stored.incident_id,
        position
    )
    .fetch_optional(&mut *tx)
    .await?
    .ok_or_else(|| AppError::invalid("step", "this incident's checklist has no such step"))?;
    if step.done_at.is_some() == done {
        // Ticked (or unticked) already, in another tab: nothing more to record.
        return Ok(());
    }
    sqlx::query!(
        "UPDATE incident_steps SET done_at = $3, done_by = $4
         WHERE incident_id = $1 AND position = $2",
        stored.incident_id,
        position,
        done.then_some(change.now),
        done.then_some(principal.user_id)
    )
    .execute(&mut *tx)
    .await?;
    let (kind, body) = if done {
        ("step_done", format!("Done: {}", step.what))
    } else {
        (
            "step_reopened",
            format!("Not done after all: {}", step.what),
        )
    };
    record(
        &mut tx,
        change,
        &stored,
        Step::note(kind, &body),
        AuditAction::IncidentStepTicked,
        json!({ "step": position, "what": step.what, "done": done }),
    )
    .await?;
    touch(&mut tx, &stored, change).await?;
    tx.commit().await?;
    Ok(())
}
