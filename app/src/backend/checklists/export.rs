//! CSV exports of the dashboard and of a team's checklist, with formula injection neutralized.

use super::access::managed;
use super::dashboard::heat;
use super::progress::progress;
use crate::backend::identity::users::Principal;
use crate::domain::when;
use crate::error::AppError;
use chrono::{DateTime, Utc};
use sqlx::PgPool;
use uuid::Uuid;

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
            &item.due_date.map(|d| d.to_string()).unwrap_or_default(),
            if item.overdue { "yes" } else { "no" },
            item.evidence.as_str(),
            links.as_str(),
            &item
                .updated_at
                .map(|at| {
                    let by = item.updated_by.as_deref().unwrap_or("the portal");
                    format!("{} by {by}", when::minute(at))
                })
                .unwrap_or_default(),
        ]));
    }
    Ok(csv)
}
