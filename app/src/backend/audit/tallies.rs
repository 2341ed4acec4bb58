//! Refusals anyone can cause at will — a cross-site post, a throttled sign-in, a denied or hidden
//! object — are counted per kind, actor, source and minute ([`count`]) and written to the chain
//! as one event with the count once the minute is over ([`flush`]). A flood costs one row
//! update per request and one audit event per minute, and nothing is lost.

use std::net::IpAddr;

use chrono::{DateTime, DurationRound, TimeDelta, Utc};
use sqlx::{PgConnection, PgPool};

use super::chain::{append, cut, NewEvent};
use crate::backend::identity::auth::throttle::address_key;
use crate::domain::{Actor, AuditAction};
use crate::error::{AppError, OrInternal};

/// Distinct targets kept per tally: enough to see what was probed.
const TARGETS_KEPT: i32 = 5;

/// Sources counted apart per action and minute; more (an attacker rotating addresses) are
/// counted together under `*`, so a minute costs at most this many events per action.
const SOURCES_PER_MINUTE: i64 = 100;

/// Where every source past [`SOURCES_PER_MINUTE`] is counted.
const MANY_SOURCES: &str = "*";

/// Counts one refused authorization (`access.denied`) in the background, after the answer
/// has left: a hidden object must not answer slower than a missing one. A failure to count is
/// logged; the refusal stands either way.
pub fn count_denial_later(
    pool: PgPool,
    actor: Actor,
    source: Option<IpAddr>,
    target: String,
    now: DateTime<Utc>,
) {
    // At most this many counts wait for a connection at once: a flood of refusals must not
    // pile up tasks without bound; past it, refusals are dropped from the count (and logged).
    static IN_FLIGHT: std::sync::OnceLock<std::sync::Arc<tokio::sync::Semaphore>> =
        std::sync::OnceLock::new();
    let permits = IN_FLIGHT.get_or_init(|| std::sync::Arc::new(tokio::sync::Semaphore::new(64)));
    let Ok(permit) = permits.clone().try_acquire_owned() else {
        tracing::warn!("refusals arrive faster than they are counted; one was not counted");
        return;
    };
    tokio::spawn(async move {
        let _permit = permit;
        let counted = async {
            let mut conn = pool.acquire().await?;
            count(
                &mut conn,
                AuditAction::AccessDenied,
                &actor,
                source,
                &target,
                now,
            )
            .await
        };
        if let Err(error) = counted.await {
            tracing::error!(?error, "could not count a refused authorization");
        }
    });
}

/// Counts one refusal of `action` by `actor` from `source`, on `target`, in `now`'s minute.
/// Sources are counted as the throttle counts them (IPv6 per /64).
pub async fn count(
    conn: &mut PgConnection,
    action: AuditAction,
    actor: &Actor,
    source: Option<IpAddr>,
    target: &str,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    let minute = now
        .duration_trunc(TimeDelta::minutes(1))
        .or_internal("truncating a time to its minute")?;
    let serialized = serde_json::to_string(actor).or_internal("serializing an actor")?;
    let mut source = source.map(address_key).unwrap_or_default();
    let crowded = sqlx::query_scalar!(
        r#"SELECT count(*) >= $3 AND NOT bool_or(source = $4) AS "crowded!"
           FROM audit_tallies WHERE action = $1 AND minute = $2"#,
        action.as_str(),
        minute,
        SOURCES_PER_MINUTE,
        source
    )
    .fetch_one(&mut *conn)
    .await?;
    if crowded {
        source = MANY_SOURCES.to_owned();
    }
    sqlx::query!(
        "INSERT INTO audit_tallies (action, actor, actor_label, source, minute, count, targets)
         VALUES ($1, $2, $3, $4, $5, 1, ARRAY[$6::text])
         ON CONFLICT (action, actor_label, source, minute) DO UPDATE
         SET count = audit_tallies.count + 1,
             targets = CASE
                 WHEN cardinality(audit_tallies.targets) < $7 AND NOT $6 = ANY(audit_tallies.targets)
                 THEN audit_tallies.targets || $6::text
                 ELSE audit_tallies.targets END",
        action.as_str(),
        serialized,
        actor.label(),
        source,
        minute,
        cut(target),
        TARGETS_KEPT,
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// Writes every tally of a minute that is over as one audit event and removes it, in one
/// transaction. Instances flushing at once each take different rows (`SKIP LOCKED`). Returns
/// how many events were written.
pub async fn flush(pool: &PgPool, now: DateTime<Utc>) -> Result<usize, AppError> {
    let this_minute = now
        .duration_trunc(TimeDelta::minutes(1))
        .or_internal("truncating a time to its minute")?;
    let mut tx = pool.begin().await?;
    let rows = sqlx::query!(
        "DELETE FROM audit_tallies WHERE (action, actor_label, source, minute) IN (
             SELECT action, actor_label, source, minute FROM audit_tallies
             WHERE minute < $1 ORDER BY minute FOR UPDATE SKIP LOCKED)
         RETURNING action, actor, source, minute, count, targets",
        this_minute
    )
    .fetch_all(&mut *tx)
    .await?;
    let mut rows = rows;
    rows.sort_by_key(|row| row.minute);
    for row in &rows {
        let Some(action) = AuditAction::parse(&row.action) else {
            tracing::error!(action = %row.action, "a tally of an unknown action: dropped");
            continue;
        };
        let actor: Actor =
            serde_json::from_str(&row.actor).or_internal("reading a tally's actor")?;
        let address = row.source.parse().ok();
        let mut after = serde_json::json!({
            "count": row.count,
            "minute": row.minute,
            "targets": row.targets,
        });
        if address.is_none() && !row.source.is_empty() {
            // An IPv6 /64, or `*` for sources past the per-minute limit.
            after["sources"] = serde_json::json!(row.source);
        }
        let mut event = NewEvent::new(actor, action).source(address).after(after);
        if let Some(first) = row.targets.first() {
            event = event.target(first.clone());
        }
        append(&mut tx, event, now).await?;
    }
    tx.commit().await?;
    Ok(rows.len())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::backend::audit::{export, verify, Verification};
    use crate::domain::AuditRecord;

    fn at(text: &str) -> DateTime<Utc> {
        text.parse().expect("time")
    }

    #[sqlx::test(migrations = "../migrations")]
    async fn a_flood_becomes_one_event_per_minute_with_its_count(pool: PgPool) {
        let source: Option<IpAddr> = Some("203.0.113.9".parse().expect("ip"));
        let mut conn = pool.acquire().await.expect("connection");
        let long = "/x".repeat(400);
        for i in 0..300 {
            let target = if i % 2 == 0 {
                "/requests/1"
            } else {
                long.as_str()
            };
            count(
                &mut conn,
                AuditAction::AccessDenied,
                &Actor::Anonymous,
                source,
                target,
                at("2026-12-02T10:00:30Z"),
            )
            .await
            .expect("count");
        }
        for extra in 0..8 {
            count(
                &mut conn,
                AuditAction::AccessDenied,
                &Actor::Anonymous,
                source,
                &format!("/t/{extra}"),
                at("2026-12-02T10:00:59Z"),
            )
            .await
            .expect("count");
        }
        // Another minute and another source are other tallies.
        count(
            &mut conn,
            AuditAction::AccessDenied,
            &Actor::Anonymous,
            None,
            "/a",
            at("2026-12-02T10:00:10Z"),
        )
        .await
        .expect("count");
        count(
            &mut conn,
            AuditAction::AccessDenied,
            &Actor::Anonymous,
            source,
            "/b",
            at("2026-12-02T10:01:00Z"),
        )
        .await
        .expect("count");

        assert_eq!(
            flush(&pool, at("2026-12-02T10:00:59Z"))
                .await
                .expect("flush"),
            0,
            "the minute is not over"
        );
        assert_eq!(
            flush(&pool, at("2026-12-02T10:01:05Z"))
                .await
                .expect("flush"),
            2
        );
        assert_eq!(
            flush(&pool, at("2026-12-02T10:01:06Z"))
                .await
                .expect("flush"),
            0,
            "each once"
        );

        let records: Vec<AuditRecord> = export(&pool, 0, 100)
            .await
            .expect("export")
            .iter()
            .map(|event| serde_json::from_str(&event.payload).expect("a record"))
            .collect();
        assert_eq!(records.len(), 2);
        assert!(records
            .iter()
            .all(|r| r.action == AuditAction::AccessDenied));
        let flood = records
            .iter()
            .find(|r| r.source.as_deref() == Some("203.0.113.9"))
            .expect("the flood's event");
        let after = flood.after.as_ref().expect("after");
        assert_eq!(after["count"], 308);
        let targets = after["targets"].as_array().expect("targets");
        assert_eq!(targets.len(), 5, "a few distinct targets, not all");
        assert!(targets
            .iter()
            .all(|t| t.as_str().expect("text").chars().count() <= 256));
        assert_eq!(flood.target.as_deref(), Some("/requests/1"));
        assert!(matches!(
            verify(&pool).await.expect("verify"),
            Verification::Intact { events: 2 }
        ));
    }
}
