//! Organization settings.

use chrono::{DateTime, Utc};
use sqlx::PgPool;

use crate::backend::audit::{self, NewEvent};
use crate::backend::identity::users::Principal;
use crate::domain::{AuditAction, DisplayName};
use crate::error::AppError;
use crate::model::Settings;

/// The settings; before anyone has named the organization (an admin made with
/// `server admin create`), an empty name.
pub async fn get(pool: &PgPool) -> Result<Settings, AppError> {
    Ok(sqlx::query_as!(
        Settings,
        "SELECT name, require_totp_for_all FROM organization WHERE organization_id = 1"
    )
    .fetch_optional(pool)
    .await?
    .unwrap_or(Settings {
        name: String::new(),
        require_totp_for_all: false,
    }))
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
    .await?;
    // The first save names an organization that only had people so far.
    sqlx::query!(
        "INSERT INTO organization (organization_id, name, require_totp_for_all, created_at, updated_at)
         VALUES (1, $1, $2, $3, $3)
         ON CONFLICT (organization_id)
         DO UPDATE SET name = EXCLUDED.name, require_totp_for_all = EXCLUDED.require_totp_for_all,
                       updated_at = EXCLUDED.updated_at",
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
    event.before = before.map(|before| {
        serde_json::json!({
            "name": before.name,
            "require_totp_for_all": before.require_totp_for_all,
        })
    });
    audit::append(&mut tx, event, now).await?;
    tx.commit().await?;
    Ok(())
}
