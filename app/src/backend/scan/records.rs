//! What is kept of a scan: who, from where, when, the size, the counts per class and the answer —
//! never the text. Each scan is one row in `scan_records` (no scan waits for the audit chain's
//! head); the [`Writer`] commits the rows of scans made at the same moment together. Once a
//! minute is over, [`flush`] writes each person's scans of the minute to the audit chain as one
//! `scan.performed` event and removes the rows, in one transaction.

use std::collections::BTreeMap;
use std::sync::{Mutex, PoisonError};

use chrono::{DateTime, DurationRound, TimeDelta, Utc};
use serde::Serialize;
use serde_json::{json, Value};
use sqlx::PgPool;
use tokio::sync::{mpsc, oneshot};

use super::scanning::ScanVia;
use crate::backend::audit::{append, NewEvent};
use crate::backend::platform::change::Change;
use crate::domain::{Actor, AuditAction};
use crate::error::{AppError, OrInternal};
use crate::model::{ClassCount, ScanVerdict};

/// Scans of one person in one minute listed one by one in its event; past this the event holds
/// the totals only (a gateway scanning every prompt).
pub const LISTED_PER_EVENT: usize = 20;
/// Rows written per flush, so one transaction stays small; the rest wait for the next.
const ROWS_PER_FLUSH: i64 = 50_000;
/// Rows committed together at most, and scans waiting to be written at most before the next
/// waits for room.
const ROWS_PER_COMMIT: usize = 256;

/// One scan, as recorded.
pub struct ScanRecord<'a> {
    pub via: ScanVia,
    pub size: usize,
    pub rules_version: i64,
    pub classes: &'a [ClassCount],
    pub verdict: Option<&'a ScanVerdict>,
}

/// A row of `scan_records`, as the insert reads it (`jsonb_to_recordset`).
#[derive(Serialize)]
struct Row {
    actor: String,
    actor_label: String,
    source: String,
    scanned_at: DateTime<Utc>,
    via: &'static str,
    size: i32,
    rules_version: i64,
    counts: Value,
    tool: Option<String>,
    team: Option<String>,
    allowed: Option<bool>,
}

impl Row {
    fn new(change: &Change, scan: &ScanRecord<'_>) -> Result<Self, AppError> {
        let counts: BTreeMap<&str, usize> = scan
            .classes
            .iter()
            .map(|c| (c.class.as_str(), c.count))
            .collect();
        Ok(Self {
            actor: serde_json::to_string(&change.actor).or_internal("serializing an actor")?,
            actor_label: change.actor.label(),
            source: change.source.map(|ip| ip.to_string()).unwrap_or_default(),
            scanned_at: change.now,
            via: scan.via.as_str(),
            size: i32::try_from(scan.size).or_internal("a scan's size")?,
            rules_version: scan.rules_version,
            counts: json!(counts),
            tool: scan.verdict.map(|v| v.tool.clone()),
            team: scan.verdict.map(|v| v.team.clone()),
            allowed: scan.verdict.map(|v| v.allowed),
        })
    }
}

/// A scan waiting for its row to be committed, and who to tell.
struct Waiting {
    row: Row,
    written: oneshot::Sender<Written>,
}

/// What became of a scan's row.
#[derive(Debug, Clone, Copy)]
enum Written {
    Committed,
    /// The database could not be reached (answered 503).
    Unavailable,
    /// The table refused the row, or something unexpected failed (logged where it arose).
    Failed,
}

/// Records scans with as few commits as the load allows (group commit). A scan's answer still
/// waits until its row is committed — nothing answered is held only in memory — but scans made
/// while a commit is under way are written together by the next: eight gateways scanning at
/// once cost one commit, not eight. One task per instance writes, started on first use and
/// again should it ever stop.
#[derive(Default)]
pub struct Writer {
    queue: Mutex<Option<mpsc::Sender<Waiting>>>,
}

impl std::fmt::Debug for Writer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Writer").finish_non_exhaustive()
    }
}

impl Writer {
    /// Records `scan` by `change`'s actor, returning once its row is committed.
    pub async fn record(
        &self,
        pool: &PgPool,
        change: &Change,
        scan: ScanRecord<'_>,
    ) -> Result<(), AppError> {
        let row = Row::new(change, &scan)?;
        let (written, answer) = oneshot::channel();
        self.queue(pool)
            .send(Waiting { row, written })
            .await
            .or_internal("handing a scan record to its writer")?;
        match answer.await {
            Ok(Written::Committed) => Ok(()),
            Ok(Written::Unavailable) => Err(AppError::Unavailable),
            Ok(Written::Failed) => Err(AppError::Internal),
            Err(error) => Err(error).or_internal("waiting for a scan record's commit"),
        }
    }

    /// The running writer's queue; a writer that stopped (a panic) is replaced.
    fn queue(&self, pool: &PgPool) -> mpsc::Sender<Waiting> {
        let mut queue = self.queue.lock().unwrap_or_else(PoisonError::into_inner);
        match queue.as_ref() {
            Some(running) if !running.is_closed() => running.clone(),
            _ => {
                let (sender, waiting) = mpsc::channel(ROWS_PER_COMMIT);
                tokio::spawn(write(pool.clone(), waiting));
                *queue = Some(sender.clone());
                sender
            }
        }
    }
}

/// The writer's life: takes every scan waiting (up to [`ROWS_PER_COMMIT`]), commits their rows
/// in one statement, answers each, and goes again, until the instance drops its [`Writer`].
async fn write(pool: PgPool, mut waiting: mpsc::Receiver<Waiting>) {
    let mut batch = Vec::with_capacity(ROWS_PER_COMMIT);
    while waiting.recv_many(&mut batch, ROWS_PER_COMMIT).await > 0 {
        let rows: Vec<&Row> = batch.iter().map(|w| &w.row).collect();
        let written = match insert(&pool, &rows).await {
            Ok(()) => Written::Committed,
            // One row the table refuses must not fail the scans beside it; nothing was
            // committed, so each is tried alone.
            Err(error) if refused(&error) && batch.len() > 1 => {
                for scan in batch.drain(..) {
                    let written = match insert(&pool, &[&scan.row]).await {
                        Ok(()) => Written::Committed,
                        Err(error) => failure(error),
                    };
                    let _ = scan.written.send(written);
                }
                continue;
            }
            // Unreachable or unexpected: every scan waiting hears it at once.
            Err(error) => failure(error),
        };
        for scan in batch.drain(..) {
            let _ = scan.written.send(written);
        }
    }
}

/// Whether the table refused the data (SQLSTATE classes 22 and 23): nothing was committed, and
/// the rest of the rows may be fine.
fn refused(error: &sqlx::Error) -> bool {
    error
        .as_database_error()
        .and_then(|db| db.code())
        .is_some_and(|code| code.starts_with("22") || code.starts_with("23"))
}

/// Logs `error` (and notices trouble with the database) once, for every scan it failed.
fn failure(error: sqlx::Error) -> Written {
    match AppError::from(error) {
        AppError::Unavailable => Written::Unavailable,
        _ => Written::Failed,
    }
}

/// Inserts `rows` in one statement (one commit).
async fn insert(pool: &PgPool, rows: &[&Row]) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "INSERT INTO scan_records (actor, actor_label, source, scanned_at, via, size,
                                   rules_version, counts, tool, team, allowed)
         SELECT actor, actor_label, source, scanned_at, via, size,
                rules_version, counts, tool, team, allowed
         FROM jsonb_to_recordset($1) AS r(actor text, actor_label text, source text,
              scanned_at timestamptz, via text, size integer, rules_version bigint,
              counts jsonb, tool text, team text, allowed boolean)",
        json!(rows),
    )
    .execute(pool)
    .await?;
    Ok(())
}

/// The totals of one person's scans from one source in one minute.
#[derive(Default)]
struct Summary {
    actor: String,
    source: String,
    scans: u64,
    bytes: u64,
    largest: i64,
    counts: BTreeMap<String, u64>,
    via: BTreeMap<String, u64>,
    allowed: u64,
    refused: u64,
    each: Vec<Value>,
}

/// Writes every scan of a minute that is over to the audit chain, one event per person, source
/// and minute, and removes the rows, in one transaction. Instances flushing at once take
/// different rows (`SKIP LOCKED`). Returns how many events were written.
pub async fn flush(pool: &PgPool, now: DateTime<Utc>) -> Result<usize, AppError> {
    let this_minute = now
        .duration_trunc(TimeDelta::minutes(1))
        .or_internal("truncating a time to its minute")?;
    let mut tx = pool.begin().await?;
    let mut rows = sqlx::query!(
        "DELETE FROM scan_records WHERE scan_record_id IN (
             SELECT scan_record_id FROM scan_records WHERE scanned_at < $1
             ORDER BY scan_record_id LIMIT $2 FOR UPDATE SKIP LOCKED)
         RETURNING scan_record_id, actor, actor_label, source, scanned_at, via, size,
                   rules_version, counts, tool, team, allowed",
        this_minute,
        ROWS_PER_FLUSH,
    )
    .fetch_all(&mut *tx)
    .await?;
    // In the order they were recorded (RETURNING promises none).
    rows.sort_by_key(|row| row.scan_record_id);
    let mut minutes: BTreeMap<(DateTime<Utc>, String, String), Summary> = BTreeMap::new();
    for row in rows {
        let minute = row
            .scanned_at
            .duration_trunc(TimeDelta::minutes(1))
            .or_internal("truncating a time to its minute")?;
        let summary = minutes
            .entry((minute, row.actor_label, row.source.clone()))
            .or_default();
        summary.actor = row.actor;
        summary.source = row.source;
        summary.scans += 1;
        summary.bytes += u64::try_from(row.size).unwrap_or_default();
        summary.largest = summary.largest.max(i64::from(row.size));
        if let Some(counts) = row.counts.as_object() {
            for (class, count) in counts {
                *summary.counts.entry(class.clone()).or_default() += count.as_u64().unwrap_or(0);
            }
        }
        *summary.via.entry(row.via.clone()).or_default() += 1;
        match row.allowed {
            Some(true) => summary.allowed += 1,
            Some(false) => summary.refused += 1,
            None => {}
        }
        if summary.each.len() < LISTED_PER_EVENT {
            summary.each.push(json!({
                "at": row.scanned_at,
                "via": row.via,
                "size": row.size,
                "rules_version": row.rules_version,
                "counts": row.counts,
                "tool": row.tool,
                "team": row.team,
                "allowed": row.allowed,
            }));
        }
    }
    let written = minutes.len();
    for ((minute, label, _), summary) in minutes {
        // A row no portal wrote must not stop every later scan from reaching the chain: it is
        // written as anonymous, with the label it carried.
        let (actor, unreadable) = match serde_json::from_str::<Actor>(&summary.actor) {
            Ok(actor) => (actor, None),
            Err(error) => {
                tracing::error!(%error, "a scan record's actor is unreadable; written as anonymous");
                (Actor::Anonymous, Some(label))
            }
        };
        let listed = usize::try_from(summary.scans).is_ok_and(|n| n <= LISTED_PER_EVENT);
        let mut after = json!({
            "minute": minute,
            "scans": summary.scans,
            "bytes": summary.bytes,
            "largest": summary.largest,
            "counts": summary.counts,
            "via": summary.via,
            "allowed": summary.allowed,
            "refused": summary.refused,
        });
        if listed {
            after["each"] = Value::Array(summary.each);
        }
        if let Some(label) = unreadable {
            after["actor_label"] = json!(label);
        }
        let event = NewEvent::new(actor, AuditAction::TextScanned)
            .source(summary.source.parse().ok())
            .after(after);
        append(&mut tx, event, now).await?;
    }
    tx.commit().await?;
    Ok(written)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::backend::audit::{export, verify, Verification};
    use crate::domain::AuditRecord;

    fn at(text: &str) -> DateTime<Utc> {
        text.parse().expect("time")
    }

    fn change(email: &str, now: &str) -> Change {
        Change {
            actor: Actor::User {
                user_id: uuid::Uuid::from_u128(email.len() as u128).to_string(),
                email: email.to_owned(),
            },
            by: None,
            source: Some("203.0.113.9".parse().expect("ip")),
            now: at(now),
            today: crate::backend::platform::change::today(at(now)).expect("day"),
        }
    }

    fn cards(count: usize) -> Vec<ClassCount> {
        vec![ClassCount {
            class: "customer-data".to_owned(),
            class_name: "Customer data".to_owned(),
            count,
            prohibited: true,
        }]
    }

    async fn scan(pool: &PgPool, who: &Change, classes: &[ClassCount], verdict: Option<bool>) {
        let verdict = verdict.map(|allowed| ScanVerdict {
            allowed,
            reason: String::new(),
            tool: "chatgpt".to_owned(),
            tool_name: "ChatGPT".to_owned(),
            team: "payments".to_owned(),
            blocked_classes: vec![],
        });
        Writer::default()
            .record(
                pool,
                who,
                ScanRecord {
                    via: ScanVia::Api,
                    size: 10_000,
                    rules_version: 4,
                    classes,
                    verdict: verdict.as_ref(),
                },
            )
            .await
            .expect("recorded");
    }

    #[sqlx::test(migrations = "../migrations")]
    async fn without_the_database_a_scan_is_answered_unavailable_at_once(pool: PgPool) {
        let writer = Writer::default();
        let who = change("gateway@example.com", "2026-12-07T10:00:30Z");
        let classes = cards(1);
        let scan = || ScanRecord {
            via: ScanVia::Api,
            size: 100,
            rules_version: 1,
            classes: &classes,
            verdict: None,
        };
        writer.record(&pool, &who, scan()).await.expect("recorded");
        pool.close().await;
        assert!(matches!(
            writer.record(&pool, &who, scan()).await,
            Err(AppError::Unavailable)
        ));
    }

    #[sqlx::test(migrations = "../migrations")]
    async fn scans_at_once_are_each_committed_and_a_refused_row_fails_only_itself(pool: PgPool) {
        let writer = std::sync::Arc::new(Writer::default());
        let scans = (0..40).map(|i| {
            let (writer, pool) = (writer.clone(), pool.clone());
            tokio::spawn(async move {
                let who = change("gateway@example.com", "2026-12-07T10:00:30Z");
                let classes = cards(1);
                writer
                    .record(
                        &pool,
                        &who,
                        ScanRecord {
                            via: ScanVia::Page,
                            // The table refuses an empty scan.
                            size: if i == 17 { 0 } else { 100 + i },
                            rules_version: 1,
                            classes: &classes,
                            verdict: None,
                        },
                    )
                    .await
            })
        });
        let mut refused = Vec::new();
        for (i, scan) in scans.collect::<Vec<_>>().into_iter().enumerate() {
            if scan.await.expect("task").is_err() {
                refused.push(i);
            }
        }
        assert_eq!(refused, vec![17]);
        let sizes: Vec<i32> = sqlx::query_scalar("SELECT size FROM scan_records ORDER BY size")
            .fetch_all(&pool)
            .await
            .expect("rows");
        assert_eq!(
            sizes,
            (0..40)
                .filter(|i| *i != 17)
                .map(|i| 100 + i)
                .collect::<Vec<i32>>()
        );
    }

    async fn events(pool: &PgPool) -> Vec<AuditRecord> {
        export(pool, 0, 100)
            .await
            .expect("export")
            .iter()
            .map(|event| serde_json::from_str(&event.payload).expect("a record"))
            .collect()
    }

    #[sqlx::test(migrations = "../migrations")]
    async fn each_person_s_minute_becomes_one_event(pool: PgPool) {
        let gateway = change("gateway@example.com", "2026-12-07T10:00:30Z");
        for i in 0..(LISTED_PER_EVENT + 5) {
            scan(&pool, &gateway, &cards(i % 3), Some(i % 2 == 0)).await;
        }
        let eli = change("eli@example.com", "2026-12-07T10:00:59Z");
        scan(&pool, &eli, &cards(2), None).await;
        scan(&pool, &eli, &[], Some(true)).await;
        // The next minute is not over yet.
        scan(
            &pool,
            &change("eli@example.com", "2026-12-07T10:01:00Z"),
            &[],
            None,
        )
        .await;

        assert_eq!(
            flush(&pool, at("2026-12-07T10:00:59Z"))
                .await
                .expect("flush"),
            0
        );
        assert_eq!(
            flush(&pool, at("2026-12-07T10:01:30Z"))
                .await
                .expect("flush"),
            2
        );
        assert_eq!(
            flush(&pool, at("2026-12-07T10:01:31Z"))
                .await
                .expect("flush"),
            0,
            "each once"
        );
        let records = events(&pool).await;
        assert_eq!(records.len(), 2);
        assert!(records
            .iter()
            .all(|r| r.action == AuditAction::TextScanned
                && r.source.as_deref() == Some("203.0.113.9")));
        let by = |email: &str| {
            records
                .iter()
                .find(|r| r.actor.label() == format!("user:{email}"))
                .and_then(|r| r.after.clone())
                .expect("an event")
        };
        let flood = by("gateway@example.com");
        assert_eq!(flood["scans"], 25);
        assert_eq!(flood["bytes"], 250_000);
        assert_eq!(
            flood["counts"]["customer-data"],
            (0..25).map(|i| i % 3).sum::<usize>()
        );
        assert_eq!(flood["allowed"], 13);
        assert_eq!(flood["refused"], 12);
        assert_eq!(flood["via"]["api"], 25);
        assert!(flood.get("each").is_none(), "a flood is summed: {flood}");
        let person = by("eli@example.com");
        assert_eq!(person["scans"], 2);
        let each = person["each"].as_array().expect("listed one by one");
        assert_eq!(each.len(), 2);
        assert_eq!(each[0]["counts"]["customer-data"], 2);
        assert_eq!(each[0]["size"], 10_000);
        assert_eq!(each[1]["tool"], "chatgpt");
        assert_eq!(each[1]["allowed"], true);
        assert_eq!(
            sqlx::query_scalar::<_, i64>("SELECT count(*) FROM scan_records")
                .fetch_one(&pool)
                .await
                .expect("count"),
            1,
            "the minute not over stays"
        );
        assert!(matches!(
            verify(&pool).await.expect("verify"),
            Verification::Intact { events: 2 }
        ));
    }

    /// A row no portal wrote (its actor unreadable) is written as anonymous with its label, and
    /// does not hold back the scans after it.
    #[sqlx::test(migrations = "../migrations")]
    async fn an_unreadable_row_does_not_stop_the_flush(pool: PgPool) {
        sqlx::query(
            "INSERT INTO scan_records (actor, actor_label, source, scanned_at, via, size,
                                       rules_version, counts)
             VALUES ('not json', 'user:forged@example.com', '', $1, 'api', 5, 1, '{}')",
        )
        .bind(at("2026-12-07T10:00:01Z"))
        .execute(&pool)
        .await
        .expect("forged row");
        scan(
            &pool,
            &change("eli@example.com", "2026-12-07T10:00:02Z"),
            &[],
            None,
        )
        .await;
        assert_eq!(
            flush(&pool, at("2026-12-07T10:02:00Z"))
                .await
                .expect("flush"),
            2
        );
        let records = events(&pool).await;
        let forged = records
            .iter()
            .find(|r| r.actor == Actor::Anonymous)
            .and_then(|r| r.after.clone())
            .expect("written as anonymous");
        assert_eq!(forged["actor_label"], "user:forged@example.com");
        assert!(records
            .iter()
            .any(|r| r.actor.label() == "user:eli@example.com"));
    }
}
