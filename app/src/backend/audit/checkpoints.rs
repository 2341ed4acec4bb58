//! Signed checkpoints of the audit chain, and checking a chain against them.

use chrono::{DateTime, Duration, SecondsFormat, Utc};
use sqlx::PgPool;

use crate::backend::platform::signing::SigningKeys;
use crate::domain::checkpoint::{CheckpointDocument, SignedCheckpoint, CHECKPOINT_VERSION};
use crate::error::AppError;

/// How often checkpoints are taken: after so many events, or so long after the last one when
/// there are new events.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cadence {
    pub events: i64,
    pub every: Duration,
}

impl Default for Cadence {
    fn default() -> Self {
        Self {
            events: 1000,
            every: Duration::minutes(10),
        }
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Takes a checkpoint of the chain as it stands when one is due, signed with the active key,
/// and keeps it. Any number of instances may call this: they take turns, and one checkpoint
/// is kept per head.
pub async fn take_if_due(
    pool: &PgPool,
    keys: &SigningKeys,
    cadence: Cadence,
    now: DateTime<Utc>,
) -> Result<Option<SignedCheckpoint>, AppError> {
    let mut tx = pool.begin().await?;
    // One instance at a time (the run-time role cannot lock the audit tables themselves).
    sqlx::query!("SELECT pg_advisory_xact_lock(hashtext('audit-checkpoint'))")
        .execute(&mut *tx)
        .await?;
    let head = sqlx::query!(
        "SELECT last_seq, last_hash FROM audit_chain_head WHERE audit_chain_head_id = 1"
    )
    .fetch_one(&mut *tx)
    .await?;
    let last =
        sqlx::query!("SELECT seq, taken_at FROM audit_checkpoints ORDER BY seq DESC LIMIT 1")
            .fetch_optional(&mut *tx)
            .await?;
    let due = match &last {
        _ if head.last_seq == 0 => false,
        None => true,
        Some(last) => {
            head.last_seq > last.seq
                && (head.last_seq - last.seq >= cadence.events
                    || now - last.taken_at >= cadence.every)
        }
    };
    if !due {
        return Ok(None);
    }
    let document = CheckpointDocument {
        checkpoint_version: CHECKPOINT_VERSION,
        seq: head.last_seq,
        head_hash: hex(&head.last_hash),
        taken_at: now.to_rfc3339_opts(SecondsFormat::Secs, true),
        key_id: keys.active().id.clone(),
    };
    let signed = keys.sign_checkpoint(&document)?;
    sqlx::query!(
        "INSERT INTO audit_checkpoints (seq, head_hash, taken_at, key_id, payload, signature)
         VALUES ($1, $2, $3, $4, $5, $6)",
        head.last_seq,
        &head.last_hash,
        now,
        signed.key_id,
        signed.payload,
        signed.signature
    )
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(Some(signed))
}

/// The checkpoints kept, oldest first, after sequence number `after`.
pub async fn list(
    pool: &PgPool,
    after: i64,
    limit: i64,
) -> Result<Vec<SignedCheckpoint>, AppError> {
    Ok(sqlx::query!(
        "SELECT key_id, payload, signature FROM audit_checkpoints WHERE seq > $1
         ORDER BY seq LIMIT $2",
        after,
        limit
    )
    .fetch_all(pool)
    .await?
    .into_iter()
    .map(|row| SignedCheckpoint {
        algorithm: "Ed25519".to_owned(),
        key_id: row.key_id,
        payload: row.payload,
        signature: row.signature,
    })
    .collect())
}

/// What is wrong with the chain as stored, held against `checkpoints` (kept outside the
/// database): a checkpoint that does not verify, an event it names that is gone, or one whose
/// hash is not the one signed — the chain was rewritten after the checkpoint was taken. Empty
/// when every checkpoint holds.
pub async fn mismatches(
    pool: &PgPool,
    keys: Option<&SigningKeys>,
    checkpoints: &[SignedCheckpoint],
) -> Result<Vec<String>, AppError> {
    let mut problems = vec![];
    for checkpoint in checkpoints {
        let Some(keys) = keys else {
            problems.push(format!(
                "checkpoint by key {} cannot be checked: no signing keys here",
                checkpoint.key_id
            ));
            continue;
        };
        let document = match keys.verify_checkpoint(checkpoint) {
            Ok(document) => document,
            Err(problem) => {
                problems.push(format!("a checkpoint does not verify: {problem}"));
                continue;
            }
        };
        let stored = sqlx::query_scalar!(
            "SELECT entry_hash FROM audit_events WHERE seq = $1",
            document.seq
        )
        .fetch_optional(pool)
        .await?;
        match stored {
            None => problems.push(format!(
                "event {} of the checkpoint taken {} is gone",
                document.seq, document.taken_at
            )),
            Some(hash) if hex(&hash) != document.head_hash => problems.push(format!(
                "event {} does not match the checkpoint taken {}: the chain was rewritten",
                document.seq, document.taken_at
            )),
            Some(_) => {}
        }
    }
    Ok(problems)
}

/// The chain re-computed from its first event, and held against every checkpoint kept in the
/// database and `outside` (copies kept elsewhere: a file, a SIEM). Without `keys` the chain is
/// still checked, and each checkpoint is reported as one that could not be.
pub async fn verification(
    pool: &PgPool,
    keys: Option<&SigningKeys>,
    outside: &[SignedCheckpoint],
) -> Result<crate::model::AuditVerification, AppError> {
    let mut checkpoints = list(pool, 0, i64::MAX).await?;
    checkpoints.extend_from_slice(outside);
    let problems = mismatches(pool, keys, &checkpoints).await?;
    let checked = i64::try_from(checkpoints.len()).unwrap_or(i64::MAX);
    Ok(match super::verify(pool).await? {
        super::Verification::Intact { events } => crate::model::AuditVerification {
            intact: problems.is_empty(),
            events,
            first_bad_seq: None,
            problem: None,
            checkpoints_checked: checked,
            checkpoint_problems: problems,
        },
        super::Verification::Broken { seq, problem } => crate::model::AuditVerification {
            intact: false,
            events: seq - 1,
            first_bad_seq: Some(seq),
            problem: Some(problem),
            checkpoints_checked: checked,
            checkpoint_problems: problems,
        },
    })
}
