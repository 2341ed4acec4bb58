//! In-app notifications: written in the same transaction as the change they announce, read and
//! marked read by their recipient only.

use chrono::{DateTime, Utc};
use sqlx::{PgConnection, PgPool};
use uuid::Uuid;

use crate::domain::jobs::{JobKind, EMAIL_ATTEMPTS};
use crate::domain::notices::NoticeKind;
use crate::domain::Role;
use crate::error::AppError;
use crate::model::{NotificationList, NotificationView};

/// How many notifications the list shows.
const SHOWN: i64 = 100;

/// Tells each of `recipients` (duplicates and `except` left out) `message` of `kind`, linking to
/// `link`; those who chose e-mail for `kind` (everyone, for security notices) get an `email` job
/// in the same statement (an outbox: mailed exactly when the cause commits).
pub async fn notify(
    conn: &mut PgConnection,
    kind: NoticeKind,
    recipients: &[Uuid],
    except: Uuid,
    message: &str,
    link: &str,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    let mut recipients: Vec<Uuid> = recipients
        .iter()
        .copied()
        .filter(|r| *r != except)
        .collect();
    recipients.sort_unstable();
    recipients.dedup();
    let message: String = message.chars().take(500).collect();
    sqlx::query!(
        "WITH written AS (
             INSERT INTO notifications (user_id, created_at, message, link, kind)
             SELECT unnest($1::uuid[]), $2, $3, $4, $5
             RETURNING notification_id, user_id
         )
         INSERT INTO jobs (kind, payload, created_at, run_at, max_attempts)
         SELECT $6, jsonb_build_object('notification_id', w.notification_id), $2, $2, $7
         FROM written w
         WHERE $5 = 'security'
            OR EXISTS (SELECT 1 FROM notification_preferences p
                       WHERE p.user_id = w.user_id AND p.kind = $5 AND p.delivery = 'email')",
        &recipients,
        now,
        message,
        link,
        kind.as_str(),
        JobKind::Email.as_str(),
        EMAIL_ATTEMPTS,
    )
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Every active reviewer: who hears of new work in the queue.
/// Everyone active who holds `role` (reviewers for new work, admins for security events).
pub async fn holders(conn: &mut PgConnection, role: Role) -> Result<Vec<Uuid>, AppError> {
    Ok(sqlx::query_scalar!(
        "SELECT r.user_id FROM user_roles r JOIN users u ON u.user_id = r.user_id
         WHERE r.role = $1 AND u.disabled_at IS NULL",
        role.as_str()
    )
    .fetch_all(&mut *conn)
    .await?)
}

pub async fn unread(pool: &PgPool, user_id: Uuid) -> Result<i64, AppError> {
    Ok(sqlx::query_scalar!(
        r#"SELECT count(*) AS "count!" FROM notifications WHERE user_id = $1 AND read_at IS NULL"#,
        user_id
    )
    .fetch_one(pool)
    .await?)
}

/// The newest notifications of `user_id`.
pub async fn list(pool: &PgPool, user_id: Uuid) -> Result<NotificationList, AppError> {
    let items = sqlx::query!(
        "SELECT notification_id, created_at, message, link, read_at FROM notifications
         WHERE user_id = $1 ORDER BY created_at DESC, notification_id DESC LIMIT $2",
        user_id,
        SHOWN
    )
    .fetch_all(pool)
    .await?
    .into_iter()
    .map(|row| NotificationView {
        id: row.notification_id,
        at: row.created_at,
        message: row.message,
        link: row.link,
        read: row.read_at.is_some(),
    })
    .collect();
    Ok(NotificationList {
        items,
        unread: unread(pool, user_id).await?,
    })
}

/// Marks notification `id` of `user_id` read (every unread one when `id` is `None`) and
/// returns the link of the one opened. Another person's notification is `NotFound`.
pub async fn mark_read(
    pool: &PgPool,
    user_id: Uuid,
    id: Option<i64>,
    now: DateTime<Utc>,
) -> Result<Option<String>, AppError> {
    match id {
        Some(id) => sqlx::query_scalar!(
            "UPDATE notifications SET read_at = COALESCE(read_at, $3)
             WHERE notification_id = $1 AND user_id = $2 RETURNING link",
            id,
            user_id,
            now
        )
        .fetch_optional(pool)
        .await?
        .map(Some)
        .ok_or(AppError::NotFound),
        None => {
            sqlx::query!(
                "UPDATE notifications SET read_at = $2 WHERE user_id = $1 AND read_at IS NULL",
                user_id,
                now
            )
            .execute(pool)
            .await?;
            Ok(None)
        }
    }
}
