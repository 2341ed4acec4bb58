//! Runs the queue's due jobs on any instance: each is claimed, handed to its kind's handler and
//! finished (in the handler's transaction) or failed (tried again later, or dead).

use std::sync::Arc;

use chrono::TimeDelta;

use super::queue::{self, Claimed, Failed};
use super::{reminders, summaries};
use crate::backend::mail::sending;
use crate::backend::platform::notified::{self, Wake};
use crate::backend::platform::services::Services;
use crate::backend::webhooks;
use crate::domain::jobs::JobKind;
use crate::error::AppError;

/// How long a claimed job is this instance's before another may take it (an instance killed
/// mid-run leaves its job for this long).
pub const LEASE: TimeDelta = TimeDelta::minutes(5);

/// How often a worker looks for due work without being woken (scheduled work, retries).
const POLL: std::time::Duration = std::time::Duration::from_secs(5);

/// The channel a committed job notifies (migration `jobs`).
pub const CHANNEL: &str = "portal_jobs";

/// Jobs one instance runs at once: a receiver that takes its ten seconds holds one of them,
/// not the queue.
pub const CONCURRENT: usize = 8;

/// Runs every job due now, up to [`CONCURRENT`] at once; returns how many ran.
pub async fn run_due(services: &Services) -> Result<usize, AppError> {
    let buried = queue::bury_abandoned(&services.pool, services.clock.now()).await?;
    if buried > 0 {
        tracing::error!(buried, "jobs whose last attempt never ended are dead");
    }
    let mut running = tokio::task::JoinSet::new();
    let mut ran = 0;
    let mut trouble = None;
    loop {
        while trouble.is_none() && running.len() < CONCURRENT {
            match queue::claim(&services.pool, services.clock.now(), LEASE).await {
                Ok(Some(job)) => {
                    ran += 1;
                    running.spawn(attempt(services.clone(), job));
                }
                Ok(None) => break,
                // The jobs already running end first: dropping them would abandon them.
                Err(error) => trouble = Some(error),
            }
        }
        if running.join_next().await.is_none() {
            break;
        }
    }
    trouble.map_or(Ok(ran), Err)
}

/// Runs claimed `job` and ends its attempt: finished by its handler, or failed here.
async fn attempt(services: Services, job: Claimed) {
    // On a task of its own, so a handler's panic fails its job.
    let handler = tokio::spawn(run(services.clone(), job.clone()));
    let message = match handler.await {
        Ok(Ok(())) => return,
        // What admins read of a failure: the message people see, never a statement's text.
        Ok(Err(error)) => {
            tracing::warn!(job = job.id, attempt = job.attempt, ?error, "a job failed");
            error.to_string()
        }
        Err(error) => {
            tracing::error!(job = job.id, attempt = job.attempt, %error, "a job's handler panicked");
            "the handler stopped unexpectedly".to_owned()
        }
    };
    match queue::fail(&services.pool, &job, &message, services.clock.now()).await {
        Ok(Failed::Dead) => tracing::error!(job = job.id, "a job is dead after its last attempt"),
        Ok(_) => {}
        // Its lease ends, and it is claimed again.
        Err(error) => tracing::warn!(
            job = job.id,
            ?error,
            "a job's failure could not be recorded"
        ),
    }
}

/// Hands `job` to its kind's handler.
async fn run(services: Services, job: Claimed) -> Result<(), AppError> {
    match &job.kind {
        Ok(JobKind::ReviewReminders) => reminders::review_dates(&services, &job).await,
        Ok(JobKind::ChecklistReminders) => reminders::checklist_dates(&services, &job).await,
        Ok(JobKind::WebhookDelivery) => webhooks::deliver::deliver(&services, &job).await,
        Ok(JobKind::Email) => sending::email(&services, &job).await,
        Ok(JobKind::EmailDigests) => sending::digests(&services, &job).await,
        Ok(JobKind::EmailDigest) => sending::digest(&services, &job).await,
        Ok(JobKind::ManagerSummaries) => summaries::weekly(&services, &job).await,
        Err(unknown) => Err(AppError::invalid(
            "kind",
            format!("no handler for jobs of kind {unknown:?} in this version"),
        )),
    }
}

/// The worker for as long as the runtime runs: schedules today's work, runs what is due, and
/// waits for a new job's notification or the next poll.
pub async fn run_forever(services: Services) {
    let wake = Arc::new(Wake::default());
    notified::spawn_listener(&services.pool, vec![(CHANNEL, wake.clone())]);
    let mut scheduled = None;
    loop {
        let now = services.clock.now();
        let today = now.date_naive();
        if scheduled != Some(today) {
            match reminders::schedule(&services.pool, now).await {
                Ok(()) => scheduled = Some(today),
                Err(error) => tracing::warn!(?error, "scheduling today's reminders failed"),
            }
        }
        if let Err(error) = run_due(&services).await {
            tracing::warn!(?error, "running due jobs failed");
        }
        tokio::select! {
            () = wake.notified() => {}
            () = tokio::time::sleep(POLL) => {}
        }
    }
}
