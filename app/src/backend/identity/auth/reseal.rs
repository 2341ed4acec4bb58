//! Rotating the TOTP sealing key: every stored secret (confirmed and in enrollment) is opened
//! with the old key and sealed with the new one in one transaction, so no secret is ever left
//! sealed with a key the portal no longer has.

use chrono::{DateTime, Utc};
use sqlx::PgPool;

use super::totp::SealingKey;
use crate::backend::audit::{self, NewEvent};
use crate::domain::{Actor, AuditAction};
use crate::error::AppError;

/// Re-seals every secret with `new`; returns how many. Audited, without any key material.
#[tracing::instrument(skip_all)]
pub async fn reseal_all(
    pool: &PgPool,
    old: &SealingKey,
    new: &SealingKey,
    now: DateTime<Utc>,
) -> Result<usize, AppError> {
    let mut tx = pool.begin().await?;
    let confirmed = sqlx::query!("SELECT user_id, secret_sealed FROM user_totp FOR UPDATE")
        .fetch_all(&mut *tx)
        .await?;
    for row in &confirmed {
        let secret = old.open(&row.secret_sealed, row.user_id)?;
        sqlx::query!(
            "UPDATE user_totp SET secret_sealed = $2 WHERE user_id = $1",
            row.user_id,
            new.seal(&secret, row.user_id)?
        )
        .execute(&mut *tx)
        .await?;
    }
    let pending = sqlx::query!("SELECT user_id, secret_sealed FROM totp_enrollments FOR UPDATE")
        .fetch_all(&mut *tx)
        .await?;
    for row in &pending {
        let secret = old.open(&row.secret_sealed, row.user_id)?;
        sqlx::query!(
            "UPDATE totp_enrollments SET secret_sealed = $2 WHERE user_id = $1",
            row.user_id,
            new.seal(&secret, row.user_id)?
        )
        .execute(&mut *tx)
        .await?;
    }
    let count = confirmed.len() + pending.len();
    let event = NewEvent::new(Actor::Operator, AuditAction::TotpKeyRotated)
        .target("totp_sealing_key")
        .after(serde_json::json!({ "secrets_resealed": count }));
    audit::append(&mut tx, event, now).await?;
    tx.commit().await?;
    Ok(count)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::backend::identity::auth::totp::{store_confirmed, TotpSecret};

    #[sqlx::test(migrations = "../migrations")]
    async fn every_secret_opens_with_the_new_key_and_not_the_old(pool: PgPool) {
        let old = SealingKey::from_bytes([1; 32]);
        let new = SealingKey::from_bytes([2; 32]);
        let ada = uuid::Uuid::new_v4();
        sqlx::query(
            "INSERT INTO users (user_id, email, display_name) VALUES ($1, 'ada@example.com', 'Ada')",
        )
        .bind(ada)
        .execute(&pool)
        .await
        .expect("user");
        let secret = TotpSecret::generate();
        let now = Utc::now();
        store_confirmed(
            &mut pool.acquire().await.expect("conn"),
            &old,
            ada,
            &secret,
            now,
        )
        .await
        .expect("stored");
        assert_eq!(
            reseal_all(&pool, &old, &new, now).await.expect("resealed"),
            1
        );
        let sealed: Vec<u8> = sqlx::query_scalar("SELECT secret_sealed FROM user_totp")
            .fetch_one(&pool)
            .await
            .expect("sealed");
        let opened = new.open(&sealed, ada).expect("opens with the new key");
        assert_eq!(opened.base32().expect("b32"), secret.base32().expect("b32"));
        assert!(old.open(&sealed, ada).is_err());
        // Run with the wrong old key: nothing changes.
        assert!(reseal_all(&pool, &old, &new, now).await.is_err());
        let after: Vec<u8> = sqlx::query_scalar("SELECT secret_sealed FROM user_totp")
            .fetch_one(&pool)
            .await
            .expect("sealed");
        assert_eq!(after, sealed);
    }
}
