//! The organization's compliance dashboard. It reads the current rows and the per-week figures,
//! never the history, so it stays fast however long the history grows (docs/ARCHITECTURE.md →
//! Checklists).

use super::access::managed;
use super::progress::{roll_up, trend};
use crate::backend::identity::users::Principal;
use crate::backend::platform::change::day;
use crate::domain::checklist::{ChecklistCategory, Counts, ItemStatus};
use crate::error::AppError;
use crate::model::{Dashboard, HeatRow, ItemHeader, ItemProgress, OverdueItem};
use chrono::{DateTime, Utc};
use sqlx::{PgConnection, PgPool};
use uuid::Uuid;

/// Teams per page of the heat map.
const HEAT_PAGE: i64 = 50;

/// Heat-map rows: the teams in scope by name (`limit` of them from `offset`; `None`: all), each
/// with its status per item of `items`.
pub(super) async fn heat(
    conn: &mut PgConnection,
    scope: Option<&[Uuid]>,
    items: &[Uuid],
    limit: Option<i64>,
    offset: i64,
) -> Result<Vec<HeatRow>, AppError> {
    let teams = sqlx::query!(
        "SELECT team_id, slug, name FROM teams
         WHERE $1::uuid[] IS NULL OR team_id = ANY($1)
         ORDER BY lower(name), slug LIMIT $2 OFFSET $3",
        scope as Option<&[Uuid]>,
        limit,
        offset
    )
    .fetch_all(&mut *conn)
    .await?;
    let ids: Vec<Uuid> = teams.iter().map(|t| t.team_id).collect();
    let cells = sqlx::query!(
        r#"SELECT team_id, item_id, status AS "status: ItemStatus" FROM team_checklist_items
           WHERE team_id = ANY($1)"#,
        &ids
    )
    .fetch_all(&mut *conn)
    .await?;
    let mut statuses = std::collections::HashMap::with_capacity(cells.len());
    for cell in cells {
        statuses.insert((cell.team_id, cell.item_id), cell.status);
    }
    Ok(teams
        .into_iter()
        .map(|team| {
            let cells: Vec<ItemStatus> = items
                .iter()
                .map(|item| {
                    statuses
                        .get(&(team.team_id, *item))
                        .copied()
                        .unwrap_or(ItemStatus::NotStarted)
                })
                .collect();
            let count = |status: ItemStatus| {
                i64::try_from(cells.iter().filter(|s| **s == status).count()).unwrap_or(0)
            };
            let counts = Counts::of(
                i64::try_from(cells.len()).unwrap_or(0),
                count(ItemStatus::Done),
                count(ItemStatus::NotApplicable),
            );
            HeatRow {
                team: team.slug,
                team_name: team.name,
                percent: counts.percent(),
                cells,
            }
        })
        .collect())
}

/// The organization dashboard: every team for admins, the teams they manage for managers.
pub async fn dashboard(
    pool: &PgPool,
    principal: &Principal,
    page: i64,
    now: DateTime<Utc>,
) -> Result<Dashboard, AppError> {
    if page < 1 {
        return Err(AppError::invalid("page", "must be 1 or more"));
    }
    let mut conn = pool.acquire().await?;
    let scope = managed(&mut conn, principal).await?;
    let all = scope.is_none();
    let scope_ref = scope.as_deref();
    let teams = match &scope {
        Some(ids) => i64::try_from(ids.len()).unwrap_or(0),
        None => {
            sqlx::query_scalar!(r#"SELECT count(*) AS "n!" FROM teams"#)
                .fetch_one(&mut *conn)
                .await?
        }
    };
    let item_rows = sqlx::query!(
        r#"SELECT i.item_id, i.number, i.title, i.category AS "category: ChecklistCategory",
             count(t.item_id) FILTER (WHERE t.status = 'done') AS "done!",
             count(t.item_id) FILTER (WHERE t.status = 'not_applicable') AS "na!"
           FROM checklist_items i
           LEFT JOIN team_checklist_items t
             ON t.item_id = i.item_id AND ($1::uuid[] IS NULL OR t.team_id = ANY($1))
           WHERE i.retired_in_version IS NULL
           GROUP BY i.item_id ORDER BY i.number"#,
        scope_ref as Option<&[Uuid]>
    )
    .fetch_all(&mut *conn)
    .await?;
    let mut figures = Vec::with_capacity(item_rows.len());
    let mut per_item = Vec::with_capacity(item_rows.len());
    for row in &item_rows {
        let counts = Counts::of(teams, row.done, row.na);
        figures.push((row.category, counts));
        per_item.push(ItemProgress {
            number: row.number,
            title: row.title.clone(),
            counts,
            percent: counts.percent(),
        });
    }
    let (counts, categories) = roll_up(&figures);
    let pages = ((teams + HEAT_PAGE - 1) / HEAT_PAGE).max(1);
    if page > pages {
        return Err(AppError::invalid(
            "page",
            format!("must be at most {pages}"),
        ));
    }
    let item_ids: Vec<Uuid> = item_rows.iter().map(|r| r.item_id).collect();
    let heat = heat(
        &mut conn,
        scope_ref,
        &item_ids,
        Some(HEAT_PAGE),
        (page - 1) * HEAT_PAGE,
    )
    .await?;
    let items = i64::try_from(item_rows.len()).unwrap_or(0);
    let trend = trend(&mut conn, scope_ref, teams, items, now).await?;
    let today = now.date_naive();
    let overdue_rows = sqlx::query!(
        r#"SELECT tm.slug, tm.name, i.number, i.title, t.due_date AS "due_date!",
             o.display_name AS "owner?", count(*) OVER () AS "total!"
           FROM team_checklist_items t
           JOIN teams tm ON tm.team_id = t.team_id
           JOIN checklist_items i ON i.item_id = t.item_id AND i.retired_in_version IS NULL
           LEFT JOIN users o ON o.user_id = t.owner_id
           WHERE t.status IN ('not_started', 'in_progress') AND t.due_date IS NOT NULL
             AND t.due_date < $2 AND ($1::uuid[] IS NULL OR t.team_id = ANY($1))
           ORDER BY t.due_date, lower(tm.name), i.number LIMIT 20"#,
        scope_ref as Option<&[Uuid]>,
        today
    )
    .fetch_all(&mut *conn)
    .await?;
    let overdue_total = overdue_rows.first().map_or(0, |r| r.total);
    let overdue = overdue_rows
        .into_iter()
        .map(|r| {
            Ok(OverdueItem {
                team: r.slug,
                team_name: r.name,
                number: r.number,
                title: r.title,
                due_date: day(r.due_date)?,
                owner: r.owner,
            })
        })
        .collect::<Result<_, AppError>>()?;
    let mut least_advanced = per_item;
    least_advanced.sort_by_key(|i| (i.percent.unwrap_or(101), i.number));
    least_advanced.truncate(5);
    Ok(Dashboard {
        scope_all: all,
        teams,
        counts,
        percent: counts.percent(),
        categories,
        items: item_rows
            .iter()
            .map(|r| ItemHeader {
                number: r.number,
                title: r.title.clone(),
            })
            .collect(),
        heat,
        page,
        pages,
        trend,
        overdue,
        overdue_total,
        least_advanced,
    })
}
