//! Working an incident: triage (severity, owner, status), comments, the post-incident review
//! and its follow-up actions.

use serde_json::json;
use sqlx::{PgConnection, PgPool};
use uuid::Uuid;

use super::{lock, record, still_open, Step, Stored};
use crate::backend::identity::users::Principal;
use crate::backend::notifications;
use crate::backend::platform::change::{date, Change};
use crate::backend::platform::rate;
use crate::domain::form::text;
use crate::domain::incidents::{FollowUpForm, IncidentStatus, ReviewForm, Severity, TriageForm};
use crate::domain::{AuditAction, Permission};
use crate::error::AppError;

/// Refuses anyone who may not triage incidents; they may still see this one (as its reporter,
/// say), so the refusal is `Forbidden`, not hidden.
pub(super) fn triager(principal: &Principal) -> Result<(), AppError> {
    if principal.may(Permission::ManageIncidents) {
        Ok(())
    } else {
        Err(AppError::Forbidden)
    }
}

/// The display name of `user_id` if they are active and hold a role that may own incidents;
/// otherwise a field error on `field`.
pub(super) async fn owner_name(
    conn: &mut PgConnection,
    field: &str,
    user_id: Uuid,
) -> Result<String, AppError> {
    sqlx::query_scalar!(
        "SELECT u.display_name FROM users u
         WHERE u.user_id = $1 AND u.disabled_at IS NULL
           AND EXISTS (SELECT 1 FROM user_roles r WHERE r.user_id = u.user_id
                       AND r.role IN ('reviewer', 'admin'))",
        user_id
    )
    .fetch_optional(&mut *conn)
    .await?
    .ok_or_else(|| AppError::invalid(field, "must be an active reviewer or admin"))
}

/// Tells the incident's reporter and owner (not `except`) `message`.
async fn tell_parties(
    conn: &mut PgConnection,
    stored: &Stored,
    except: Uuid,
    message: &str,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<(), AppError> {
    let told: Vec<Uuid> = std::iter::once(stored.reporter_id)
        .chain(stored.owner_id)
        .collect();
    notifications::notify(
        conn,
        crate::domain::notices::NoticeKind::Incidents,
        &told,
        except,
        message,
        &format!("/incidents/{}", stored.number),
        now,
    )
    .await
}

/// A triager sets severity, owner and status of incident `number` at once, with a note for
/// the timeline. Closing needs the post-incident review first.
pub async fn triage(
    pool: &PgPool,
    principal: &Principal,
    change: &Change,
    number: i64,
    form: &TriageForm,
) -> Result<IncidentStatus, AppError> {
    let mut tx = pool.begin().await?;
    let stored = lock(&mut tx, principal, number).await?;
    triager(principal)?;
    still_open(&stored)?;
    let before = sqlx::query!(
        r#"SELECT severity AS "severity?: Severity", review_summary, root_cause
           FROM incidents WHERE incident_id = $1"#,
        stored.incident_id
    )
    .fetch_one(&mut *tx)
    .await?;
    let triage = form.validate(stored.status, before.severity, stored.owner_id)?;
    if triage.status == IncidentStatus::Closed
        && (before.review_summary.is_empty() || before.root_cause.is_empty())
    {
        return Err(AppError::invalid(
            "status",
            "write the post-incident review (what happened, root cause) before closing",
        ));
    }
    let (severity, owner) = (triage.severity, triage.owner);
    let mut changes = vec![];
    if severity != before.severity {
        if let Some(severity) = severity {
            changes.push(format!("severity {}", severity.label().to_lowercase()));
        }
    }
    let new_owner = match owner {
        Some(owner) if Some(owner) != stored.owner_id => {
            let name = owner_name(&mut tx, "owner", owner).await?;
            changes.push(format!("owner {name}"));
            Some(owner)
        }
        _ => None,
    };
    let moved = triage.status != stored.status;
    if !moved && changes.is_empty() && triage.note.is_empty() {
        // Saved without a change: nothing to record.
        return Ok(stored.status);
    }
    let dismissed_reason = if triage.status == IncidentStatus::Dismissed {
        triage.note.clone()
    } else {
        String::new()
    };
    sqlx::query!(
        "UPDATE incidents SET severity = $2, owner_id = $3, status = $4, updated_at = $5,
           dismissed_reason = CASE WHEN $4 = 'dismissed' THEN $6 ELSE dismissed_reason END
         WHERE incident_id = $1",
        stored.incident_id,
        severity.map(|s| s.as_str()),
        owner,
        triage.status.as_str(),
        change.now,
        dismissed_reason
    )
    .execute(&mut *tx)
    .await?;
    let mut body = changes.join(" · ");
    if !triage.note.is_empty() {
        body = if body.is_empty() {
            triage.note.clone()
        } else {
            format!("{body}\n\n{}", triage.note)
        };
    }
    let step = Step {
        kind: if moved { "status_changed" } else { "triaged" },
        statuses: moved.then_some((stored.status, triage.status)),
        body: &body,
    };
    let after = json!({
        "severity": severity,
        "owner": owner.map(|o| o.to_string()),
        "status": triage.status,
        "note": triage.note,
    });
    let before_audit = json!({
        "severity": before.severity,
        "owner": stored.owner_id.map(|o| o.to_string()),
        "status": stored.status,
    });
    record(
        &mut tx,
        change,
        &stored,
        step,
        AuditAction::IncidentUpdated,
        json!({ "before": before_audit, "after": after }),
    )
    .await?;
    let what = if moved {
        format!("is now {}", triage.status.label().to_lowercase())
    } else {
        format!("was updated ({body})")
    };
    let message = format!("Incident #{} {what}: {}.", stored.number, stored.title);
    tell_parties(&mut tx, &stored, principal.user_id, &message, change.now).await?;
    if let Some(owner) = new_owner {
        notifications::notify(
            &mut tx,
            crate::domain::notices::NoticeKind::Incidents,
            &[owner],
            principal.user_id,
            &format!("You own incident #{} now: {}.", stored.number, stored.title),
            &format!("/incidents/{}", stored.number),
            change.now,
        )
        .await?;
    }
    tx.commit().await?;
    Ok(triage.status)
}

/// Anyone who may see incident `number` comments on it while it is open.
pub async fn comment(
    pool: &PgPool,
    principal: &Principal,
    change: &Change,
    number: i64,
    body: &str,
) -> Result<(), AppError> {
    let body = text("body", body, 4000, true)?;
    if body.is_empty() {
        return Err(AppError::invalid("body", "write a comment"));
    }
    let mut tx = pool.begin().await?;
    let stored = lock(&mut tx, principal, number).await?;
    still_open(&stored)?;
    rate::take(
        &mut tx,
        rate::INCIDENT_COMMENTS,
        principal.user_id,
        change.now,
    )
    .await?;
    let step = Step::note("commented", &body);
    record(
        &mut tx,
        change,
        &stored,
        step,
        AuditAction::IncidentCommented,
        json!({ "comment": body }),
    )
    .await?;
    touch(&mut tx, &stored, change).await?;
    let message = format!(
        "{} commented on incident #{}: {}.",
        principal.display_name, stored.number, stored.title
    );
    tell_parties(&mut tx, &stored, principal.user_id, &message, change.now).await?;
    tx.commit().await?;
    Ok(())
}

pub(super) async fn touch(
    conn: &mut PgConnection,
    stored: &Stored,
    change: &Change,
) -> Result<(), AppError> {
    sqlx::query!(
        "UPDATE incidents SET updated_at = $2 WHERE incident_id = $1",
        stored.incident_id,
        change.now
    )
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// A triager writes (or rewrites) the post-incident review of incident `number`.
pub async fn review(
    pool: &PgPool,
    principal: &Principal,
    change: &Change,
    number: i64,
    form: &ReviewForm,
) -> Result<(), AppError> {
    let (summary, root_cause) = form.validate()?;
    let mut tx = pool.begin().await?;
    let stored = lock(&mut tx, principal, number).await?;
    triager(principal)?;
    still_open(&stored)?;
    sqlx::query!(
        "UPDATE incidents SET review_summary = $2, root_cause = $3, updated_at = $4
         WHERE incident_id = $1",
        stored.incident_id,
        summary,
        root_cause,
        change.now
    )
    .execute(&mut *tx)
    .await?;
    // The timeline holds at most 8000 characters; the review itself is kept whole.
    let body: String = format!("What happened: {summary}\n\nRoot cause: {root_cause}")
        .chars()
        .take(8000)
        .collect();
    let step = Step::note("reviewed", &body);
    record(
        &mut tx,
        change,
        &stored,
        step,
        AuditAction::IncidentReviewed,
        json!({ "summary": summary, "root_cause": root_cause }),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// A triager adds a follow-up action to incident `number`; its owner is told.
pub async fn add_follow_up(
    pool: &PgPool,
    principal: &Principal,
    change: &Change,
    number: i64,
    form: &FollowUpForm,
) -> Result<(), AppError> {
    let (what, owner, due) = form.validate(change.today)?;
    let mut tx = pool.begin().await?;
    let stored = lock(&mut tx, principal, number).await?;
    triager(principal)?;
    still_open(&stored)?;
    let owner_name = owner_name(&mut tx, "owner", owner).await?;
    sqlx::query!(
        "INSERT INTO incident_actions (incident_id, what, owner_id, due_on, created_at)
         VALUES ($1, $2, $3, $4, $5)",
        stored.incident_id,
        what,
        owner,
        date(due)?,
        change.now
    )
    .execute(&mut *tx)
    .await?;
    let body = format!("{what} — {owner_name}, due {due}");
    let step = Step::note("action_added", &body);
    record(
        &mut tx,
        change,
        &stored,
        step,
        AuditAction::IncidentFollowUpAdded,
        json!({ "what": what, "owner": owner.to_string(), "due": due }),
    )
    .await?;
    touch(&mut tx, &stored, change).await?;
    notifications::notify(
        &mut tx,
        crate::domain::notices::NoticeKind::Incidents,
        &[owner],
        principal.user_id,
        &format!(
            "Follow-up of incident #{} for you, due {due}: {what}.",
            stored.number
        ),
        &format!("/incidents/{}", stored.number),
        change.now,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// A follow-up action marked done, by a triager or the action's owner — also after the
/// incident is closed, since follow-ups outlive it.
pub async fn complete_follow_up(
    pool: &PgPool,
    principal: &Principal,
    change: &Change,
    number: i64,
    action: Uuid,
) -> Result<(), AppError> {
    let mut tx = pool.begin().await?;
    let stored = lock(&mut tx, principal, number).await?;
    let row = sqlx::query!(
        "SELECT what, owner_id, done_at FROM incident_actions
         WHERE action_id = $1 AND incident_id = $2 FOR UPDATE",
        action,
        stored.incident_id
    )
    .fetch_optional(&mut *tx)
    .await?
    .ok_or(AppError::NotFound)?;
    if row.owner_id != principal.user_id {
        triager(principal)?;
    }
    if row.done_at.is_some() {
        return Err(AppError::Conflict {
            message: "this follow-up is done already".into(),
        });
    }
    sqlx::query!(
        "UPDATE incident_actions SET done_at = $2 WHERE action_id = $1",
        action,
        change.now
    )
    .execute(&mut *tx)
    .await?;
    let step = Step::note("action_done", &row.what);
    record(
        &mut tx,
        change,
        &stored,
        step,
        AuditAction::IncidentFollowUpDone,
        json!({ "what": row.what }),
    )
    .await?;
    touch(&mut tx, &stored, change).await?;
    tx.commit().await?;
    Ok(())
}
