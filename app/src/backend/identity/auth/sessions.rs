//! A person's browser sessions as rows: listed on their account page, ended one by one, or all
//! at once when their password, roles or status change. Session ids are never shown: each row is
//! named by a SHA-256 of its id instead.

use chrono::{DateTime, Utc};
use sqlx::{PgConnection, PgPool};
use uuid::Uuid;

use crate::error::AppError;

/// One signed-in session of a person.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionRow {
    /// Hex SHA-256 of the session id.
    pub handle: String,
    pub signed_in_at: Option<DateTime<Utc>>,
    pub last_seen_at: Option<DateTime<Utc>>,
    pub device: Option<String>,
    pub current: bool,
}

/// `user_id`'s unexpired sessions, most recently used first.
pub async fn list(
    pool: &PgPool,
    user_id: Uuid,
    current: Option<&str>,
    now: DateTime<Utc>,
) -> Result<Vec<SessionRow>, AppError> {
    let rows = sqlx::query!(
        r#"SELECT encode(sha256(convert_to(session_id, 'UTF8')), 'hex') AS "handle!",
                  session_id = $2 AS "current!",
                  to_timestamp((data->'auth'->>'signed_in_at')::bigint) AS signed_in_at,
                  to_timestamp((data->'auth'->>'last_seen_at')::bigint) AS last_seen_at,
                  data->'auth'->>'device' AS device
           FROM sessions
           WHERE user_id = $1 AND expires_at > $3
           ORDER BY (data->'auth'->>'last_seen_at')::bigint DESC NULLS LAST"#,
        user_id,
        current.unwrap_or(""),
        now
    )
    .fetch_all(pool)
    .await?;
    Ok(rows
        .into_iter()
        .map(|row| SessionRow {
            handle: row.handle,
            signed_in_at: row.signed_in_at,
            last_seen_at: row.last_seen_at,
            device: row.device,
            current: row.current,
        })
        .collect())
}

/// Ends the session named `handle` if it is one of `user_id`'s.
pub async fn end_one(conn: &mut PgConnection, user_id: Uuid, handle: &str) -> Result<(), AppError> {
    let ended = sqlx::query!(
        "DELETE FROM sessions
         WHERE user_id = $1 AND encode(sha256(convert_to(session_id, 'UTF8')), 'hex') = $2",
        user_id,
        handle
    )
    .execute(&mut *conn)
    .await?
    .rows_affected();
    if ended == 0 {
        return Err(AppError::NotFound);
    }
    Ok(())
}

/// Ends every session of `user_id` but `except` (the one making the request, if it is theirs).
pub async fn end_all(
    conn: &mut PgConnection,
    user_id: Uuid,
    except: Option<&str>,
) -> Result<u64, AppError> {
    // Half-finished sign-ins (password right, code still owed) end too: a password change
    // must not leave an attacker's pending code step alive.
    Ok(sqlx::query!(
        "DELETE FROM sessions
         WHERE (user_id = $1 OR data -> 'awaiting_code' ->> 'user_id' = $1::text)
           AND session_id <> $2",
        user_id,
        except.unwrap_or("")
    )
    .execute(&mut *conn)
    .await?
    .rows_affected())
}
