//! Team checklists: who may see and change which team's items, one transaction per change
//! (current row, history, the week's figures, audit event), and the dashboards. The dashboards
//! read the current rows and the per-week figures, never the history, so they stay fast however
//! long the history grows (docs/ARCHITECTURE.md → Checklists).

use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc};
use sqlx::{PgConnection, PgPool};
use uuid::Uuid;

use super::audit::{self, NewEvent};
use super::users::Principal;
use crate::api::{
    CategoryProgress, ChecklistChange, Dashboard, HeatRow, ItemHeader, ItemProgress, OverdueItem,
    TeamChecklist, TeamItem, TeamProgress, TeamRequest, TrendPoint,
};
use crate::domain::checklist::{delta, ChecklistCategory, Counts, ItemForm, ItemStatus};
use crate::domain::policy::TeamRef;
use crate::domain::request_state::RequestState;
use crate::domain::{Actor, AuditAction, Role};
use crate::error::AppError;

/// Teams per page of the heat map.
const HEAT_PAGE: i64 = 50;
/// Weeks the trend covers.
const TREND_WEEKS: i64 = 12;

fn stored<T>(parsed: Result<T, String>) -> Result<T, AppError> {
    parsed.map_err(|error| {
        tracing::error!(%error, "unknown value stored in a checklist");
        AppError::Internal
    })
}

fn shown(at: DateTime<Utc>) -> String {
    at.format("%Y-%m-%d %H:%M UTC").to_string()
}

/// The Monday of `day`'s week: the row of `team_checklist_weeks` a change on `day` goes to.
pub(crate) fn week_start(day: NaiveDate) -> NaiveDate {
    day - Duration::days(i64::from(day.weekday().num_days_from_monday()))
}

/// How `principal` stands to team `slug`: its id and name, and whether they may change items.
/// Members and managers see and change their team; admins every team; others are refused.
async fn team_access(
    conn: &mut PgConnection,
    principal: &Principal,
    slug: &str,
) -> Result<(Uuid, String), AppError> {
    let team = sqlx::query!(
        r#"SELECT t.team_id, t.name,
             EXISTS (SELECT 1 FROM team_members m WHERE m.team_id = t.team_id AND m.user_id = $2)
               AS "belongs!"
           FROM teams t WHERE t.slug = $1"#,
        slug,
        principal.user_id
    )
    .fetch_optional(&mut *conn)
    .await?
    .ok_or(AppError::NotFound)?;
    if !team.belongs && !principal.roles.contains(&Role::Admin) {
        return Err(AppError::Forbidden);
    }
    Ok((team.team_id, team.name))
}

/// The teams whose checklist `principal` may open: their own, or every team for admins.
pub async fn visible_teams(pool: &PgPool, principal: &Principal) -> Result<Vec<TeamRef>, AppError> {
    Ok(sqlx::query_as!(
        TeamRef,
        "SELECT t.slug, t.name FROM teams t
         WHERE $2 OR EXISTS (SELECT 1 FROM team_members m
                             WHERE m.team_id = t.team_id AND m.user_id = $1)
         ORDER BY lower(t.name)",
        principal.user_id,
        principal.roles.contains(&Role::Admin)
    )
    .fetch_all(pool)
    .await?)
}

/// Sums item figures into category and overall figures, in category order.
fn roll_up(items: &[(ChecklistCategory, Counts)]) -> (Counts, Vec<CategoryProgress>) {
    let categories = ChecklistCategory::ALL
        .iter()
        .filter_map(|category| {
            let mut counts = Counts::default();
            let mut any = false;
            for (c, item) in items {
                if c == category {
                    counts = counts + *item;
                    any = true;
                }
            }
            any.then(|| CategoryProgress {
                category: *category,
                counts,
                percent: counts.percent(),
            })
        })
        .collect();
    let total = items
        .iter()
        .fold(Counts::default(), |sum, (_, item)| sum + *item);
    (total, categories)
}

/// Team `slug`'s figures and items.
pub async fn progress(
    conn: &mut PgConnection,
    principal: &Principal,
    slug: &str,
    now: DateTime<Utc>,
) -> Result<TeamProgress, AppError> {
    let (team_id, team_name) = team_access(conn, principal, slug).await?;
    progress_of(conn, team_id, team_name, slug, now).await
}

/// [`progress`] of a team whose access was checked.
async fn progress_of(
    conn: &mut PgConnection,
    team_id: Uuid,
    team_name: String,
    slug: &str,
    now: DateTime<Utc>,
) -> Result<TeamProgress, AppError> {
    let version = sqlx::query_scalar!("SELECT version FROM checklist_framework")
        .fetch_one(&mut *conn)
        .await?;
    let today = now.date_naive();
    let rows = sqlx::query!(
        r#"SELECT i.number, i.title, i.category, i.guidance, i.evidence_required,
             t.status AS "status?", COALESCE(t.na_reason, '') AS "na_reason!",
             t.owner_id AS "owner_id?", o.display_name AS "owner?", t.due_date AS "due_date?",
             COALESCE(t.evidence, '') AS "evidence!", COALESCE(t.links, '{}') AS "links!",
             t.updated_at AS "updated_at?", u.display_name AS "updated_by?"
           FROM checklist_items i
           LEFT JOIN team_checklist_items t ON t.item_id = i.item_id AND t.team_id = $1
           LEFT JOIN users o ON o.user_id = t.owner_id
           LEFT JOIN users u ON u.user_id = t.updated_by
           WHERE i.retired_in_version IS NULL ORDER BY i.number"#,
        team_id
    )
    .fetch_all(&mut *conn)
    .await?;
    let mut items = Vec::with_capacity(rows.len());
    let mut figures = Vec::with_capacity(rows.len());
    for row in rows {
        let status = match row.status.as_deref() {
            Some(status) => stored(ItemStatus::parse(status))?,
            None => ItemStatus::NotStarted,
        };
        let category = stored(ChecklistCategory::parse(&row.category))?;
        let open = matches!(status, ItemStatus::NotStarted | ItemStatus::InProgress);
        figures.push((
            category,
            Counts::of(
                1,
                i64::from(status == ItemStatus::Done),
                i64::from(status == ItemStatus::NotApplicable),
            ),
        ));
        items.push(TeamItem {
            number: row.number,
            title: row.title,
            category,
            guidance: row.guidance,
            evidence_required: row.evidence_required,
            status,
            na_reason: row.na_reason,
            owner: row.owner,
            owner_id: row.owner_id.map(|id| id.to_string()),
            due_date: row.due_date.map(|d| d.to_string()),
            overdue: open && row.due_date.is_some_and(|d| d < today),
            evidence: row.evidence,
            links: row.links,
            updated: row.updated_at.map(|at| {
                format!(
                    "{} by {}",
                    shown(at),
                    row.updated_by.unwrap_or_else(|| "the portal".into())
                )
            }),
        });
    }
    let (counts, categories) = roll_up(&figures);
    Ok(TeamProgress {
        team: slug.to_owned(),
        team_name,
        framework_version: version,
        counts,
        percent: counts.percent(),
        categories,
        items,
    })
}

/// Completion at the end of each of the last [`TREND_WEEKS`] weeks, from the per-week figures
/// of `teams` (`None`: every team), against today's checklist of `items` items.
async fn trend(
    conn: &mut PgConnection,
    teams: Option<&[Uuid]>,
    team_count: i64,
    items: i64,
    now: DateTime<Utc>,
) -> Result<Vec<TrendPoint>, AppError> {
    let weeks = sqlx::query!(
        r#"SELECT week_start, sum(done_delta)::bigint AS "done!", sum(na_delta)::bigint AS "na!"
           FROM team_checklist_weeks WHERE $1::uuid[] IS NULL OR team_id = ANY($1)
           GROUP BY week_start ORDER BY week_start"#,
        teams as Option<&[Uuid]>
    )
    .fetch_all(&mut *conn)
    .await?;
    let this_week = week_start(now.date_naive());
    let mut points = Vec::new();
    for back in (0..TREND_WEEKS).rev() {
        let week = this_week - Duration::weeks(back);
        let (done, na) = weeks
            .iter()
            .filter(|w| w.week_start <= week)
            .fold((0, 0), |(d, n), w| (d + w.done, n + w.na));
        points.push(TrendPoint {
            week: week.to_string(),
            percent: Counts::of(items * team_count, done, na).percent(),
        });
    }
    Ok(points)
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
        r#"SELECT h.at, u.display_name AS "actor?", i.number, i.title, h.status
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
            at: shown(h.at),
            actor: h.actor.unwrap_or_else(|| "the portal".into()),
            item: h.number,
            title: h.title,
            status: stored(ItemStatus::parse(&h.status))?,
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
        "SELECT number, tool_name, state FROM tool_requests
         WHERE team_id = $1 AND state IN ('submitted', 'in_review', 'changes_requested')
         ORDER BY number",
        team_id
    )
    .fetch_all(&mut *conn)
    .await?
    .into_iter()
    .map(|r| {
        Ok(TeamRequest {
            number: r.number,
            tool_name: r.tool_name,
            state: stored(RequestState::parse(&r.state))?,
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
        "SELECT status FROM team_checklist_items WHERE team_id = $1 AND item_id = $2 FOR UPDATE",
        team_id,
        item.item_id
    )
    .fetch_optional(&mut *conn)
    .await?
    .map(|s| stored(ItemStatus::parse(&s)))
    .transpose()?;
    let due = update.due_date.map(super::tools::date).transpose()?;
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

/// Heat-map rows: the teams in scope by name (`limit` of them from `offset`; `None`: all), each
/// with its status per item of `items`.
async fn heat(
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
        "SELECT team_id, item_id, status FROM team_checklist_items WHERE team_id = ANY($1)",
        &ids
    )
    .fetch_all(&mut *conn)
    .await?;
    let mut statuses = std::collections::HashMap::with_capacity(cells.len());
    for cell in cells {
        statuses.insert(
            (cell.team_id, cell.item_id),
            stored(ItemStatus::parse(&cell.status))?,
        );
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

/// The scope of the dashboards for `principal`: `None` (every team) for admins, else the teams
/// they manage.
async fn managed(
    conn: &mut PgConnection,
    principal: &Principal,
) -> Result<Option<Vec<Uuid>>, AppError> {
    if principal.roles.contains(&Role::Admin) {
        return Ok(None);
    }
    Ok(Some(
        sqlx::query_scalar!(
            "SELECT team_id FROM team_members WHERE user_id = $1 AND membership = 'manager'",
            principal.user_id
        )
        .fetch_all(&mut *conn)
        .await?,
    ))
}

fn percent_cell(percent: Option<i64>) -> String {
    percent.map(|p| p.to_string()).unwrap_or_default()
}

/// The organization view as CSV: a line per team in scope with its completion and the status of
/// every item.
pub async fn dashboard_csv(pool: &PgPool, principal: &Principal) -> Result<String, AppError> {
    use crate::domain::checklist::csv_line;
    let mut conn = pool.acquire().await?;
    let scope = managed(&mut conn, principal).await?;
    let items = sqlx::query!(
        "SELECT item_id, number, title FROM checklist_items
         WHERE retired_in_version IS NULL ORDER BY number"
    )
    .fetch_all(&mut *conn)
    .await?;
    let ids: Vec<Uuid> = items.iter().map(|i| i.item_id).collect();
    let rows = heat(&mut conn, scope.as_deref(), &ids, None, 0).await?;
    let headers: Vec<String> = items
        .iter()
        .map(|i| format!("{}. {}", i.number, i.title))
        .collect();
    let mut csv = csv_line(
        ["team", "team_name", "completion_percent"]
            .into_iter()
            .chain(headers.iter().map(String::as_str)),
    );
    for row in rows {
        let percent = percent_cell(row.percent);
        csv.push_str(&csv_line(
            [row.team.as_str(), row.team_name.as_str(), percent.as_str()]
                .into_iter()
                .chain(row.cells.iter().map(|c| c.as_str())),
        ));
    }
    Ok(csv)
}

/// A team's checklist as CSV: a line per item.
pub async fn team_csv(
    pool: &PgPool,
    principal: &Principal,
    slug: &str,
    now: DateTime<Utc>,
) -> Result<String, AppError> {
    use crate::domain::checklist::csv_line;
    let progress = progress(&mut *pool.acquire().await?, principal, slug, now).await?;
    let mut csv = csv_line([
        "team",
        "number",
        "title",
        "category",
        "status",
        "not_applicable_reason",
        "owner",
        "due_date",
        "overdue",
        "evidence",
        "links",
        "last_change",
    ]);
    for item in &progress.items {
        let number = item.number.to_string();
        let links = item.links.join(" ");
        csv.push_str(&csv_line([
            progress.team.as_str(),
            number.as_str(),
            item.title.as_str(),
            item.category.label(),
            item.status.as_str(),
            item.na_reason.as_str(),
            item.owner.as_deref().unwrap_or(""),
            item.due_date.as_deref().unwrap_or(""),
            if item.overdue { "yes" } else { "no" },
            item.evidence.as_str(),
            links.as_str(),
            item.updated.as_deref().unwrap_or(""),
        ]));
    }
    Ok(csv)
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
        r#"SELECT i.item_id, i.number, i.title, i.category,
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
        figures.push((stored(ChecklistCategory::parse(&row.category))?, counts));
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
        .map(|r| OverdueItem {
            team: r.slug,
            team_name: r.name,
            number: r.number,
            title: r.title,
            due_date: r.due_date.to_string(),
            owner: r.owner,
        })
        .collect();
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
