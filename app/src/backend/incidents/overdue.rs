//! Suspension past the review date. With the organization's overdue policy at "suspend", the
//! daily review job stops every tool still allowed whose review date has passed, as the kill
//! switch would (banner, open requests held, a signed receipt), signed by the portal's key
//! alone: no reviewer pulled it. A reviewer's signed reinstatement, which sets the next review,
//! brings it back.

use chrono::{DateTime, NaiveDate, Utc};
use sqlx::PgConnection;
use uuid::Uuid;

use super::kill_switch::{record, Plan, Stopper};
use crate::backend::platform::change::{today, Change};
use crate::backend::platform::signing::SigningKeys;
use crate::backend::registry::editing::as_valid;
use crate::backend::registry::tools::detail_in;
use crate::domain::Actor;
use crate::error::AppError;

/// Suspends each allowed tool whose review date is before `day`, in `conn`'s transaction;
/// returns their identifiers. Each is suspended under a savepoint: one that cannot be (its
/// stored entry broken, say) is logged and left as it is — flagged overdue by the policy check,
/// tried again the next day — instead of costing everyone the day's reminders.
pub async fn suspend_overdue(
    conn: &mut PgConnection,
    signing: &SigningKeys,
    day: NaiveDate,
    now: DateTime<Utc>,
) -> Result<Vec<String>, AppError> {
    let overdue = sqlx::query!(
        r#"SELECT tool_id, slug, next_review AS "next_review!" FROM tools
           WHERE status IN ('approved', 'approved_with_conditions') AND next_review < $1
           ORDER BY next_review, slug FOR UPDATE"#,
        day
    )
    .fetch_all(&mut *conn)
    .await?;
    let change = Change {
        actor: Actor::System,
        by: None,
        source: None,
        now,
        today: today(now)?,
    };
    let mut suspended = Vec::with_capacity(overdue.len());
    for tool in overdue {
        let mut savepoint = sqlx::Connection::begin(&mut *conn).await?;
        let due = (tool.tool_id, tool.slug.as_str(), tool.next_review);
        match suspend(&mut savepoint, signing, &change, due).await {
            Ok(()) => {
                savepoint.commit().await?;
                suspended.push(tool.slug);
            }
            Err(error) => {
                tracing::error!(tool = %tool.slug, %error, "could not suspend a tool past its review date");
                savepoint.rollback().await?;
            }
        }
    }
    Ok(suspended)
}

async fn suspend(
    conn: &mut PgConnection,
    signing: &SigningKeys,
    change: &Change,
    (tool_id, slug, review_due_on): (Uuid, &str, NaiveDate),
) -> Result<(), AppError> {
    let before = as_valid(&detail_in(conn, slug).await?)?;
    let plan = Plan {
        tool_id,
        reason: format!(
            "Its review was due on {review_due_on} and nobody reviewed it, so the portal \
             suspended it until a reviewer reinstates it"
        ),
        instead: before.rollback_plan.clone(),
        before,
        incident: None,
        stopper: Stopper::Portal { review_due_on },
    };
    record(conn, signing, change, plan).await?;
    Ok(())
}
