//! The delivery log admins read, and sending a delivery again.

use chrono::{DateTime, Utc};
use sqlx::PgPool;

use super::address::shown;
use crate::backend::audit::{self, NewEvent};
use crate::backend::identity::users::Principal;
use crate::backend::jobs::queue::{self, NewJob};
use crate::domain::jobs::{JobKind, MAX_ATTEMPTS};
use crate::domain::AuditAction;
use crate::error::AppError;
use crate::model::{DeliveryState, DeliveryView};

/// How many deliveries the log shows.
const SHOWN: i64 = 50;

/// The newest deliveries.
pub async fn recent(pool: &PgPool, now: DateTime<Utc>) -> Result<Vec<DeliveryView>, AppError> {
    let rows = sqlx::query!(
        r#"SELECT d.delivery_id, d.created_at, d.event, d.attempts, d.last_status, d.last_error,
             d.delivered_at, w.url, w.description, w.paused_at, w.removed_at,
             j.done_at, j.dead_at, j.run_at, j.leased_until
           FROM webhook_deliveries d
           JOIN webhooks w ON w.webhook_id = d.webhook_id
           JOIN jobs j ON j.job_id = d.job_id
           ORDER BY d.created_at DESC, d.delivery_id DESC LIMIT $1"#,
        SHOWN
    )
    .fetch_all(pool)
    .await?;
    Ok(rows
        .into_iter()
        .map(|row| {
            let state = if row.delivered_at.is_some() {
                DeliveryState::Delivered
            } else if row.dead_at.is_some() {
                DeliveryState::Failed
            } else if row.done_at.is_some() {
                DeliveryState::NotSent
            } else if row.leased_until.is_some_and(|until| until > now) {
                DeliveryState::Sending
            } else if row.attempts > 0 {
                DeliveryState::Retrying
            } else {
                DeliveryState::Queued
            };
            let underway = matches!(
                state,
                DeliveryState::Queued | DeliveryState::Sending | DeliveryState::Retrying
            );
            DeliveryView {
                id: row.delivery_id,
                at: row.created_at,
                event: row.event,
                hook: if row.description.is_empty() {
                    shown(&row.url)
                } else {
                    row.description
                },
                state,
                attempts: row.attempts,
                last_status: row.last_status,
                last_error: row.last_error,
                next_attempt: (state == DeliveryState::Retrying).then_some(row.run_at),
                can_resend: !underway && row.paused_at.is_none() && row.removed_at.is_none(),
            }
        })
        .collect())
}

/// Sends delivery `id` again (a new job; the receiver sees the same event id). Refused while it
/// is underway or its hook is paused or removed.
pub async fn resend(
    pool: &PgPool,
    admin: &Principal,
    id: i64,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    let mut tx = pool.begin().await?;
    let row = sqlx::query!(
        r#"SELECT d.event_id, d.webhook_id, d.event, w.url, w.paused_at, w.removed_at,
             (j.done_at IS NULL AND j.dead_at IS NULL) AS "underway!"
           FROM webhook_deliveries d
           JOIN webhooks w ON w.webhook_id = d.webhook_id
           JOIN jobs j ON j.job_id = d.job_id
           WHERE d.delivery_id = $1
           FOR UPDATE OF d"#,
        id
    )
    .fetch_optional(&mut *tx)
    .await?
    .ok_or(AppError::NotFound)?;
    if row.removed_at.is_some() {
        return Err(AppError::Conflict {
            message: "Its webhook was removed: add it again to receive new events.".into(),
        });
    }
    if row.paused_at.is_some() {
        return Err(AppError::Conflict {
            message: "Its webhook is paused: resume it first.".into(),
        });
    }
    if row.underway {
        return Err(AppError::Conflict {
            message: "It is still being delivered; wait for it to succeed or fail.".into(),
        });
    }
    let job = queue::enqueue(
        &mut tx,
        NewJob {
            kind: JobKind::WebhookDelivery,
            payload: serde_json::json!({ "event_id": row.event_id, "webhook_id": row.webhook_id }),
            run_at: now,
            once_key: None,
            max_attempts: MAX_ATTEMPTS,
        },
        now,
    )
    .await?
    .ok_or(AppError::Internal)?;
    sqlx::query!(
        "UPDATE webhook_deliveries SET job_id = $2, delivered_at = NULL WHERE delivery_id = $1",
        id,
        job
    )
    .execute(&mut *tx)
    .await?;
    let event = NewEvent::new(admin.actor(), AuditAction::WebhookResent)
        .target(format!("webhook:{}", row.webhook_id))
        .after(serde_json::json!({
            "delivery": id,
            "event": row.event,
            "event_id": row.event_id,
            "url": shown(&row.url),
        }));
    audit::append(&mut tx, event, now).await?;
    tx.commit().await?;
    Ok(())
}
