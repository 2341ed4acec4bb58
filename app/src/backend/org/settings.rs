//! Organization settings.

use chrono::{DateTime, Utc};
use sqlx::{PgConnection, PgPool};

use crate::backend::audit::{self, NewEvent};
use crate::backend::identity::users::Principal;
use crate::domain::registry::policy::{OverduePolicy, StalePolicy};
use crate::domain::requests::review_target::{DEFAULT_TARGET_DAYS, TARGET_RANGE};
use crate::domain::{AuditAction, DisplayName};
use crate::error::AppError;
use crate::model::Settings;

/// The settings; before anyone has named the organization (an admin made with
/// `server admin create`), an empty name.
pub async fn get(pool: &PgPool) -> Result<Settings, AppError> {
    Ok(sqlx::query_as!(
        Settings,
        r#"SELECT name, require_totp_for_all, max_review_months,
             stale_policy AS "stale_policy: StalePolicy", response_review_months,
             review_target_days, overdue_policy AS "overdue_policy: OverduePolicy"
           FROM organization WHERE organization_id = 1"#
    )
    .fetch_optional(pool)
    .await?
    .unwrap_or(Settings {
        name: String::new(),
        require_totp_for_all: true,
        max_review_months: DEFAULT_REVIEW_MONTHS,
        stale_policy: StalePolicy::Deny,
        response_review_months: DEFAULT_REVIEW_MONTHS,
        review_target_days: DEFAULT_TARGET_DAYS,
        overdue_policy: OverduePolicy::Warn,
    }))
}

/// What the daily review job does with a tool past its review date.
pub async fn overdue_policy<'e>(db: impl sqlx::PgExecutor<'e>) -> Result<OverduePolicy, AppError> {
    Ok(sqlx::query_scalar!(
        r#"SELECT overdue_policy AS "overdue_policy: OverduePolicy"
           FROM organization WHERE organization_id = 1"#
    )
    .fetch_optional(db)
    .await?
    .unwrap_or(OverduePolicy::Warn))
}

/// Working days a submitted request may wait before it is late (the list and the reminders
/// read it, each with what it has at hand: the pool, or its transaction).
pub async fn review_target_days<'e>(db: impl sqlx::PgExecutor<'e>) -> Result<i32, AppError> {
    Ok(
        sqlx::query_scalar!(
            "SELECT review_target_days FROM organization WHERE organization_id = 1"
        )
        .fetch_optional(db)
        .await?
        .unwrap_or(DEFAULT_TARGET_DAYS),
    )
}

/// An approval is reviewed at least this often unless the organization says otherwise.
pub const DEFAULT_REVIEW_MONTHS: i32 = 12;

/// The longest an approval may go without a review: a later review date widens what is
/// allowed, so it needs a decision.
pub async fn max_review_months(conn: &mut PgConnection) -> Result<u32, AppError> {
    let months =
        sqlx::query_scalar!("SELECT max_review_months FROM organization WHERE organization_id = 1")
            .fetch_optional(&mut *conn)
            .await?
            .unwrap_or(DEFAULT_REVIEW_MONTHS);
    Ok(u32::try_from(months).unwrap_or(12))
}

/// The settings as the form sends them.
pub struct SettingsForm<'a> {
    pub name: &'a str,
    pub require_totp_for_all: bool,
    pub max_review_months: &'a str,
    pub stale_policy: &'a str,
    pub response_review_months: &'a str,
    pub review_target_days: &'a str,
    pub overdue_policy: &'a str,
}

/// A number of months from 1 to 36 in `field`; empty means the default.
fn months(field: &str, input: &str) -> Result<i32, AppError> {
    match input.trim() {
        "" => Ok(DEFAULT_REVIEW_MONTHS),
        months => months
            .parse::<i32>()
            .ok()
            .filter(|m| (1..=36).contains(m))
            .ok_or_else(|| {
                AppError::invalid(field, "must be a whole number of months from 1 to 36")
            }),
    }
}

pub async fn update(
    pool: &PgPool,
    admin: &Principal,
    form: SettingsForm<'_>,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    let name = DisplayName::parse(form.name).map_err(|m| AppError::invalid("name", m))?;
    let require_totp_for_all = form.require_totp_for_all;
    let max_review_months = months("max_review_months", form.max_review_months)?;
    let response_review_months = months("response_review_months", form.response_review_months)?;
    let review_target_days = match form.review_target_days.trim() {
        "" => DEFAULT_TARGET_DAYS,
        days => days
            .parse::<i32>()
            .ok()
            .filter(|days| TARGET_RANGE.contains(days))
            .ok_or_else(|| {
                AppError::invalid(
                    "review_target_days",
                    "must be a whole number of working days from 1 to 30",
                )
            })?,
    };
    let stale_policy = match form.stale_policy.trim() {
        "" => StalePolicy::Deny,
        name => StalePolicy::parse(name).map_err(|m| AppError::invalid("stale_policy", m))?,
    };
    let overdue_policy = match form.overdue_policy.trim() {
        "" => OverduePolicy::Warn,
        name => OverduePolicy::parse(name).map_err(|m| AppError::invalid("overdue_policy", m))?,
    };
    let mut tx = pool.begin().await?;
    let before = sqlx::query_as!(
        Settings,
        r#"SELECT name, require_totp_for_all, max_review_months,
             stale_policy AS "stale_policy: StalePolicy", response_review_months,
             review_target_days, overdue_policy AS "overdue_policy: OverduePolicy"
           FROM organization WHERE organization_id = 1 FOR UPDATE"#
    )
    .fetch_optional(&mut *tx)
    .await?;
    // The first save names an organization that only had people so far.
    sqlx::query!(
        "INSERT INTO organization (organization_id, name, require_totp_for_all, max_review_months,
           stale_policy, response_review_months, review_target_days, overdue_policy,
           created_at, updated_at)
         VALUES (1, $1, $2, $4, $5, $6, $7, $8, $3, $3)
         ON CONFLICT (organization_id)
         DO UPDATE SET name = EXCLUDED.name, require_totp_for_all = EXCLUDED.require_totp_for_all,
                       max_review_months = EXCLUDED.max_review_months,
                       stale_policy = EXCLUDED.stale_policy,
                       response_review_months = EXCLUDED.response_review_months,
                       review_target_days = EXCLUDED.review_target_days,
                       overdue_policy = EXCLUDED.overdue_policy,
                       updated_at = EXCLUDED.updated_at",
        name.as_str(),
        require_totp_for_all,
        now,
        max_review_months,
        stale_policy.as_str(),
        response_review_months,
        review_target_days,
        overdue_policy.as_str()
    )
    .execute(&mut *tx)
    .await?;
    let mut event = NewEvent::new(admin.actor(), AuditAction::SettingsChanged)
        .target("organization")
        .after(serde_json::json!({
            "name": name.as_str(),
            "require_totp_for_all": require_totp_for_all,
            "max_review_months": max_review_months,
            "stale_policy": stale_policy,
            "response_review_months": response_review_months,
            "review_target_days": review_target_days,
            "overdue_policy": overdue_policy,
        }));
    event.before = before.map(|before| {
        serde_json::json!({
            "name": before.name,
            "require_totp_for_all": before.require_totp_for_all,
            "max_review_months": before.max_review_months,
            "stale_policy": before.stale_policy,
            "response_review_months": before.response_review_months,
            "review_target_days": before.review_target_days,
            "overdue_policy": before.overdue_policy,
        })
    });
    audit::append(&mut tx, event, now).await?;
    tx.commit().await?;
    Ok(())
}
