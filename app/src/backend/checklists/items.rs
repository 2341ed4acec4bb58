//! One team's checklist and the changes to its items: one transaction per change (current row,
//! history, the week's figures, audit event).

use super::access::team_access;
use super::progress::{progress_of, trend};
use crate::backend::audit::{self, NewEvent};
use crate::backend::identity::users::Principal;
use crate::domain::checklist::{delta, ItemForm, ItemStatus};
use crate::domain::registry::policy::TeamRef;
use crate::domain::requests::state::RequestState;
use crate::domain::{Actor, AuditAction};
use crate::error::AppError;
use crate::model::{ChecklistChange, TeamChecklist, TeamRequest};
use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc};
use sqlx::{PgConnection, PgPool};
use uuid::Uuid;

/// The Monday of `day`'s week: the row of `team_checklist_weeks` a change on `day` goes to.
pub(crate) fn week_start(day: NaiveDate) -> NaiveDate {
    day - Duration::days(i64::from(day.weekday().num_days_from_monday()))
}

pub async fn team_checklist(
    pool: &PgPool,
    principal: &Principal,
    slug: &str,
    now: DateTime<Utc>,
) -> Result<TeamChecklist, AppError> {
    let mut conn = pool.acquire().await?;
    let (team_id, team_name) = team_access(&mut conn, principal, slug).await?;
    let progress = progress_of(&mut conn, team_id, team_name, slug, now).await?;
    let people = sqlx::query!(
        "SELECT u.user_id, u.display_name FROM team_members m JOIN users u ON u.user_id = m.user_id
         WHERE m.team_id = $1 AND u.disabled_at IS NULL ORDER BY lower(u.display_name)",
        team_id
    )
    .fetch_all(&mut *conn)
    .await?
    .into_iter()
    .map(|p| (p.user_id.to_string(), p.display_name))
    .collect();
    let items = i64::try_from(progress.items.len()).unwrap_or(0);
    let trend = trend(&mut conn, Some(&[team_id]), 1, items, now).await?;
    let history = sqlx::query!(
        r#"SELECT h.at, u.display_name AS "actor?", i.number, i.title,
             h.status AS "status: ItemStatus"
           FROM team_checklist_history h JOIN checklist_items i ON i.item_id = h.item_id
           LEFT JOIN users u ON u.user_id = h.actor_id
           WHERE h.team_id = $1 ORDER BY h.history_id DESC LIMIT 30"#,
        team_id
    )
    .fetch_all(&mut *conn)
    .await?
    .into_iter()
    .map(|h| {
        Ok(ChecklistChange {
            at: h.at,
            actor: h.actor.unwrap_or_else(|| "the portal".into()),
            item: h.number,
            title: h.title,
            status: h.status,
        })
    })
    .collect::<Result<_, AppError>>()?;
    let tools = sqlx::query_as!(
        TeamRef,
        "SELECT t.slug, t.name FROM tools t
         WHERE t.status IN ('approved', 'approved_with_conditions')
           AND (t.all_teams OR EXISTS (SELECT 1 FROM tool_teams tt
                                       WHERE tt.tool_id = t.tool_id AND tt.team_id = $1))
         ORDER BY lower(t.name)",
        team_id
    )
    .fetch_all(&mut *conn)
    .await?;
    let open_requests = sqlx::query!(
        r#"SELECT number, tool_name, state AS "state: RequestState" FROM tool_requests
           WHERE team_id = $1 AND state IN ('submitted', 'in_review', 'changes_requested')
           ORDER BY number"#,
        team_id
    )
    .fetch_all(&mut *conn)
    .await?
    .into_iter()
    .map(|r| {
        Ok(TeamRequest {
            number: r.number,
            tool_name: r.tool_name,
            state: r.state,
        })
    })
    .collect::<Result<_, AppError>>()?;
    Ok(TeamChecklist {
        progress,
        people,
        trend,
        history,
        tools,
        open_requests,
    })
}

/// Changes item `number` of team `slug` as `principal`.
pub async fn update_item(
    pool: &PgPool,
    principal: &Principal,
    slug: &str,
    number: i32,
    form: &ItemForm,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    let mut tx = pool.begin().await?;
    record(
        &mut tx,
        principal.user_id,
        Some(principal),
        slug,
        number,
        form,
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// One change of one item, inside the caller's transaction: checked against who may change
/// it (`principal`; `None`: the demo) and the item's rules, then the current row, the history,
/// the week's figures and the audit event.
pub(crate) async fn record(
    conn: &mut PgConnection,
    actor_id: Uuid,
    principal: Option<&Principal>,
    slug: &str,
    number: i32,
    form: &ItemForm,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    let team_id = match principal {
        Some(principal) => team_access(conn, principal, slug).await?.0,
        None => sqlx::query_scalar!("SELECT team_id FROM teams WHERE slug = $1", slug)
            .fetch_optional(&mut *conn)
            .await?
            .ok_or(AppError::NotFound)?,
    };
    let item = sqlx::query!(
        "SELECT item_id, evidence_required FROM checklist_items
         WHERE number = $1 AND retired_in_version IS NULL",
        number
    )
    .fetch_optional(&mut *conn)
    .await?
    .ok_or_else(|| AppError::invalid("number", "no checklist item has this number"))?;
    let update = form.validate(item.evidence_required)?;
    let owner = match &update.owner {
        None => None,
        Some(owner) => {
            let id = Uuid::parse_str(owner)
                .map_err(|_| AppError::invalid("owner", "choose a person of the team"))?;
            let member = sqlx::query_scalar!(
                r#"SELECT EXISTS (SELECT 1 FROM team_members WHERE team_id = $1 AND user_id = $2)
                     AS "member!""#,
                team_id,
                id
            )
            .fetch_one(&mut *conn)
            .await?;
            if !member {
                return Err(AppError::invalid("owner", "choose a person of the team"));
            }
            Some(id)
        }
    };
    let before = sqlx::query_scalar!(
        r#"SELECT status AS "status: ItemStatus" FROM team_checklist_items
           WHERE team_id = $1 AND item_id = $2 FOR UPDATE"#,
        team_id,
        item.item_id
    )
    .fetch_optional(&mut *conn)
    .await?;
    let due = update
        .due_date
        .map(crate::backend::platform::change::date)
        .transpose()?;
    sqlx::query!(
        "INSERT INTO team_checklist_items (team_id, item_id, status, na_reason, owner_id,
           due_date, evidence, links, updated_at, updated_by)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
         ON CONFLICT ON CONSTRAINT team_checklist_items_pkey DO UPDATE SET
           status = EXCLUDED.status, na_reason = EXCLUDED.na_reason, owner_id = EXCLUDED.owner_id,
           due_date = EXCLUDED.due_date, evidence = EXCLUDED.evidence, links = EXCLUDED.links,
           updated_at = EXCLUDED.updated_at, updated_by = EXCLUDED.updated_by",
        team_id,
        item.item_id,
        update.status.as_str(),
        update.na_reason,
        owner,
        due,
        update.evidence,
        &update.links,
        now,
        actor_id
    )
    .execute(&mut *conn)
    .await?;
    sqlx::query!(
        "INSERT INTO team_checklist_history (team_id, item_id, at, actor_id, status, na_reason,
           owner_id, due_date, evidence, links)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        team_id,
        item.item_id,
        now,
        actor_id,
        update.status.as_str(),
        update.na_reason,
        owner,
        due,
        update.evidence,
        &update.links
    )
    .execute(&mut *conn)
    .await?;
    let (done, na) = delta(before, update.status);
    if (done, na) != (0, 0) {
        let done = i32::try_from(done).unwrap_or(0);
        let na = i32::try_from(na).unwrap_or(0);
        sqlx::query!(
            "INSERT INTO team_checklist_weeks (team_id, week_start, done_delta, na_delta)
             VALUES ($1, $2, $3, $4)
             ON CONFLICT ON CONSTRAINT team_checklist_weeks_pkey DO UPDATE SET
               done_delta = team_checklist_weeks.done_delta + EXCLUDED.done_delta,
               na_delta = team_checklist_weeks.na_delta + EXCLUDED.na_delta",
            team_id,
            week_start(now.date_naive()),
            done,
            na
        )
        .execute(&mut *conn)
        .await?;
    }
    let actor = principal.map(Principal::actor).unwrap_or(Actor::Operator);
    let event = NewEvent::new(actor, AuditAction::ChecklistItemUpdated)
        .target(format!("team:{slug}/item:{number}"))
        .after(serde_json::json!({
            "status": update.status,
            "owner": owner.map(|o| o.to_string()),
            "due_date": update.due_date.map(|d| d.to_string()),
            "evidence": update.evidence,
            "links": update.links,
            "na_reason": update.na_reason,
        }));
    audit::append(conn, event, now).await?;
    Ok(())
}
