//! Reading the audit log: the filtered log admins page through, and the history of one target.

use std::collections::HashMap;

use sqlx::PgPool;

use crate::domain::{field_changes, Actor, AuditAction, AuditRecord};
use crate::error::AppError;
use crate::model::{AuditEntry, AuditPage, AuditQuery, HistoryEntry};

/// Events per page of the audit log.
pub const PAGE: i64 = 50;

fn parse_day(field: &str, input: &str) -> Result<Option<chrono::NaiveDate>, AppError> {
    let input = input.trim();
    if input.is_empty() {
        return Ok(None);
    }
    chrono::NaiveDate::parse_from_str(input, "%Y-%m-%d")
        .map(Some)
        .map_err(|_| AppError::invalid(field, "must be a date like 2026-11-24"))
}

fn parse_contains(field: &str, input: &str) -> Result<Option<String>, AppError> {
    let input = input.trim();
    if input.chars().count() > 200 {
        return Err(AppError::invalid(field, "must be at most 200 characters"));
    }
    Ok((!input.is_empty()).then(|| {
        // The text is matched literally: escape LIKE's wildcards.
        let escaped = input
            .replace('\\', "\\\\")
            .replace('%', "\\%")
            .replace('_', "\\_");
        format!("%{escaped}%")
    }))
}

/// One page of events matching `query`, newest first.
pub async fn search(pool: &PgPool, query: &AuditQuery) -> Result<AuditPage, AppError> {
    let action = match query.action.trim() {
        "" => None,
        name => Some(
            AuditAction::parse(name)
                .ok_or_else(|| AppError::invalid("action", "is not a known action"))?
                .as_str(),
        ),
    };
    let actor = parse_contains("actor", &query.actor)?;
    let target = parse_contains("target", &query.target)?;
    let from = parse_day("from", &query.from)?;
    let to = parse_day("to", &query.to)?;
    if let (Some(from), Some(to)) = (from, to) {
        if from > to {
            return Err(AppError::invalid("to", "must not be before the start date"));
        }
    }
    let start = from
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .map(|t| t.and_utc());
    let end = to
        .and_then(|d| d.succ_opt())
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .map(|t| t.and_utc());
    let rows = sqlx::query!(
        r#"SELECT seq, occurred_at, payload FROM audit_events
           WHERE ($1::text IS NULL OR action = $1)
             AND ($2::text IS NULL OR actor ILIKE $2)
             AND ($3::text IS NULL OR target ILIKE $3)
             AND ($4::timestamptz IS NULL OR occurred_at >= $4)
             AND ($5::timestamptz IS NULL OR occurred_at < $5)
             AND ($6::bigint IS NULL OR seq < $6)
           ORDER BY seq DESC LIMIT $7"#,
        action,
        actor,
        target,
        start,
        end,
        query.before,
        PAGE + 1
    )
    .fetch_all(pool)
    .await?;
    let shown = usize::try_from(PAGE).unwrap_or(usize::MAX);
    let more = rows.len() > shown;
    let entries: Vec<AuditEntry> = rows
        .into_iter()
        .take(shown)
        .filter_map(|row| {
            let record = readable(row.seq, &row.payload)?;
            let details = record
                .after
                .as_ref()
                .map(|after| match &record.before {
                    Some(before) => format!("{before} → {after}"),
                    None => after.to_string(),
                })
                .unwrap_or_default();
            Some(AuditEntry {
                seq: row.seq,
                at: row.occurred_at,
                action: record.action.as_str().to_owned(),
                actor: record.actor.label(),
                target: record.target.unwrap_or_default(),
                source: record.source.unwrap_or_default(),
                details,
            })
        })
        .collect();
    let next_before = more.then(|| entries.last().map(|e| e.seq)).flatten();
    Ok(AuditPage {
        entries,
        next_before,
    })
}

/// The newest `limit` changes of `target` (e.g. `tool:cursor`), each as the fields it changed;
/// refused sign-offs against it stay in the audit log, not in its history.
pub async fn history(
    pool: &PgPool,
    target: &str,
    limit: i64,
) -> Result<Vec<HistoryEntry>, AppError> {
    let rows = sqlx::query!(
        "SELECT seq, occurred_at, payload FROM audit_events
         WHERE target = $1 AND action NOT LIKE 'auth.%'
         ORDER BY seq DESC LIMIT $2",
        target,
        limit
    )
    .fetch_all(pool)
    .await?;
    let records: Vec<_> = rows
        .into_iter()
        .filter_map(|row| Some((row.seq, row.occurred_at, readable(row.seq, &row.payload)?)))
        .collect();
    // People are shown by name, as everywhere else; the log keeps the address they had.
    let ids: Vec<uuid::Uuid> = records
        .iter()
        .filter_map(|(_, _, record)| match &record.actor {
            Actor::User { user_id, .. } => uuid::Uuid::parse_str(user_id).ok(),
            _ => None,
        })
        .collect();
    let names: HashMap<String, String> = sqlx::query!(
        r#"SELECT user_id::text AS "id!", display_name FROM users WHERE user_id = ANY($1)"#,
        &ids
    )
    .fetch_all(pool)
    .await?
    .into_iter()
    .map(|row| (row.id, row.display_name))
    .collect();
    Ok(records
        .into_iter()
        .map(|(seq, at, record)| {
            let after = record.after.unwrap_or(serde_json::Value::Null);
            let actor = match record.actor {
                Actor::User { user_id, email } => names.get(&user_id).cloned().unwrap_or(email),
                Actor::Operator => "an operator".to_owned(),
                Actor::System => "the portal".to_owned(),
                Actor::Anonymous => "someone not signed in".to_owned(),
            };
            HistoryEntry {
                seq,
                at,
                actor,
                action: record.action.as_str().to_owned(),
                changes: field_changes(record.before.as_ref(), &after),
            }
        })
        .collect())
}

/// The event's record; one this release cannot read is left out of the page and logged
/// (verification still covers it).
fn readable(seq: i64, payload: &str) -> Option<AuditRecord> {
    serde_json::from_str(payload)
        .inspect_err(|error| tracing::error!(seq, %error, "an audit event cannot be read"))
        .ok()
}

/// Up to `limit` events after sequence number `after`, oldest first, as exported.
pub async fn export(
    pool: &PgPool,
    after: i64,
    limit: i64,
) -> Result<Vec<crate::model::ExportedEvent>, AppError> {
    let hex = |bytes: &[u8]| bytes.iter().map(|b| format!("{b:02x}")).collect::<String>();
    Ok(sqlx::query!(
        "SELECT seq, occurred_at, action, actor, target, payload, prev_hash, entry_hash
         FROM audit_events WHERE seq > $1 ORDER BY seq LIMIT $2",
        after,
        limit
    )
    .fetch_all(pool)
    .await?
    .into_iter()
    .map(|row| crate::model::ExportedEvent {
        seq: row.seq,
        occurred_at: row.occurred_at,
        action: row.action,
        actor: row.actor,
        target: row.target,
        payload: row.payload,
        prev_hash: hex(&row.prev_hash),
        entry_hash: hex(&row.entry_hash),
    })
    .collect())
}
