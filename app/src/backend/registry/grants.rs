//! Every "yes" traces to a receipt. `tool_grants` holds one row per (tool, data class, team) a
//! tool allows (team NULL: every team), naming the signed receipt of the final approval that
//! granted it. Each registry write brings a tool's grants in line with what it allows: pairs it
//! no longer allows go, pairs it newly allows need the receipt of the decision writing it. A
//! pair the tool allows that no decision granted is refused, so a widening can only ever come
//! from the workflow.

use chrono::{DateTime, Utc};
use sqlx::PgConnection;
use uuid::Uuid;

use crate::error::AppError;

/// Brings `tool_id`'s grants in line with what it allows now. `receipt` is the final approval
/// writing the change, if it is one; narrowing from every team to named teams keeps the
/// receipt that granted every team.
pub async fn sync(
    conn: &mut PgConnection,
    tool_id: Uuid,
    receipt: Option<Uuid>,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    let missing = sqlx::query!(
        r#"WITH allowed AS (
             SELECT td.data_class_id, scope.team_id
             FROM tools t
             JOIN tool_data_classes td ON td.tool_id = t.tool_id
             JOIN LATERAL (
               SELECT NULL::uuid AS team_id WHERE t.all_teams
               UNION ALL
               SELECT tt.team_id FROM tool_teams tt WHERE tt.tool_id = t.tool_id AND NOT t.all_teams
             ) scope ON true
             WHERE t.tool_id = $1 AND t.status IN ('approved', 'approved_with_conditions'))
           SELECT a.data_class_id AS "data_class_id!", a.team_id,
             COALESCE($2::uuid,
               (SELECT g.receipt_id FROM tool_grants g
                WHERE g.tool_id = $1 AND g.data_class_id = a.data_class_id AND g.team_id IS NULL))
               AS receipt_id
           FROM allowed a
           WHERE NOT EXISTS (SELECT 1 FROM tool_grants g
                             WHERE g.tool_id = $1 AND g.data_class_id = a.data_class_id
                               AND g.team_id IS NOT DISTINCT FROM a.team_id)"#,
        tool_id,
        receipt
    )
    .fetch_all(&mut *conn)
    .await?;
    for pair in missing {
        let Some(receipt_id) = pair.receipt_id else {
            tracing::error!(%tool_id, "a registry write widened what a tool allows without a decision");
            return Err(AppError::Conflict {
                message: "This change widens what the tool allows: it needs a decision signed off by reviewers.".into(),
            });
        };
        sqlx::query!(
            "INSERT INTO tool_grants (tool_id, data_class_id, team_id, receipt_id, granted_at)
             VALUES ($1, $2, $3, $4, $5)",
            tool_id,
            pair.data_class_id,
            pair.team_id,
            receipt_id,
            now
        )
        .execute(&mut *conn)
        .await?;
    }
    sqlx::query!(
        "DELETE FROM tool_grants g
         WHERE g.tool_id = $1 AND NOT EXISTS (
           SELECT 1 FROM tools t
           JOIN tool_data_classes td ON td.tool_id = t.tool_id AND td.data_class_id = g.data_class_id
           WHERE t.tool_id = $1 AND t.status IN ('approved', 'approved_with_conditions')
             AND CASE WHEN t.all_teams THEN g.team_id IS NULL
                      ELSE EXISTS (SELECT 1 FROM tool_teams tt
                                   WHERE tt.tool_id = t.tool_id AND tt.team_id = g.team_id) END)",
        tool_id
    )
    .execute(&mut *conn)
    .await?;
    Ok(())
}
