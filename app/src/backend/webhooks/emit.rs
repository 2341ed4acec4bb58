//! Writing an event's deliveries in the transaction of the change that makes it (an outbox):
//! they exist exactly when the change committed.

use chrono::{DateTime, Utc};
use serde_json::Value;
use sqlx::PgConnection;
use uuid::Uuid;

use crate::domain::jobs::{JobKind, MAX_ATTEMPTS};
use crate::domain::webhooks::{EventBody, WebhookEvent};
use crate::error::AppError;

/// An event as its cause describes it.
pub struct Event<'a> {
    pub kind: WebhookEvent,
    /// One sentence (the portal's own notification says the same).
    pub summary: &'a str,
    /// A path in the portal (`/requests/12`); made absolute when sent.
    pub link: &'a str,
    pub data: Value,
}

/// Writes a delivery (and its job) for every active hook listening to `event`; how many.
pub async fn emit(
    conn: &mut PgConnection,
    event: Event<'_>,
    now: DateTime<Utc>,
) -> Result<u64, AppError> {
    // Most changes have no listener: one indexed read (GIN on `events`) and nothing else.
    let hooks = sqlx::query_scalar!(
        "SELECT webhook_id FROM webhooks
         WHERE paused_at IS NULL AND removed_at IS NULL AND events @> ARRAY[$1::text]",
        event.kind.as_str()
    )
    .fetch_all(&mut *conn)
    .await?;
    write(conn, event, &hooks, now).await
}

/// Writes `event` for hook `webhook_id` alone, if it is active (an admin's test); how many.
pub async fn emit_to(
    conn: &mut PgConnection,
    webhook_id: Uuid,
    event: Event<'_>,
    now: DateTime<Utc>,
) -> Result<u64, AppError> {
    write(conn, event, &[webhook_id], now).await
}

async fn write(
    conn: &mut PgConnection,
    event: Event<'_>,
    hooks: &[Uuid],
    now: DateTime<Utc>,
) -> Result<u64, AppError> {
    if hooks.is_empty() {
        return Ok(0);
    }
    let id = Uuid::new_v4();
    let body = EventBody {
        id,
        event: event.kind,
        occurred_at: now,
        summary: event.summary.chars().take(500).collect(),
        link: event.link.to_owned(),
        data: event.data,
    };
    // One statement: a job per hook still active, and the deliveries naming their jobs.
    let written = sqlx::query!(
        r#"WITH queued AS (
               INSERT INTO jobs (kind, payload, created_at, run_at, max_attempts)
               SELECT $6, jsonb_build_object('event_id', $2::uuid, 'webhook_id', webhook_id),
                      $4, $4, $5
               FROM webhooks
               WHERE webhook_id = ANY($7) AND paused_at IS NULL AND removed_at IS NULL
               RETURNING job_id, (payload->>'webhook_id')::uuid AS webhook_id
           )
           INSERT INTO webhook_deliveries (event_id, webhook_id, event, body, created_at, job_id)
           SELECT $2, webhook_id, $1, $3, $4, job_id FROM queued"#,
        event.kind.as_str(),
        id,
        serde_json::to_value(&body).map_err(|error| {
            tracing::error!(%error, "a webhook event could not be written as JSON");
            AppError::Internal
        })?,
        now,
        MAX_ATTEMPTS,
        JobKind::WebhookDelivery.as_str(),
        hooks,
    )
    .execute(&mut *conn)
    .await?;
    Ok(written.rows_affected())
}

#[cfg(test)]
mod tests {
    use super::*;
    use sqlx::PgPool;

    async fn count(pool: &PgPool, table: &str) -> i64 {
        sqlx::query_scalar(&format!("SELECT count(*) FROM {table}"))
            .fetch_one(pool)
            .await
            .expect("count")
    }

    fn event() -> Event<'static> {
        Event {
            kind: WebhookEvent::IncidentOpened,
            summary: "Incident #1 reported.",
            link: "/incidents/1",
            data: serde_json::json!({ "number": 1 }),
        }
    }

    #[sqlx::test(migrations = "../migrations")]
    async fn deliveries_exist_exactly_when_their_cause_committed(pool: PgPool) {
        for (id, events, paused) in [
            (Uuid::new_v4(), "{incident.opened,tool.stopped}", false),
            (Uuid::new_v4(), "{tool.stopped}", false),
            (Uuid::new_v4(), "{incident.opened}", true),
        ] {
            sqlx::query(
                "INSERT INTO webhooks (webhook_id, url, events, format, sealed_secret, created_at,
                   paused_at)
                 VALUES ($1, 'https://hooks.example.com/x', $2::text[], 'json', '\\x00', now(),
                   CASE WHEN $3 THEN now() END)",
            )
            .bind(id)
            .bind(events)
            .bind(paused)
            .execute(&pool)
            .await
            .expect("hook");
        }
        let now = Utc::now();
        let mut tx = pool.begin().await.expect("tx");
        assert_eq!(emit(&mut tx, event(), now).await.expect("emitted"), 1);
        tx.rollback().await.expect("rolled back");
        assert_eq!(count(&pool, "webhook_deliveries").await, 0);
        assert_eq!(
            count(&pool, "jobs").await,
            0,
            "no job for a change that rolled back"
        );

        let mut tx = pool.begin().await.expect("tx");
        assert_eq!(
            emit(&mut tx, event(), now).await.expect("emitted"),
            1,
            "the listening, active hook only"
        );
        tx.commit().await.expect("committed");
        assert_eq!(count(&pool, "webhook_deliveries").await, 1);
        let named: i64 = sqlx::query_scalar(
            "SELECT count(*) FROM webhook_deliveries d JOIN jobs j ON j.job_id = d.job_id
             WHERE j.kind = 'webhook_delivery'
               AND j.payload->>'event_id' = d.event_id::text
               AND j.payload->>'webhook_id' = d.webhook_id::text",
        )
        .fetch_one(&pool)
        .await
        .expect("joined");
        assert_eq!(named, 1, "each delivery's job names it");
    }
}
