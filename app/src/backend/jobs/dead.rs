//! Dead letters: jobs that used up their attempts, which an admin reads and may try again.

use chrono::{DateTime, Utc};
use sqlx::PgPool;

use super::queue;
use crate::backend::audit::{self, NewEvent};
use crate::backend::identity::users::Principal;
use crate::domain::AuditAction;
use crate::error::AppError;

pub use queue::dead_letters as list;

/// Tries dead job `id` again from its first attempt (audited).
pub async fn retry(
    pool: &PgPool,
    admin: &Principal,
    id: i64,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    let mut tx = pool.begin().await?;
    let kind = queue::revive(&mut tx, id, now).await?;
    let event = NewEvent::new(admin.actor(), AuditAction::JobRetried)
        .target(format!("job:{id}"))
        .after(serde_json::json!({ "kind": kind }));
    audit::append(&mut tx, event, now).await?;
    tx.commit().await?;
    Ok(())
}
