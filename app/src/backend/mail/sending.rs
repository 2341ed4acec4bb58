//! The e-mail jobs: one notification mailed as it happens (`email`), and the daily digest,
//! fanned out to one job per person (`email_digests`, then `email_digest`). Each marks what it
//! mailed in the transaction that ends its job, so nothing is mailed twice by the portal; a crash
//! after the server took a mail and before that commit sends it again (at least once).

use chrono::{DateTime, TimeDelta, Utc};
use serde_json::Value;
use sqlx::PgPool;
use uuid::Uuid;

use crate::backend::jobs::queue::{self, Claimed};
use crate::backend::platform::services::Services;
use crate::domain::jobs::{JobKind, EMAIL_ATTEMPTS};
use crate::domain::notices::{digest as digest_mail, single, Mail, Notice, NoticeKind};
use crate::error::{AppError, OrInternal};

/// The hour (UTC) the daily digest leaves.
pub const DIGEST_HOUR: u32 = 7;

/// A digest covers what arrived in this window before it (older unread items are not news).
const DIGEST_WINDOW: TimeDelta = TimeDelta::days(7);

/// Most notifications one digest lists; the rest wait for the next day.
const DIGEST_MOST: i64 = 100;

/// When `day`'s digest is due.
pub fn digest_time(day: chrono::NaiveDate) -> DateTime<Utc> {
    day.and_hms_opt(DIGEST_HOUR, 0, 0)
        .unwrap_or_default()
        .and_utc()
}

/// Someone to mail, unless their account is disabled.
struct Recipient {
    email: String,
    name: String,
}

async fn recipient(pool: &PgPool, user_id: Uuid) -> Result<Option<Recipient>, AppError> {
    Ok(sqlx::query!(
        "SELECT email, display_name FROM users WHERE user_id = $1 AND disabled_at IS NULL",
        user_id
    )
    .fetch_optional(pool)
    .await?
    .map(|row| Recipient {
        email: row.email,
        name: row.display_name,
    }))
}

/// Sends `mail` to `to` when e-mail is set up: `Ok(false)` when it is not (the job ends unsent).
async fn send(services: &Services, to: &Recipient, mail: &Mail) -> Result<bool, AppError> {
    let Some(mailer) = &services.mailer else {
        tracing::warn!("e-mail is not set up (serve --smtp-host): a notification was not mailed");
        return Ok(false);
    };
    mailer
        .send(&to.email, &to.name, mail)
        .await
        .map_err(|message| AppError::Conflict { message })?;
    Ok(true)
}

/// Marks `mailed` and ends `job` in one transaction.
async fn finish(
    services: &Services,
    job: &Claimed,
    mailed: &[i64],
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    let mut tx = services.pool.begin().await?;
    sqlx::query!(
        "UPDATE notifications SET mailed_at = $2 WHERE notification_id = ANY($1)",
        mailed,
        now
    )
    .execute(&mut *tx)
    .await?;
    queue::finish_with(tx, job, now).await
}

/// Mails the notification job `job` names to its recipient (the `email` job).
#[tracing::instrument(skip_all, fields(job = job.id))]
pub async fn email(services: &Services, job: &Claimed) -> Result<(), AppError> {
    let id = job
        .payload
        .get("notification_id")
        .and_then(Value::as_i64)
        .ok_or_else(|| AppError::invalid("payload", "names no notification"))?;
    // What its recipient wants now: a choice changed, or the notification read in the portal,
    // since it was queued means no mail.
    let row = sqlx::query!(
        r#"SELECT n.user_id, n.message, n.link, n.kind AS "kind: NoticeKind",
             n.mailed_at IS NULL AND n.read_at IS NULL
               AND (n.kind = 'security'
                    OR EXISTS (SELECT 1 FROM notification_preferences p
                               WHERE p.user_id = n.user_id AND p.kind = n.kind
                                 AND p.delivery = 'email')) AS "wanted!"
           FROM notifications n WHERE n.notification_id = $1"#,
        id
    )
    .fetch_optional(&services.pool)
    .await?;
    let now = services.clock.now();
    // Gone with its account, mailed already (a digest took it first), read, or not wanted now.
    let Some(row) = row.filter(|row| row.wanted) else {
        return finish(services, job, &[], now).await;
    };
    let Some(to) = recipient(&services.pool, row.user_id).await? else {
        return finish(services, job, &[], now).await;
    };
    let notice = Notice {
        message: row.message,
        link: row.link,
        kind: row.kind,
    };
    let mailed = send(services, &to, &single(&notice, &services.public_url)).await?;
    let ids: &[i64] = if mailed { &[id] } else { &[] };
    finish(services, job, ids, now).await
}

/// Enqueues one `email_digest` job per person with something to put in today's digest (the
/// `email_digests` job), in the transaction that ends it.
#[tracing::instrument(skip_all, fields(job = job.id))]
pub async fn digests(services: &Services, job: &Claimed) -> Result<(), AppError> {
    let now = services.clock.now();
    // The day the job was scheduled for, so a run that slips past midnight does not take the
    // next day's occurrence.
    let day = job
        .payload
        .get("day")
        .and_then(Value::as_str)
        .map_or_else(|| now.date_naive().to_string(), str::to_owned);
    let mut tx = services.pool.begin().await?;
    if services.mailer.is_some() {
        let enqueued = sqlx::query!(
            "INSERT INTO jobs (kind, payload, once_key, created_at, run_at, max_attempts)
             SELECT $1, jsonb_build_object('user_id', due.user_id, 'up_to', $2::timestamptz),
                    $1 || ':' || $5 || ':' || due.user_id, $2, $2, $3
             FROM (SELECT DISTINCT n.user_id FROM notifications n
                   JOIN notification_preferences p
                     ON p.user_id = n.user_id AND p.kind = n.kind AND p.delivery = 'digest'
                   JOIN users u ON u.user_id = n.user_id AND u.disabled_at IS NULL
                   WHERE n.mailed_at IS NULL AND n.read_at IS NULL
                     AND n.created_at > $2::timestamptz - $4::interval
                     AND n.created_at <= $2) AS due
             ON CONFLICT ON CONSTRAINT jobs_once_key_unique DO NOTHING",
            JobKind::EmailDigest.as_str(),
            now,
            EMAIL_ATTEMPTS,
            pg_interval(DIGEST_WINDOW),
            day,
        )
        .execute(&mut *tx)
        .await?;
        tracing::info!(people = enqueued.rows_affected(), "daily digests enqueued");
    }
    queue::finish_with(tx, job, now).await
}

fn pg_interval(span: TimeDelta) -> sqlx::postgres::types::PgInterval {
    sqlx::postgres::types::PgInterval {
        months: 0,
        days: 0,
        microseconds: span.num_microseconds().unwrap_or(i64::MAX),
    }
}

/// Mails one person's digest: what they chose the digest for, neither read nor mailed, that
/// arrived in the week up to the job's time (the `email_digest` job).
#[tracing::instrument(skip_all, fields(job = job.id))]
pub async fn digest(services: &Services, job: &Claimed) -> Result<(), AppError> {
    #[derive(serde::Deserialize)]
    struct Payload {
        user_id: Uuid,
        up_to: DateTime<Utc>,
    }
    let payload: Payload =
        serde_json::from_value(job.payload.clone()).or_internal("reading a digest job")?;
    let now = services.clock.now();
    let Some(to) = recipient(&services.pool, payload.user_id).await? else {
        return finish(services, job, &[], now).await;
    };
    let rows = sqlx::query!(
        r#"SELECT n.notification_id, n.message, n.link, n.kind AS "kind: NoticeKind",
             count(*) OVER () AS "waiting!"
           FROM notifications n
           JOIN notification_preferences p
             ON p.user_id = n.user_id AND p.kind = n.kind AND p.delivery = 'digest'
           WHERE n.user_id = $1 AND n.mailed_at IS NULL AND n.read_at IS NULL
             AND n.created_at > $2::timestamptz - $3::interval AND n.created_at <= $2
           ORDER BY n.created_at, n.notification_id
           LIMIT $4"#,
        payload.user_id,
        payload.up_to,
        pg_interval(DIGEST_WINDOW),
        DIGEST_MOST
    )
    .fetch_all(&services.pool)
    .await?;
    let ids: Vec<i64> = rows.iter().map(|row| row.notification_id).collect();
    let waiting = rows
        .first()
        .map_or(0, |row| usize::try_from(row.waiting).unwrap_or(usize::MAX));
    let notices: Vec<Notice> = rows
        .into_iter()
        .map(|row| Notice {
            message: row.message,
            link: row.link,
            kind: row.kind,
        })
        .collect();
    // Everything was read since the job was enqueued: nothing to send.
    let Some(mail) = digest_mail(&notices, waiting, &services.public_url) else {
        return finish(services, job, &[], now).await;
    };
    let mailed = send(services, &to, &mail).await?;
    finish(services, job, if mailed { &ids } else { &[] }, now).await
}
