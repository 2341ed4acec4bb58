//! Decision receipts as stored, for whoever may see the request they belong to.

use sqlx::PgPool;
use uuid::Uuid;

use crate::backend::identity::users::Principal;
use crate::backend::requests::party_of;
use crate::domain::requests::receipt::SignedReceipt;
use crate::error::AppError;

/// Receipt `receipt_id` and the number of its request; `NotFound` when it does not exist,
/// `Hidden` (the same answer on the wire, so ids reveal nothing) when `principal` may not see
/// the request.
pub async fn get(
    pool: &PgPool,
    principal: &Principal,
    receipt_id: Uuid,
) -> Result<(SignedReceipt, i64), AppError> {
    let row = sqlx::query!(
        r#"SELECT s.key_id, s.payload, s.signature, r.number, r.requester_id,
             EXISTS (SELECT 1 FROM team_members m WHERE m.team_id = r.team_id
                     AND m.user_id = $2 AND m.membership = 'manager') AS "is_team_manager!"
           FROM request_signoffs s JOIN tool_requests r ON r.request_id = s.request_id
           WHERE s.receipt_id = $1"#,
        receipt_id,
        principal.user_id
    )
    .fetch_optional(pool)
    .await?
    .ok_or(AppError::NotFound)?;
    party_of(principal, row.requester_id, row.is_team_manager).ok_or(AppError::Hidden)?;
    Ok((
        SignedReceipt {
            algorithm: "Ed25519".to_owned(),
            key_id: row.key_id,
            payload: row.payload,
            signature: row.signature,
        },
        row.number,
    ))
}

/// Receipt `receipt_id`, a decision's or a kill switch's, with its request's number (`None`:
/// a kill switch); `NotFound`/`Hidden` as [`get`].
pub async fn find(
    pool: &PgPool,
    principal: &Principal,
    receipt_id: Uuid,
) -> Result<(SignedReceipt, Option<i64>), AppError> {
    match get(pool, principal, receipt_id).await {
        Ok((receipt, number)) => Ok((receipt, Some(number))),
        Err(AppError::NotFound) => Ok((get_stop(pool, receipt_id).await?, None)),
        Err(other) => Err(other),
    }
}

/// Kill-switch receipt `receipt_id`: every signed-in person may read it (everyone affected was
/// told of the stop); `NotFound` when there is none.
async fn get_stop(pool: &PgPool, receipt_id: Uuid) -> Result<SignedReceipt, AppError> {
    let row = sqlx::query!(
        "SELECT key_id, payload, signature FROM tool_stops WHERE stop_id = $1",
        receipt_id
    )
    .fetch_optional(pool)
    .await?
    .ok_or(AppError::NotFound)?;
    Ok(SignedReceipt {
        algorithm: "Ed25519".to_owned(),
        key_id: row.key_id,
        payload: row.payload,
        signature: row.signature,
    })
}
