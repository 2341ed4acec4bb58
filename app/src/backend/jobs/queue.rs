//! The job table's operations. A job is enqueued in the transaction of the change that causes it
//! (so it exists exactly when that change committed), claimed by one instance at a time
//! (`FOR UPDATE SKIP LOCKED`) under a lease (an instance that dies mid-run leaves the job to be
//! claimed again when the lease has passed), then finished or failed: a failure waits
//! [`backoff`] and is tried again until its last attempt, after which the job is dead.

use chrono::{DateTime, TimeDelta, Utc};
use serde_json::Value;
use sqlx::{PgConnection, PgPool};

use crate::domain::jobs::{backoff, JobKind};
use crate::error::AppError;
use crate::model::DeadJobView;

/// A job to enqueue.
pub struct NewJob<'a> {
    pub kind: JobKind,
    pub payload: Value,
    pub run_at: DateTime<Utc>,
    /// Names a scheduled occurrence (`review_reminders:2026-12-07`) so that it is enqueued once
    /// however many instances schedule it.
    pub once_key: Option<&'a str>,
    pub max_attempts: i32,
}

/// Enqueues `job` on `conn` (the cause's transaction). Returns its id, or `None` when a job with
/// its `once_key` was enqueued before.
pub async fn enqueue(
    conn: &mut PgConnection,
    job: NewJob<'_>,
    now: DateTime<Utc>,
) -> Result<Option<i64>, AppError> {
    Ok(sqlx::query_scalar!(
        "INSERT INTO jobs (kind, payload, once_key, created_at, run_at, max_attempts)
         VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT ON CONSTRAINT jobs_once_key_unique DO NOTHING
         RETURNING job_id",
        job.kind as JobKind,
        job.payload,
        job.once_key,
        now,
        job.run_at,
        job.max_attempts,
    )
    .fetch_optional(&mut *conn)
    .await?)
}

/// A job this instance holds until `leased_until`.
#[derive(Debug, Clone)]
pub struct Claimed {
    pub id: i64,
    /// `Err` with the stored name when this build has no such kind (a newer instance's job, or a
    /// row nobody enqueued): it fails like any job, and dies after its attempts.
    pub kind: Result<JobKind, String>,
    pub payload: Value,
    /// Which attempt this is (1 for the first); finishing or failing names it, so an instance
    /// whose lease passed cannot end a job another instance has claimed since.
    pub attempt: i32,
    pub leased_until: DateTime<Utc>,
}

/// Claims the job due longest (`run_at` at or before `now`, not leased, attempts left), for
/// `lease`.
pub async fn claim(
    pool: &PgPool,
    now: DateTime<Utc>,
    lease: TimeDelta,
) -> Result<Option<Claimed>, AppError> {
    let leased_until = now + lease;
    let row = sqlx::query!(
        r#"UPDATE jobs SET attempts = attempts + 1, leased_until = $2
           WHERE job_id = (
               SELECT job_id FROM jobs
               WHERE done_at IS NULL AND dead_at IS NULL AND run_at <= $1
                 AND (leased_until IS NULL OR leased_until <= $1)
                 AND attempts < max_attempts
               ORDER BY run_at, job_id LIMIT 1
               FOR UPDATE SKIP LOCKED)
           RETURNING job_id, kind, payload, attempts"#,
        now,
        leased_until,
    )
    .fetch_optional(pool)
    .await?;
    Ok(row.map(|row| Claimed {
        id: row.job_id,
        kind: JobKind::parse(&row.kind).map_err(|_| row.kind),
        payload: row.payload,
        attempt: row.attempts,
        leased_until,
    }))
}

/// Marks `job` done on `conn` — the transaction holding the job's own writes, so they commit
/// together. `false` when the job is no longer this attempt's (its lease passed and it was
/// claimed again): the caller must roll its writes back.
pub async fn finish(
    conn: &mut PgConnection,
    job: &Claimed,
    now: DateTime<Utc>,
) -> Result<bool, AppError> {
    let finished = sqlx::query!(
        "UPDATE jobs SET done_at = $3, leased_until = NULL, last_error = NULL
         WHERE job_id = $1 AND attempts = $2 AND done_at IS NULL AND dead_at IS NULL",
        job.id,
        job.attempt,
        now,
    )
    .execute(&mut *conn)
    .await?;
    Ok(finished.rows_affected() == 1)
}

/// Ends `job` in `tx`, which holds its effects, and commits them together; rolls them back when
/// the job is no longer this attempt's (another instance claimed it after the lease passed, and
/// does the work itself).
pub async fn finish_with(
    mut tx: sqlx::Transaction<'_, sqlx::Postgres>,
    job: &Claimed,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    if finish(&mut tx, job, now).await? {
        tx.commit().await?;
    } else {
        tx.rollback().await?;
    }
    Ok(())
}

/// Marks dead the jobs whose last attempt never ended (the instance running it died, or the
/// handler outlived its lease): they are not claimed again. Returns how many.
pub async fn bury_abandoned(pool: &PgPool, now: DateTime<Utc>) -> Result<u64, AppError> {
    Ok(sqlx::query!(
        "UPDATE jobs SET dead_at = $1, leased_until = NULL,
             last_error = COALESCE(last_error || '; ', '') || 'its last attempt never ended'
         WHERE done_at IS NULL AND dead_at IS NULL AND attempts >= max_attempts
           AND leased_until <= $1",
        now,
    )
    .execute(pool)
    .await?
    .rows_affected())
}

/// What became of a failed attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Failed {
    /// Tried again at this time.
    RetryAt(DateTime<Utc>),
    /// That was its last attempt.
    Dead,
    /// The job was no longer this attempt's.
    NotHeld,
}

/// Records that `job`'s attempt failed with `error` (shown to admins: no secrets in it).
pub async fn fail(
    pool: &PgPool,
    job: &Claimed,
    error: &str,
    now: DateTime<Utc>,
) -> Result<Failed, AppError> {
    let error: String = error.chars().take(1000).collect();
    let retry_at = now + backoff(job.attempt);
    let row = sqlx::query!(
        r#"UPDATE jobs SET leased_until = NULL, last_error = $3,
               dead_at = CASE WHEN attempts >= max_attempts THEN $4::timestamptz END,
               run_at = CASE WHEN attempts >= max_attempts THEN run_at ELSE $5 END
           WHERE job_id = $1 AND attempts = $2 AND done_at IS NULL AND dead_at IS NULL
           RETURNING dead_at IS NOT NULL AS "dead!""#,
        job.id,
        job.attempt,
        error,
        now,
        retry_at,
    )
    .fetch_optional(pool)
    .await?;
    Ok(match row {
        None => Failed::NotHeld,
        Some(row) if row.dead => Failed::Dead,
        Some(_) => Failed::RetryAt(retry_at),
    })
}

/// The newest dead jobs (dead letters), for admins.
pub async fn dead_letters(pool: &PgPool) -> Result<Vec<DeadJobView>, AppError> {
    let rows = sqlx::query!(
        r#"SELECT job_id, kind, created_at, dead_at AS "dead_at!", attempts, last_error
           FROM jobs WHERE dead_at IS NOT NULL ORDER BY dead_at DESC, job_id DESC LIMIT 50"#
    )
    .fetch_all(pool)
    .await?;
    Ok(rows
        .into_iter()
        .map(|row| DeadJobView {
            id: row.job_id,
            kind: JobKind::parse(&row.kind)
                .map(|kind| kind.label().to_owned())
                .unwrap_or(row.kind),
            created: row.created_at,
            dead: row.dead_at,
            attempts: row.attempts,
            last_error: row.last_error.unwrap_or_default(),
        })
        .collect())
}

/// Gives dead job `id` its attempts again, due now, on `conn` (the admin's audited transaction).
/// `NotFound` unless it is dead.
pub async fn revive(
    conn: &mut PgConnection,
    id: i64,
    now: DateTime<Utc>,
) -> Result<String, AppError> {
    sqlx::query_scalar!(
        "UPDATE jobs SET dead_at = NULL, attempts = 0, run_at = $2, leased_until = NULL
         WHERE job_id = $1 AND dead_at IS NOT NULL
         RETURNING kind",
        id,
        now,
    )
    .fetch_optional(&mut *conn)
    .await?
    .ok_or(AppError::NotFound)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::jobs::MAX_ATTEMPTS;
    use serde_json::json;

    fn at(text: &str) -> DateTime<Utc> {
        text.parse().expect("time")
    }

    const LEASE: TimeDelta = TimeDelta::minutes(5);

    async fn add(pool: &PgPool, once_key: Option<&str>, max_attempts: i32) -> Option<i64> {
        let mut conn = pool.acquire().await.expect("connection");
        enqueue(
            &mut conn,
            NewJob {
                kind: JobKind::ReviewReminders,
                payload: json!({"n": 1}),
                run_at: at("2026-12-07T08:00:00Z"),
                once_key,
                max_attempts,
            },
            at("2026-12-07T07:00:00Z"),
        )
        .await
        .expect("enqueued")
    }

    async fn done(pool: &PgPool, job: &Claimed, now: DateTime<Utc>) -> bool {
        let mut conn = pool.acquire().await.expect("connection");
        finish(&mut conn, job, now).await.expect("finish")
    }

    #[sqlx::test(migrations = "../migrations")]
    async fn an_occurrence_is_enqueued_once_and_nothing_runs_before_its_time(pool: PgPool) {
        assert!(add(&pool, Some("review_reminders:2026-12-07"), 3)
            .await
            .is_some());
        assert!(add(&pool, Some("review_reminders:2026-12-07"), 3)
            .await
            .is_none());
        let early = claim(&pool, at("2026-12-07T07:59:59Z"), LEASE)
            .await
            .expect("claim");
        assert!(early.is_none());
        let job = claim(&pool, at("2026-12-07T08:00:00Z"), LEASE)
            .await
            .expect("claim")
            .expect("due");
        assert_eq!((job.kind, job.attempt), (Ok(JobKind::ReviewReminders), 1));
        assert!(claim(&pool, at("2026-12-07T08:00:01Z"), LEASE)
            .await
            .expect("claim")
            .is_none());
    }

    #[sqlx::test(migrations = "../migrations")]
    async fn instances_claiming_at_once_each_get_different_jobs(pool: PgPool) {
        for _ in 0..30 {
            add(&pool, None, 3).await;
        }
        let claimers = (0..4).map(|_| {
            let pool = pool.clone();
            tokio::spawn(async move {
                let mut mine = Vec::new();
                while let Some(job) = claim(&pool, at("2026-12-07T09:00:00Z"), LEASE)
                    .await
                    .expect("claim")
                {
                    mine.push(job.id);
                }
                mine
            })
        });
        let mut all = Vec::new();
        for claimer in claimers.collect::<Vec<_>>() {
            all.extend(claimer.await.expect("claimer"));
        }
        all.sort_unstable();
        let before = all.len();
        all.dedup();
        assert_eq!((before, all.len()), (30, 30));
    }

    #[sqlx::test(migrations = "../migrations")]
    async fn a_job_failing_twice_then_succeeding_waits_longer_each_time(pool: PgPool) {
        add(&pool, None, MAX_ATTEMPTS).await;
        let first = claim(&pool, at("2026-12-07T08:00:00Z"), LEASE)
            .await
            .expect("claim")
            .expect("due");
        let retry = fail(
            &pool,
            &first,
            "connection refused",
            at("2026-12-07T08:00:01Z"),
        )
        .await
        .expect("fail");
        assert_eq!(retry, Failed::RetryAt(at("2026-12-07T08:00:31Z")));
        assert!(claim(&pool, at("2026-12-07T08:00:30Z"), LEASE)
            .await
            .expect("claim")
            .is_none());
        let second = claim(&pool, at("2026-12-07T08:00:31Z"), LEASE)
            .await
            .expect("claim")
            .expect("due again");
        assert_eq!(second.attempt, 2);
        let retry = fail(&pool, &second, "HTTP 502", at("2026-12-07T08:00:32Z"))
            .await
            .expect("fail");
        assert_eq!(retry, Failed::RetryAt(at("2026-12-07T08:01:32Z")));
        let third = claim(&pool, at("2026-12-07T08:01:32Z"), LEASE)
            .await
            .expect("claim")
            .expect("due again");
        assert!(done(&pool, &third, at("2026-12-07T08:01:33Z")).await);
        let row = sqlx::query!("SELECT attempts, done_at, last_error FROM jobs")
            .fetch_one(&pool)
            .await
            .expect("job");
        assert_eq!(row.attempts, 3);
        assert_eq!(row.done_at, Some(at("2026-12-07T08:01:33Z")));
        assert_eq!(row.last_error, None);
    }

    #[sqlx::test(migrations = "../migrations")]
    async fn a_job_whose_instance_died_is_claimed_again_after_its_lease(pool: PgPool) {
        add(&pool, None, 3).await;
        let lost = claim(&pool, at("2026-12-07T08:00:00Z"), LEASE)
            .await
            .expect("claim")
            .expect("due");
        // The instance holding it stops answering; within the lease nobody else takes it.
        assert!(claim(&pool, at("2026-12-07T08:04:59Z"), LEASE)
            .await
            .expect("claim")
            .is_none());
        let again = claim(&pool, at("2026-12-07T08:05:00Z"), LEASE)
            .await
            .expect("claim")
            .expect("claimed again");
        assert_eq!((again.id, again.attempt), (lost.id, 2));
        // The first instance, back, can neither finish nor fail what is no longer its own.
        assert!(!done(&pool, &lost, at("2026-12-07T08:05:01Z")).await);
        assert_eq!(
            fail(&pool, &lost, "late", at("2026-12-07T08:05:01Z"))
                .await
                .expect("fail"),
            Failed::NotHeld
        );
        assert!(done(&pool, &again, at("2026-12-07T08:05:02Z")).await);
    }

    #[sqlx::test(migrations = "../migrations")]
    async fn past_its_last_attempt_a_job_is_dead_and_never_claimed_again(pool: PgPool) {
        add(&pool, None, 2).await;
        let mut now = at("2026-12-07T08:00:00Z");
        let first = claim(&pool, now, LEASE).await.expect("claim").expect("due");
        let Failed::RetryAt(retry_at) = fail(&pool, &first, "no", now).await.expect("fail") else {
            panic!("the first failure is retried");
        };
        now = retry_at;
        let second = claim(&pool, now, LEASE).await.expect("claim").expect("due");
        assert_eq!(
            fail(&pool, &second, "still no", now).await.expect("fail"),
            Failed::Dead
        );
        assert!(claim(&pool, now + TimeDelta::days(1), LEASE)
            .await
            .expect("claim")
            .is_none());
        let row = sqlx::query!("SELECT dead_at, last_error FROM jobs")
            .fetch_one(&pool)
            .await
            .expect("job");
        assert_eq!(row.dead_at, Some(now));
        assert_eq!(row.last_error.as_deref(), Some("still no"));
    }

    #[sqlx::test(migrations = "../migrations")]
    async fn a_last_attempt_that_never_ends_is_buried_not_run_again(pool: PgPool) {
        add(&pool, None, 1).await;
        let now = at("2026-12-07T08:00:00Z");
        claim(&pool, now, LEASE).await.expect("claim").expect("due");
        // Its instance died: past the lease it is not claimed again, and the sweep buries it.
        let later = now + LEASE + TimeDelta::seconds(1);
        assert!(claim(&pool, later, LEASE).await.expect("claim").is_none());
        assert_eq!(bury_abandoned(&pool, now).await.expect("sweep"), 0);
        assert_eq!(bury_abandoned(&pool, later).await.expect("sweep"), 1);
        let row = sqlx::query!("SELECT dead_at, last_error FROM jobs")
            .fetch_one(&pool)
            .await
            .expect("job");
        assert_eq!(row.dead_at, Some(later));
        assert_eq!(
            row.last_error.as_deref(),
            Some("its last attempt never ended")
        );
    }

    #[sqlx::test(migrations = "../migrations")]
    async fn a_kind_this_build_does_not_know_is_claimed_and_named(pool: PgPool) {
        sqlx::query(
            "INSERT INTO jobs (kind, payload, created_at, run_at, max_attempts)
             VALUES ('send_everything', '{}', now(), now(), 1)",
        )
        .execute(&pool)
        .await
        .expect("job");
        let job = claim(&pool, Utc::now() + TimeDelta::seconds(1), LEASE)
            .await
            .expect("claim")
            .expect("due");
        assert_eq!(job.kind, Err("send_everything".to_owned()));
        assert_eq!(
            fail(&pool, &job, "no handler", Utc::now())
                .await
                .expect("fail"),
            Failed::Dead
        );
    }
}
