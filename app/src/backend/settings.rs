//! Organization settings.

use chrono::{DateTime, Utc};
use sqlx::PgPool;

use super::audit::{self, NewEvent};
use super::users::Principal;
use crate::api::Settings;
use crate::domain::{AuditAction, DisplayName};
use crate::error::AppError;

pub async fn get(pool: &PgPool) -> Result<Settings, AppError> {
    sqlx::query_as!(
        Settings,
        "SELECT name, require_totp_for_all FROM organization WHERE organization_id = 1"
    )
    .fetch_optional(pool)
    .await?
    .ok_or(AppError::NotFound)
}

pub async fn update(
    pool: &PgPool,
    admin: &Principal,
    name: &str,
    require_totp_for_all: bool,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    let name = DisplayName::parse(name).map_err(|m| AppError::invalid("name", m))?;
    let mut tx = pool.begin().await?;
    let before = sqlx::query_as!(
        Settings,
        "SELECT name, require_totp_for_all FROM organization WHERE organization_id = 1 FOR UPDATE"
    )
    .fetch_optional(&mut *tx)
    .await?
    .ok_or(AppError::NotFound)?;
    sqlx::query!(
        "UPDATE organization SET name = $1, require_totp_for_all = $2, updated_at = $3
         WHERE organization_id = 1",
        name.as_str(),
        require_totp_for_all,
        now
    )
    .execute(&mut *tx)
    .await?;
    let mut event = NewEvent::new(admin.actor(), AuditAction::SettingsChanged)
        .target("organization")
        .after(serde_json::json!({
            "name": name.as_str(),
            "require_totp_for_all": require_totp_for_all,
        }));
    event.before = Some(serde_json::json!({
        "name": before.name,
        "require_totp_for_all": before.require_totp_for_all,
    }));
    audit::append(&mut tx, event, now).await?;
    tx.commit().await?;
    Ok(())
}
