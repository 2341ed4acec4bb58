//! Reminders that reach people without their looking, once a day (one job per kind and day
//! across every instance): each tool in use whose next review is 30 or 7 days away, or today, is
//! announced to the reviewers (and the day after it passes, as overdue — or, when the
//! organization suspends overdue tools, every tool past its date is suspended), and each request that became late that day (past the
//! organization's review target, in working days) to its reviewer; each open checklist item due
//! in 7 days or today is announced to its owner, and one that became overdue to its owner and its
//! team's managers (and to webhooks listening to `checklist.overdue`).

use chrono::{DateTime, Utc};
use serde_json::json;
use sqlx::PgPool;
use uuid::Uuid;

use super::queue::{self, Claimed, NewJob};
use super::summaries;
use crate::backend::incidents::suspend_overdue;
use crate::backend::notifications::{holders, notify};
use crate::backend::org::settings::overdue_policy;
use crate::backend::platform::change::{date, today};
use crate::backend::platform::services::Services;
use crate::backend::webhooks::{self, Event};
use crate::domain::jobs::{JobKind, MAX_ATTEMPTS};
use crate::domain::notices::NoticeKind;
use crate::domain::registry::policy::OverduePolicy;
use crate::domain::requests::review_target;
use crate::domain::webhooks::WebhookEvent;
use crate::domain::{Day, Role};
use crate::error::{AppError, OrInternal};

/// Days before a review on which the reviewers hear of it.
pub const DAYS_BEFORE: [i32; 3] = [30, 7, 0];

/// Days before an item's due date on which its owner hears of it.
pub const CHECKLIST_DAYS_BEFORE: [i32; 2] = [7, 0];

/// Enqueues `now`'s day's scheduled work unless some instance already has: the reminders at
/// once, the e-mail digests at [`DIGEST_HOUR`](crate::backend::mail::sending::DIGEST_HOUR) UTC,
/// and the managers' summaries of the week (Monday, same hour).
pub async fn schedule(pool: &PgPool, now: DateTime<Utc>) -> Result<(), AppError> {
    let day = today(now)?.to_string();
    let week = summaries::this_week(now);
    let mut conn = pool.acquire().await?;
    let digest_at = crate::backend::mail::sending::digest_time(now.date_naive());
    // (kind, when, the occurrence it is: its payload and once-key)
    for (kind, run_at, (name, occurrence)) in [
        (JobKind::ReviewReminders, now, ("day", day.clone())),
        (JobKind::ChecklistReminders, now, ("day", day.clone())),
        (JobKind::EmailDigests, digest_at, ("day", day.clone())),
        (
            JobKind::ManagerSummaries,
            summaries::due(week),
            ("week", week.to_string()),
        ),
    ] {
        let mut payload = serde_json::Map::new();
        payload.insert(name.to_owned(), occurrence.clone().into());
        queue::enqueue(
            &mut conn,
            NewJob {
                kind,
                payload: payload.into(),
                run_at,
                once_key: Some(&format!("{}:{occurrence}", kind.as_str())),
                max_attempts: MAX_ATTEMPTS,
            },
            now,
        )
        .await?;
    }
    Ok(())
}

/// The day a reminder job names (not the day it runs: a retry reminds of its own day).
fn day_of(job: &Claimed) -> Result<Day, AppError> {
    Day::parse(
        job.payload
            .get("day")
            .and_then(|day| day.as_str())
            .unwrap_or_default(),
    )
    .or_internal("reading a reminder job's day")
}

/// The reviewers' reminders of the day `job` names: tools due for review, and requests that
/// became late that day.
pub async fn review_dates(services: &Services, job: &Claimed) -> Result<(), AppError> {
    let day = day_of(job)?;
    let now = services.clock.now();
    let mut tx = services.pool.begin().await?;
    late_requests(&mut tx, date(day)?, now).await?;
    let suspend = overdue_policy(&mut *tx).await? == OverduePolicy::Suspend;
    let due = sqlx::query!(
        r#"SELECT slug, name, next_review AS "next_review!", (next_review - $1::date) AS "days!"
           FROM tools
           WHERE status IN ('approved', 'approved_with_conditions')
             AND (next_review - $1::date = ANY($2) OR next_review = $1::date - 1)
           ORDER BY next_review, lower(name)"#,
        date(day)?,
        &DAYS_BEFORE,
    )
    .fetch_all(&mut *tx)
    .await?;
    if !due.is_empty() {
        let reviewers = holders(&mut tx, Role::Reviewer).await?;
        for tool in due {
            let message = match tool.days {
                // Suspending it tells them below.
                days if days < 0 && suspend => continue,
                0 => format!("{} is due for review today.", tool.name),
                days if days < 0 => format!(
                    "The review of {} was due on {} and is overdue: the policy check says so until it is reviewed.",
                    tool.name, tool.next_review
                ),
                days => format!(
                    "{} is due for review in {days} days, on {}.",
                    tool.name, tool.next_review
                ),
            };
            notify(
                &mut tx,
                NoticeKind::Reviews,
                &reviewers,
                Uuid::nil(),
                &message,
                &format!("/tools/{}", tool.slug),
                now,
            )
            .await?;
        }
    }
    if suspend {
        suspend_overdue(&mut tx, &services.signing_keys, date(day)?, now).await?;
    }
    queue::finish_with(tx, job, now).await
}

/// Tells the reviewer of each request that became late on `day` (every reviewer, when nobody
/// took it) that it has waited longer than the organization's target.
async fn late_requests(
    conn: &mut sqlx::PgConnection,
    day: chrono::NaiveDate,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    let target = crate::backend::org::settings::review_target_days(&mut *conn).await?;
    let waiting = sqlx::query!(
        r#"SELECT number, tool_name, assignee_id,
             COALESCE(submitted_at, created_at) AS "since!"
           FROM tool_requests WHERE state IN ('submitted', 'in_review')
           ORDER BY number"#
    )
    .fetch_all(&mut *conn)
    .await?;
    let mut reviewers = None;
    for request in waiting {
        if !review_target::became_late(request.since.date_naive(), day, target) {
            continue;
        }
        let told = match request.assignee_id {
            Some(assignee) => vec![assignee],
            None => match &reviewers {
                Some(all) => Vec::clone(all),
                None => {
                    let all = holders(conn, Role::Reviewer).await?;
                    reviewers = Some(all.clone());
                    all
                }
            },
        };
        let days = review_target::working_days_waited(request.since.date_naive(), day);
        notify(
            conn,
            NoticeKind::Requests,
            &told,
            Uuid::nil(),
            &format!(
                "Request #{} for {} is late: it has waited {days} working days for a decision (the target is {target}).",
                request.number, request.tool_name
            ),
            &format!("/requests/{}", request.number),
            now,
        )
        .await?;
    }
    Ok(())
}

/// The checklist reminders of the day `job` names: items due in 7 days or that day to their
/// owners; items overdue since that day to their owners and team managers, and to webhooks.
pub async fn checklist_dates(services: &Services, job: &Claimed) -> Result<(), AppError> {
    let day = day_of(job)?;
    let now = services.clock.now();
    let mut tx = services.pool.begin().await?;
    let due = sqlx::query!(
        r#"SELECT i.number, i.title, t.slug, t.name AS team, c.owner_id,
             c.due_date AS "due_date!", (c.due_date - $1::date) AS "days!",
             COALESCE(array_agg(m.user_id) FILTER (WHERE m.user_id IS NOT NULL), '{}')
               AS "managers!: Vec<Uuid>"
           FROM team_checklist_items c
           JOIN checklist_items i ON i.item_id = c.item_id
           JOIN teams t ON t.team_id = c.team_id
           LEFT JOIN team_members m ON m.team_id = c.team_id AND m.membership = 'manager'
           WHERE c.status IN ('not_started', 'in_progress') AND c.due_date IS NOT NULL
             AND i.retired_in_version IS NULL
             AND (c.due_date - $1::date = ANY($2) OR c.due_date = $1::date - 1)
           GROUP BY i.number, i.title, t.slug, t.name, c.owner_id, c.due_date
           ORDER BY c.due_date, t.slug, i.number"#,
        date(day)?,
        &CHECKLIST_DAYS_BEFORE,
    )
    .fetch_all(&mut *tx)
    .await?;
    for item in due {
        let what = format!(
            "Checklist item {} “{}” for {}",
            item.number, item.title, item.team
        );
        let link = format!("/teams/{}/checklist#item-{}", item.slug, item.number);
        let owner: Vec<Uuid> = item.owner_id.into_iter().collect();
        if item.days < 0 {
            let message = format!("{what} is overdue: it was due on {}.", item.due_date);
            let mut told = owner;
            told.extend(&item.managers);
            notify(
                &mut tx,
                NoticeKind::Checklists,
                &told,
                Uuid::nil(),
                &message,
                &link,
                now,
            )
            .await?;
            let data = json!({
                "team": item.slug,
                "item": item.number,
                "title": item.title,
                "due_date": item.due_date,
            });
            let event = Event {
                kind: WebhookEvent::ChecklistOverdue,
                summary: &message,
                link: &link,
                data,
            };
            webhooks::emit(&mut tx, event, now).await?;
        } else {
            let when = match item.days {
                0 => "today".to_owned(),
                days => format!("in {days} days, on {}", item.due_date),
            };
            let message = format!("{what} is due {when}.");
            notify(
                &mut tx,
                NoticeKind::Checklists,
                &owner,
                Uuid::nil(),
                &message,
                &link,
                now,
            )
            .await?;
        }
    }
    queue::finish_with(tx, job, now).await
}
