//! Team checklists: who may see and change which team's items, one transaction per change
//! (current row, history, the week's figures, audit event), and the dashboards. The dashboards
//! read the current rows and the per-week figures, never the history, so they stay fast however
//! long the history grows (docs/ARCHITECTURE.md → Checklists).

use chrono::{DateTime, Duration, Utc};
use sqlx::PgConnection;
use uuid::Uuid;

use super::access::team_access;
use super::items::week_start;
use crate::backend::identity::users::Principal;
use crate::backend::platform::change::day;
use crate::domain::checklist::{ChecklistCategory, Counts, ItemStatus};
use crate::error::AppError;
use crate::model::{CategoryProgress, MachineEvidence, TeamItem, TeamProgress, TrendPoint};

/// Weeks the trend covers.
const TREND_WEEKS: i64 = 12;

/// Sums item figures into category and overall figures, in category order.
pub(super) fn roll_up(items: &[(ChecklistCategory, Counts)]) -> (Counts, Vec<CategoryProgress>) {
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
pub(super) async fn progress_of(
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
        r#"SELECT i.number, i.title, i.category AS "category: ChecklistCategory", i.guidance,
             i.evidence_required, t.status AS "status?: ItemStatus", COALESCE(t.na_reason, '') AS "na_reason!",
             t.owner_id AS "owner_id?", o.display_name AS "owner?", t.due_date AS "due_date?",
             COALESCE(t.evidence, '') AS "evidence!", COALESCE(t.links, '{}') AS "links!",
             t.updated_at AS "updated_at?", u.display_name AS "updated_by?",
             i.machine_evidence
           FROM checklist_items i
           LEFT JOIN team_checklist_items t ON t.item_id = i.item_id AND t.team_id = $1
           LEFT JOIN users o ON o.user_id = t.owner_id
           LEFT JOIN users u ON u.user_id = t.updated_by
           WHERE i.retired_in_version IS NULL ORDER BY i.number"#,
        team_id
    )
    .fetch_all(&mut *conn)
    .await?;
    let wanted = |kind: &str| {
        rows.iter()
            .any(|row| row.machine_evidence.as_deref() == Some(kind))
    };
    let response = if wanted("incident_response") {
        Some(crate::backend::incidents::response_evidence(&mut *conn, now).await?)
    } else {
        None
    };
    let prohibited = if wanted("prohibited_data") {
        Some(crate::backend::scan::prohibited_data_evidence(&mut *conn).await?)
    } else {
        None
    };
    let mut items = Vec::with_capacity(rows.len());
    let mut figures = Vec::with_capacity(rows.len());
    for row in rows {
        let status = row.status.unwrap_or(ItemStatus::NotStarted);
        let category = row.category;
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
            due_date: row.due_date.map(day).transpose()?,
            overdue: open && row.due_date.is_some_and(|d| d < today),
            evidence: row.evidence,
            links: row.links,
            updated_at: row.updated_at,
            updated_by: row.updated_by,
            machine_evidence: match row.machine_evidence.as_deref() {
                Some("incident_response") => {
                    response.clone().map(MachineEvidence::IncidentResponse)
                }
                Some("prohibited_data") => prohibited.clone().map(MachineEvidence::ProhibitedData),
                _ => None,
            },
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
pub(super) async fn trend(
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
            week: day(week)?,
            percent: Counts::of(items * team_count, done, na).percent(),
        });
    }
    Ok(points)
}
