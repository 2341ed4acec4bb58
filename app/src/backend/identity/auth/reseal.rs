//! Rotating the TOTP sealing key: every stored secret (second factors confirmed and in
//! enrollment, webhooks' signing secrets) is opened with the old key and sealed with the new one
//! in one transaction, so no secret is ever left sealed with a key the portal no longer has.

use chrono::{DateTime, Utc};
use sqlx::PgPool;

use super::totp::SealingKey;
use crate::backend::audit::{self, NewEvent};
use crate::backend::webhooks::hooks::seal_context;
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
    // A hook whose seal no longer opens was changed outside the portal: it stays unusable.
    let hooks = sqlx::query!(
        "SELECT webhook_id, url, format, events, sealed_secret FROM webhooks
         WHERE removed_at IS NULL FOR UPDATE"
    )
    .fetch_all(&mut *tx)
    .await?;
    let mut resealed_hooks = 0;
    let mut broken_hooks = vec![];
    for row in &hooks {
        let context = seal_context(row.webhook_id, &row.url, &row.format, &row.events);
        let Some(secret) = old.open_bytes(&row.sealed_secret, &context) else {
            tracing::error!(webhook_id = %row.webhook_id, "a webhook's secret does not open: left as it is");
            broken_hooks.push(row.webhook_id.to_string());
            continue;
        };
        sqlx::query!(
            "UPDATE webhooks SET sealed_secret = $2 WHERE webhook_id = $1",
            row.webhook_id,
            new.seal_bytes(&secret, &context)?
        )
        .execute(&mut *tx)
        .await?;
        resealed_hooks += 1;
    }
    let count = confirmed.len() + pending.len() + resealed_hooks;
    let event = NewEvent::new(Actor::Operator, AuditAction::TotpKeyRotated)
        .target("totp_sealing_key")
        .after(serde_json::json!({
            "secrets_resealed": count,
            // Changed outside the portal before the rotation: they stay unusable.
            "webhooks_not_opening": broken_hooks,
        }));
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
        let hook = uuid::Uuid::new_v4();
        let events = vec!["incident.opened".to_owned()];
        let context = seal_context(hook, "https://hooks.example.com/x", "json", &events);
        sqlx::query(
            "INSERT INTO webhooks (webhook_id, url, events, format, sealed_secret, created_at)
             VALUES ($1, 'https://hooks.example.com/x', $2, 'json', $3, now())",
        )
        .bind(hook)
        .bind(&events)
        .bind(old.seal_bytes(b"whsec_x", &context).expect("sealed"))
        .execute(&pool)
        .await
        .expect("hook");
        // A hook whose address was changed in the database: its seal no longer opens.
        sqlx::query(
            "INSERT INTO webhooks (webhook_id, url, events, format, sealed_secret, created_at)
             VALUES ($1, 'https://elsewhere.example.com/x', $2, 'json', $3, now())",
        )
        .bind(uuid::Uuid::new_v4())
        .bind(&events)
        .bind(old.seal_bytes(b"whsec_y", &context).expect("sealed"))
        .execute(&pool)
        .await
        .expect("tampered hook");
        assert_eq!(
            reseal_all(&pool, &old, &new, now).await.expect("resealed"),
            2,
            "the second factor and the intact hook"
        );
        let audited: String = sqlx::query_scalar(
            "SELECT payload FROM audit_events WHERE action = 'keys.totp_rotated'",
        )
        .fetch_one(&pool)
        .await
        .expect("audited");
        assert!(audited.contains("webhooks_not_opening"), "{audited}");
        let hook_sealed: Vec<u8> =
            sqlx::query_scalar("SELECT sealed_secret FROM webhooks WHERE webhook_id = $1")
                .bind(hook)
                .fetch_one(&pool)
                .await
                .expect("sealed");
        assert_eq!(
            new.open_bytes(&hook_sealed, &context).as_deref(),
            Some(&b"whsec_x"[..])
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
