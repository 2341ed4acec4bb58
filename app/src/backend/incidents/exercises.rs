//! Tabletop exercises: admins schedule them (a scenario from a playbook), record what went well
//! and the gaps found once held, and give follow-ups owners and due days. Reviewers read them.
//! A dry kill switch on the exercise's page shows what a real stop would do, changing nothing.

use serde_json::json;
use sqlx::{PgConnection, PgPool};
use uuid::Uuid;

use super::reading::FollowUpRow;
use super::triage::owner_name;
use crate::backend::audit::{self, NewEvent};
use crate::backend::identity::users::Principal;
use crate::backend::notifications;
use crate::backend::platform::change::{date, day, Change};
use crate::domain::incidents::{ExerciseForm, FollowUpForm, IncidentKind, OutcomeForm};
use crate::domain::registry::policy::TeamRef;
use crate::domain::{AuditAction, Permission};
use crate::error::AppError;
use crate::model::{ExerciseDetail, ExerciseList, ExerciseSummary};

fn reader(principal: &Principal) -> Result<(), AppError> {
    if principal.may(Permission::ManageIncidents) {
        Ok(())
    } else {
        Err(AppError::Forbidden)
    }
}

fn editor(principal: &Principal) -> Result<(), AppError> {
    if principal.may(Permission::ManageSettings) {
        Ok(())
    } else {
        Err(AppError::Forbidden)
    }
}

/// Every exercise, the latest first.
pub async fn exercises(pool: &PgPool, principal: &Principal) -> Result<ExerciseList, AppError> {
    reader(principal)?;
    let exercises = sqlx::query!(
        r#"SELECT e.number, e.title, e.kind AS "kind: IncidentKind", e.held_on,
             e.recorded_at IS NOT NULL AS "held!",
             (SELECT count(*) FROM exercise_actions a
              WHERE a.exercise_id = e.exercise_id AND a.done_at IS NULL) AS "open!"
           FROM exercises e ORDER BY e.held_on DESC, e.number DESC"#
    )
    .fetch_all(pool)
    .await?
    .into_iter()
    .map(|row| {
        Ok(ExerciseSummary {
            number: row.number,
            title: row.title,
            kind: row.kind,
            held_on: day(row.held_on)?,
            held: row.held,
            open_follow_ups: row.open,
        })
    })
    .collect::<Result<_, AppError>>()?;
    Ok(ExerciseList {
        exercises,
        may_edit: principal.may(Permission::ManageSettings),
    })
}

/// Exercise `number`.
pub async fn exercise(
    pool: &PgPool,
    principal: &Principal,
    number: i64,
    today: chrono::NaiveDate,
) -> Result<ExerciseDetail, AppError> {
    reader(principal)?;
    let row = sqlx::query!(
        r#"SELECT e.exercise_id, e.number, e.title, e.kind AS "kind: IncidentKind",
             e.playbook_version, e.scenario, e.held_on, e.participants, e.went_well, e.gaps,
             e.recorded_at, u.display_name AS scheduled_by
           FROM exercises e JOIN users u ON u.user_id = e.created_by WHERE e.number = $1"#,
        number
    )
    .fetch_optional(pool)
    .await?
    .ok_or(AppError::NotFound)?;
    let follow_ups = sqlx::query_as!(
        FollowUpRow,
        "SELECT a.action_id, a.what, a.owner_id, u.display_name, a.due_on, a.done_at
         FROM exercise_actions a JOIN users u ON u.user_id = a.owner_id
         WHERE a.exercise_id = $1 ORDER BY a.due_on, a.created_at",
        row.exercise_id
    )
    .fetch_all(pool)
    .await?
    .into_iter()
    .map(|row| row.follow_up(today))
    .collect::<Result<_, AppError>>()?;
    let may_edit = principal.may(Permission::ManageSettings);
    Ok(ExerciseDetail {
        number: row.number,
        title: row.title,
        kind: row.kind,
        playbook_version: row.playbook_version,
        scenario: row.scenario,
        held_on: day(row.held_on)?,
        participants: row.participants,
        went_well: row.went_well,
        gaps: row.gaps,
        recorded_at: row.recorded_at,
        scheduled_by: row.scheduled_by,
        follow_ups,
        may_edit,
        viewer: principal.user_id.to_string(),
        owners: if may_edit {
            super::reading::owners(pool).await?
        } else {
            vec![]
        },
        tools: sqlx::query_as!(TeamRef, "SELECT slug, name FROM tools ORDER BY lower(name)")
            .fetch_all(pool)
            .await?,
    })
}

/// An admin schedules an exercise (or records one already held); returns its number.
pub async fn schedule(
    pool: &PgPool,
    principal: &Principal,
    change: &Change,
    form: &ExerciseForm,
) -> Result<i64, AppError> {
    editor(principal)?;
    let exercise = form.validate(change.today)?;
    let mut tx = pool.begin().await?;
    let number = sqlx::query_scalar!(
        "INSERT INTO exercises (title, kind, playbook_version, scenario, held_on, participants,
           created_by, created_at)
         VALUES ($1, $2,
           (SELECT max(version) FROM playbook_versions WHERE kind = $2),
           $3, $4, $5, $6, $7)
         RETURNING number",
        exercise.title,
        exercise.kind.as_str(),
        exercise.scenario,
        date(exercise.held_on)?,
        exercise.participants,
        principal.user_id,
        change.now
    )
    .fetch_one(&mut *tx)
    .await?;
    audited(
        &mut tx,
        change,
        number,
        AuditAction::ExerciseScheduled,
        json!({
            "title": exercise.title,
            "kind": exercise.kind,
            "held_on": exercise.held_on,
            "participants": exercise.participants,
        }),
    )
    .await?;
    tx.commit().await?;
    Ok(number)
}

/// An admin records what exercise `number` showed, once its day has come.
pub async fn record_outcome(
    pool: &PgPool,
    principal: &Principal,
    change: &Change,
    number: i64,
    form: &OutcomeForm,
) -> Result<(), AppError> {
    editor(principal)?;
    let (went_well, gaps) = form.validate()?;
    let mut tx = pool.begin().await?;
    let before = sqlx::query!(
        "SELECT held_on, went_well, gaps, recorded_at IS NOT NULL AS \"recorded!\"
         FROM exercises WHERE number = $1 FOR UPDATE",
        number
    )
    .fetch_optional(&mut *tx)
    .await?
    .ok_or(AppError::NotFound)?;
    if day(before.held_on)? > change.today {
        return Err(AppError::invalid(
            "went_well",
            "this exercise has not been held yet: record it on or after its day",
        ));
    }
    sqlx::query!(
        "UPDATE exercises SET went_well = $2, gaps = $3, recorded_at = $4 WHERE number = $1",
        number,
        went_well,
        gaps,
        change.now
    )
    .execute(&mut *tx)
    .await?;
    // A rewritten outcome keeps what it said before in the audit chain.
    let event = NewEvent::new(change.actor.clone(), AuditAction::ExerciseRecorded)
        .target(format!("exercise:{number}"))
        .source(change.source)
        .after(json!({ "went_well": went_well, "gaps": gaps }));
    let event = if before.recorded {
        event.before(json!({ "went_well": before.went_well, "gaps": before.gaps }))
    } else {
        event
    };
    audit::append(&mut tx, event, change.now).await?;
    tx.commit().await?;
    Ok(())
}

/// An admin gives exercise `number` a follow-up action.
pub async fn add_exercise_follow_up(
    pool: &PgPool,
    principal: &Principal,
    change: &Change,
    number: i64,
    form: &FollowUpForm,
) -> Result<(), AppError> {
    editor(principal)?;
    let (what, owner, due) = form.validate(change.today)?;
    let mut tx = pool.begin().await?;
    let exercise_id = exercise_id(&mut tx, number).await?;
    owner_name(&mut tx, "owner", owner).await?;
    sqlx::query!(
        "INSERT INTO exercise_actions (exercise_id, what, owner_id, due_on, created_at)
         VALUES ($1, $2, $3, $4, $5)",
        exercise_id,
        what,
        owner,
        date(due)?,
        change.now
    )
    .execute(&mut *tx)
    .await?;
    audited(
        &mut tx,
        change,
        number,
        AuditAction::ExerciseFollowUpAdded,
        json!({ "what": what, "owner": owner.to_string(), "due": due }),
    )
    .await?;
    notifications::notify(
        &mut tx,
        crate::domain::notices::NoticeKind::Incidents,
        &[owner],
        principal.user_id,
        &format!("Follow-up of exercise #{number} for you, due {due}: {what}."),
        &format!("/incidents/exercises/{number}"),
        change.now,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Its owner or an admin marks follow-up `action` of exercise `number` done.
pub async fn complete_exercise_follow_up(
    pool: &PgPool,
    principal: &Principal,
    change: &Change,
    number: i64,
    action: Uuid,
) -> Result<(), AppError> {
    reader(principal)?;
    let mut tx = pool.begin().await?;
    let exercise_id = exercise_id(&mut tx, number).await?;
    let row = sqlx::query!(
        "SELECT what, owner_id, done_at FROM exercise_actions
         WHERE action_id = $1 AND exercise_id = $2 FOR UPDATE",
        action,
        exercise_id
    )
    .fetch_optional(&mut *tx)
    .await?
    .ok_or(AppError::NotFound)?;
    if row.owner_id != principal.user_id {
        editor(principal)?;
    }
    if row.done_at.is_some() {
        return Err(AppError::Conflict {
            message: "this follow-up is done already".into(),
        });
    }
    sqlx::query!(
        "UPDATE exercise_actions SET done_at = $2 WHERE action_id = $1",
        action,
        change.now
    )
    .execute(&mut *tx)
    .await?;
    audited(
        &mut tx,
        change,
        number,
        AuditAction::ExerciseFollowUpDone,
        json!({ "what": row.what }),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Exercise `number`'s id, locked for a change.
async fn exercise_id(conn: &mut PgConnection, number: i64) -> Result<Uuid, AppError> {
    sqlx::query_scalar!(
        "SELECT exercise_id FROM exercises WHERE number = $1 FOR UPDATE",
        number
    )
    .fetch_optional(&mut *conn)
    .await?
    .ok_or(AppError::NotFound)
}

async fn audited(
    conn: &mut PgConnection,
    change: &Change,
    number: i64,
    action: AuditAction,
    after: serde_json::Value,
) -> Result<(), AppError> {
    let event = NewEvent::new(change.actor.clone(), action)
        .target(format!("exercise:{number}"))
        .source(change.source)
        .after(after);
    audit::append(conn, event, change.now).await?;
    Ok(())
}
