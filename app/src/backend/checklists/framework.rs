//! The checklist itself, as admins maintain it. Every change bumps the framework's version;
//! items keep their id (teams' progress stays attached) and are retired rather than deleted.

use chrono::{DateTime, Utc};
use sqlx::{PgConnection, PgPool};

use crate::backend::audit::{self, NewEvent};
use crate::domain::checklist::{ChecklistCategory, FrameworkItemForm};
use crate::domain::{Actor, AuditAction};
use crate::error::AppError;
use crate::model::{FrameworkItem, FrameworkView};

pub async fn view(pool: &PgPool) -> Result<FrameworkView, AppError> {
    let framework = sqlx::query!("SELECT name, version, updated_at FROM checklist_framework")
        .fetch_one(pool)
        .await?;
    let items = sqlx::query!(
        r#"SELECT number, title, category AS "category: ChecklistCategory", guidance,
             evidence_required, added_in_version, retired_in_version
           FROM checklist_items ORDER BY number"#
    )
    .fetch_all(pool)
    .await?
    .into_iter()
    .map(|i| {
        Ok(FrameworkItem {
            number: i.number,
            title: i.title,
            category: i.category,
            guidance: i.guidance,
            evidence_required: i.evidence_required,
            added_in_version: i.added_in_version,
            retired_in_version: i.retired_in_version,
        })
    })
    .collect::<Result<_, AppError>>()?;
    Ok(FrameworkView {
        name: framework.name,
        version: framework.version,
        updated_at: framework.updated_at,
        items,
    })
}

async fn next_version(conn: &mut PgConnection, now: DateTime<Utc>) -> Result<i32, AppError> {
    Ok(sqlx::query_scalar!(
        "UPDATE checklist_framework SET version = version + 1, updated_at = $1 RETURNING version",
        now
    )
    .fetch_one(&mut *conn)
    .await?)
}

/// Adds an item (`number` is `None`) or changes item `number`; returns its number.
pub async fn save_item(
    pool: &PgPool,
    actor: Actor,
    number: Option<i32>,
    form: &FrameworkItemForm,
    now: DateTime<Utc>,
) -> Result<i32, AppError> {
    let item = form.validate()?;
    let mut tx = pool.begin().await?;
    let version = next_version(&mut tx, now).await?;
    let (number, before) = match number {
        None => {
            let number = sqlx::query_scalar!(
                r#"INSERT INTO checklist_items (number, title, category, guidance,
                     evidence_required, added_in_version)
                   SELECT COALESCE(max(number), 0) + 1, $1, $2, $3, $4, $5 FROM checklist_items
                   RETURNING number"#,
                item.title,
                item.category.as_str(),
                item.guidance,
                item.evidence_required,
                version
            )
            .fetch_one(&mut *tx)
            .await?;
            (number, None)
        }
        Some(number) => {
            let before = sqlx::query!(
                "SELECT title, category, guidance, evidence_required FROM checklist_items
                 WHERE number = $1 AND retired_in_version IS NULL FOR UPDATE",
                number
            )
            .fetch_optional(&mut *tx)
            .await?
            .ok_or(AppError::NotFound)?;
            sqlx::query!(
                "UPDATE checklist_items SET title = $2, category = $3, guidance = $4,
                   evidence_required = $5
                 WHERE number = $1",
                number,
                item.title,
                item.category.as_str(),
                item.guidance,
                item.evidence_required
            )
            .execute(&mut *tx)
            .await?;
            let before = serde_json::json!({
                "title": before.title,
                "category": before.category,
                "guidance": before.guidance,
                "evidence_required": before.evidence_required,
            });
            (number, Some(before))
        }
    };
    let mut event = NewEvent::new(actor, AuditAction::ChecklistItemSaved)
        .target(format!("checklist:item:{number}"))
        .after(serde_json::json!({
            "title": item.title,
            "category": item.category,
            "guidance": item.guidance,
            "evidence_required": item.evidence_required,
            "framework_version": version,
        }));
    if let Some(before) = before {
        event = event.before(before);
    }
    audit::append(&mut tx, event, now).await?;
    tx.commit().await?;
    Ok(number)
}

/// Retires item `number`: it no longer counts anywhere; what teams recorded stays in their
/// history, and this week's figures drop its done and not-applicable marks.
pub async fn retire_item(
    pool: &PgPool,
    actor: Actor,
    number: i32,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    let mut tx = pool.begin().await?;
    let item_id = sqlx::query_scalar!(
        "SELECT item_id FROM checklist_items WHERE number = $1 AND retired_in_version IS NULL
         FOR UPDATE",
        number
    )
    .fetch_optional(&mut *tx)
    .await?
    .ok_or(AppError::NotFound)?;
    let version = next_version(&mut tx, now).await?;
    sqlx::query!(
        "UPDATE checklist_items SET retired_in_version = $2 WHERE item_id = $1",
        item_id,
        version
    )
    .execute(&mut *tx)
    .await?;
    let week = crate::backend::checklists::week_start(now.date_naive());
    sqlx::query!(
        "INSERT INTO team_checklist_weeks (team_id, week_start, done_delta, na_delta)
         SELECT team_id, $2, -(status = 'done')::int, -(status = 'not_applicable')::int
         FROM team_checklist_items
         WHERE item_id = $1 AND status IN ('done', 'not_applicable')
         ON CONFLICT ON CONSTRAINT team_checklist_weeks_pkey DO UPDATE SET
           done_delta = team_checklist_weeks.done_delta + EXCLUDED.done_delta,
           na_delta = team_checklist_weeks.na_delta + EXCLUDED.na_delta",
        item_id,
        week
    )
    .execute(&mut *tx)
    .await?;
    let event = NewEvent::new(actor, AuditAction::ChecklistItemRetired)
        .target(format!("checklist:item:{number}"))
        .after(serde_json::json!({ "framework_version": version }));
    audit::append(&mut tx, event, now).await?;
    tx.commit().await?;
    Ok(())
}
