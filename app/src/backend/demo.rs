//! The demo organization: realistic base data so a first-time user sees a working portal.
//! Loading is idempotent: running it again changes nothing that is already there.

use chrono::{DateTime, Utc};
use sqlx::PgPool;

use super::audit::{self, NewEvent};
use crate::domain::{Actor, AuditAction, DisplayName, Slug};
use crate::error::AppError;

pub const DEMO_ORGANIZATION: &str = "Northwind Analytics (demo)";

/// (name, description) of each demo team; slugs are derived from the names.
pub const DEMO_TEAMS: &[(&str, &str)] = &[
    (
        "Platform Engineering",
        "Builds and runs the internal developer platform and CI.",
    ),
    (
        "Payments",
        "Card processing, settlement and the ledger services.",
    ),
    (
        "Data Science",
        "Forecasting models and the analytics warehouse.",
    ),
    (
        "Customer Support",
        "Answers customers by chat, mail and phone.",
    ),
    (
        "Legal & Compliance",
        "Contracts, regulatory reporting and the privacy office.",
    ),
    ("Marketing", "Campaigns, web content and brand."),
];

/// What a demo load added (zero everywhere when it had been loaded before).
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct DemoLoaded {
    pub organization: bool,
    pub teams: u64,
}

/// Loads the demo organization in one transaction, audited when it adds anything. A real
/// organization already set up is left untouched: demo data is only ever added to an empty
/// portal or to the demo itself.
pub async fn load(pool: &PgPool, now: DateTime<Utc>) -> Result<DemoLoaded, AppError> {
    let mut tx = pool.begin().await?;
    let existing =
        sqlx::query!("SELECT is_demo FROM organization WHERE organization_id = 1 FOR UPDATE")
            .fetch_optional(&mut *tx)
            .await?;
    if existing.as_ref().is_some_and(|org| !org.is_demo) {
        return Err(AppError::Conflict {
            message: "this portal holds a real organization; the demo is only loaded into an empty portal".into(),
        });
    }
    let mut loaded = DemoLoaded {
        organization: existing.is_none(),
        ..DemoLoaded::default()
    };
    if loaded.organization {
        let name =
            DisplayName::parse(DEMO_ORGANIZATION).map_err(|m| AppError::invalid("name", m))?;
        sqlx::query!(
            "INSERT INTO organization (organization_id, name, is_demo) VALUES (1, $1, true)",
            name.as_str()
        )
        .execute(&mut *tx)
        .await?;
    }
    for (name, description) in DEMO_TEAMS {
        let slug = Slug::from_name(name).map_err(|m| AppError::invalid("slug", m))?;
        loaded.teams += sqlx::query!(
            "INSERT INTO teams (slug, name, description) VALUES ($1, $2, $3)
             ON CONFLICT ON CONSTRAINT teams_slug_key DO NOTHING",
            slug.as_str(),
            name,
            description
        )
        .execute(&mut *tx)
        .await?
        .rows_affected();
    }
    if loaded.organization || loaded.teams > 0 {
        let event = NewEvent::new(Actor::Operator, AuditAction::DemoLoaded)
            .target("organization")
            .after(serde_json::json!({
                "organization_created": loaded.organization,
                "teams_added": loaded.teams,
            }));
        audit::append(&mut tx, event, now).await?;
    }
    tx.commit().await?;
    Ok(loaded)
}
