//! The managers' weekly summary (one job a week across instances, due Monday 07:00 UTC): for each
//! team, where its checklist stands, what was completed the week before, what is overdue and
//! how many of its tool requests are open, told to its managers (and mailed to those who chose
//! e-mail or the digest for checklists).

use chrono::{DateTime, Duration, NaiveDate, Utc};
use uuid::Uuid;

use super::queue::{self, Claimed};
use crate::backend::checklists::week_start;
use crate::backend::notifications::notify;
use crate::backend::platform::services::Services;
use crate::domain::checklist::{weekly_summary, Counts, Week};
use crate::domain::notices::NoticeKind;
use crate::error::{AppError, OrInternal};

/// When the week starting `monday` is summarized: that Monday, at the digests' hour.
pub fn due(monday: NaiveDate) -> DateTime<Utc> {
    crate::backend::mail::sending::digest_time(monday)
}

/// Monday of the week `now` is in (the summary's `once_key` and payload name it).
pub fn this_week(now: DateTime<Utc>) -> NaiveDate {
    week_start(now.date_naive())
}

/// Tells every team's managers where it stands (the `manager_summaries` job).
pub async fn weekly(services: &Services, job: &Claimed) -> Result<(), AppError> {
    let week: NaiveDate = job
        .payload
        .get("week")
        .and_then(|week| week.as_str())
        .unwrap_or_default()
        .parse()
        .or_internal("reading a summary job's week")?;
    let now = services.clock.now();
    let mut tx = services.pool.begin().await?;
    let teams = sqlx::query!(
        r#"SELECT t.slug, t.name,
             (SELECT count(*) FROM checklist_items i WHERE i.retired_in_version IS NULL) AS "items!",
             (SELECT count(*) FROM team_checklist_items c
                JOIN checklist_items i ON i.item_id = c.item_id AND i.retired_in_version IS NULL
                WHERE c.team_id = t.team_id AND c.status = 'done') AS "done!",
             (SELECT count(*) FROM team_checklist_items c
                JOIN checklist_items i ON i.item_id = c.item_id AND i.retired_in_version IS NULL
                WHERE c.team_id = t.team_id AND c.status = 'not_applicable') AS "not_applicable!",
             (SELECT count(*) FROM team_checklist_items c
                JOIN checklist_items i ON i.item_id = c.item_id AND i.retired_in_version IS NULL
                WHERE c.team_id = t.team_id AND c.status IN ('not_started', 'in_progress')
                  AND c.due_date < $1) AS "overdue!",
             COALESCE((SELECT w.done_delta FROM team_checklist_weeks w
                       WHERE w.team_id = t.team_id AND w.week_start = $2), 0) AS "done_last_week!",
             (SELECT count(*) FROM tool_requests r WHERE r.team_id = t.team_id
                AND r.state IN ('submitted', 'in_review', 'changes_requested')) AS "open_requests!",
             array_agg(m.user_id) AS "managers!: Vec<Uuid>"
           FROM teams t
           JOIN team_members m ON m.team_id = t.team_id AND m.membership = 'manager'
           JOIN users u ON u.user_id = m.user_id AND u.disabled_at IS NULL
           GROUP BY t.team_id
           ORDER BY t.name"#,
        now.date_naive(),
        week - Duration::days(7),
    )
    .fetch_all(&mut *tx)
    .await?;
    for team in teams {
        let summary = Week {
            counts: Counts::of(team.items, team.done, team.not_applicable),
            done_last_week: i64::from(team.done_last_week),
            overdue: team.overdue,
            open_requests: team.open_requests,
        };
        notify(
            &mut tx,
            NoticeKind::Checklists,
            &team.managers,
            Uuid::nil(),
            &weekly_summary(&team.name, summary),
            &format!("/teams/{}/checklist", team.slug),
            now,
        )
        .await?;
    }
    queue::finish_with(tx, job, now).await
}
