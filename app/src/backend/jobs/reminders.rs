//! Reminders that reach people without their looking: once a day (one job per day across every
//! instance), each tool in use whose next review is 30 or 7 days away, or today, is announced
//! to the reviewers in the portal.

use chrono::{DateTime, Utc};
use serde_json::json;
use sqlx::PgPool;
use uuid::Uuid;

use super::queue::{self, Claimed, NewJob};
use crate::backend::notifications::{holders, notify};
use crate::backend::platform::change::{date, today};
use crate::domain::jobs::{JobKind, MAX_ATTEMPTS};
use crate::domain::{Day, Role};
use crate::error::{AppError, OrInternal};

/// Days before a review on which the reviewers hear of it.
pub const DAYS_BEFORE: [i32; 3] = [30, 7, 0];

/// Enqueues the review reminders of `now`'s day unless some instance already has.
pub async fn schedule(pool: &PgPool, now: DateTime<Utc>) -> Result<(), AppError> {
    let day = today(now)?;
    let mut conn = pool.acquire().await?;
    queue::enqueue(
        &mut conn,
        NewJob {
            kind: JobKind::ReviewReminders,
            payload: json!({ "day": day }),
            run_at: now,
            once_key: Some(&format!("{}:{day}", JobKind::ReviewReminders.as_str())),
            max_attempts: MAX_ATTEMPTS,
        },
        now,
    )
    .await?;
    Ok(())
}

/// The reminders of the day `job` names (not the day it runs: a retry reminds of its own day),
/// written in one transaction with the job's end, so each is sent once.
pub async fn review_dates(
    services: &crate::backend::platform::services::Services,
    job: &Claimed,
) -> Result<(), AppError> {
    let day = Day::parse(
        job.payload
            .get("day")
            .and_then(|day| day.as_str())
            .unwrap_or_default(),
    )
    .or_internal("reading a review-reminder job's day")?;
    let now = services.clock.now();
    let mut tx = services.pool.begin().await?;
    let due = sqlx::query!(
        r#"SELECT slug, name, next_review AS "next_review!", (next_review - $1::date) AS "days!"
           FROM tools
           WHERE status IN ('approved', 'approved_with_conditions')
             AND next_review - $1::date = ANY($2)
           ORDER BY next_review, lower(name)"#,
        date(day)?,
        &DAYS_BEFORE,
    )
    .fetch_all(&mut *tx)
    .await?;
    if !due.is_empty() {
        let reviewers = holders(&mut tx, Role::Reviewer).await?;
        for tool in due {
            let when = match tool.days {
                0 => "today".to_owned(),
                days => format!("in {days} days, on {}", tool.next_review),
            };
            notify(
                &mut tx,
                &reviewers,
                Uuid::nil(),
                &format!("{} is due for review {when}.", tool.name),
                &format!("/tools/{}", tool.slug),
                now,
            )
            .await?;
        }
    }
    if queue::finish(&mut tx, job, now).await? {
        tx.commit().await?;
    } else {
        // Another instance took the job after this one's lease passed: it sends them.
        tx.rollback().await?;
    }
    Ok(())
}
