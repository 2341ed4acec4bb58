//! How each person hears of each kind of notification (no row: in the portal only).

use chrono::{DateTime, Utc};
use sqlx::PgPool;
use uuid::Uuid;

use crate::domain::notices::{Delivery, NoticeKind};
use crate::error::AppError;

/// `user_id`'s choice for every kind people choose for, in [`NoticeKind::ALL`]'s order.
pub async fn chosen(pool: &PgPool, user_id: Uuid) -> Result<Vec<(NoticeKind, Delivery)>, AppError> {
    let rows = sqlx::query!(
        r#"SELECT kind AS "kind: NoticeKind", delivery AS "delivery: Delivery"
           FROM notification_preferences WHERE user_id = $1"#,
        user_id
    )
    .fetch_all(pool)
    .await?;
    Ok(NoticeKind::ALL
        .iter()
        .filter(|kind| kind.chosen())
        .map(|kind| {
            let delivery = rows
                .iter()
                .find(|row| row.kind == *kind)
                .map_or(Delivery::App, |row| row.delivery);
            (*kind, delivery)
        })
        .collect())
}

/// Stores `choices` for `user_id` in one statement (kinds not named keep theirs).
pub async fn save(
    pool: &PgPool,
    user_id: Uuid,
    choices: &[(NoticeKind, Delivery)],
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    let kinds: Vec<&str> = choices.iter().map(|(kind, _)| kind.as_str()).collect();
    let deliveries: Vec<&str> = choices.iter().map(|(_, how)| how.as_str()).collect();
    sqlx::query!(
        "INSERT INTO notification_preferences (user_id, kind, delivery, updated_at)
         SELECT $1, kind, delivery, $4 FROM unnest($2::text[], $3::text[]) AS c (kind, delivery)
         ON CONFLICT (user_id, kind) DO UPDATE
           SET delivery = EXCLUDED.delivery, updated_at = EXCLUDED.updated_at
           WHERE notification_preferences.delivery <> EXCLUDED.delivery",
        user_id,
        &kinds as &[&str],
        &deliveries as &[&str],
        now
    )
    .execute(pool)
    .await?;
    Ok(())
}
