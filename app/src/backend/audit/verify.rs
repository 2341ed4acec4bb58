//! Verifying the audit chain: re-computing every hash from the first event.

use super::chain::{entry_hash, GENESIS};
use crate::domain::AuditRecord;
use crate::error::AppError;
use chrono::{DateTime, Utc};
use sqlx::PgPool;

const VERIFY_PAGE: i64 = 1000;

/// The outcome of a verification.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verification {
    Intact {
        events: i64,
    },
    /// `seq` is the first sequence number at which the chain does not hold.
    Broken {
        seq: i64,
        problem: String,
    },
}

/// Re-computes every hash from the first event to the head.
pub async fn verify(pool: &PgPool) -> Result<Verification, AppError> {
    let mut expected_seq = 1;
    let mut prev_hash = GENESIS.to_vec();
    loop {
        let rows = sqlx::query!(
            "SELECT seq, prev_hash, entry_hash, payload, occurred_at, action, actor, target
             FROM audit_events WHERE seq >= $1 ORDER BY seq LIMIT $2",
            expected_seq,
            VERIFY_PAGE
        )
        .fetch_all(pool)
        .await?;
        let page_len = rows.len();
        for row in rows {
            let broken = |problem: &str| Verification::Broken {
                seq: expected_seq,
                problem: problem.to_owned(),
            };
            if row.seq != expected_seq {
                return Ok(broken("event missing"));
            }
            if row.prev_hash != prev_hash {
                return Ok(broken("does not link to the previous event"));
            }
            if entry_hash(row.seq, &row.prev_hash, row.payload.as_bytes())[..] != row.entry_hash[..]
            {
                return Ok(broken("content changed after it was recorded"));
            }
            let consistent = serde_json::from_str::<AuditRecord>(&row.payload).is_ok_and(|r| {
                r.action.as_str() == row.action
                    && r.actor.label() == row.actor
                    && r.target == row.target
                    && DateTime::parse_from_rfc3339(&r.at)
                        .is_ok_and(|at| at.with_timezone(&Utc) == row.occurred_at)
            });
            if !consistent {
                return Ok(broken("columns disagree with the recorded content"));
            }
            prev_hash = row.entry_hash;
            expected_seq += 1;
        }
        if i64::try_from(page_len).unwrap_or(i64::MAX) < VERIFY_PAGE {
            break;
        }
    }
    // A deleted tail leaves a consistent but shorter chain: the head still remembers it.
    let head = sqlx::query!(
        "SELECT last_seq, last_hash FROM audit_chain_head WHERE audit_chain_head_id = 1"
    )
    .fetch_one(pool)
    .await?;
    let events = expected_seq - 1;
    if head.last_seq != events || head.last_hash != prev_hash {
        return Ok(Verification::Broken {
            seq: events + 1,
            problem: "event missing at the end of the chain".into(),
        });
    }
    Ok(Verification::Intact { events })
}
