//! Registering webhooks: added with a fresh secret (shown once, sealed at rest), paused, resumed,
//! removed; each change audited. A hook is never edited, so what its seal covers never changes.

use chrono::{DateTime, Utc};
use sqlx::PgPool;
use uuid::Uuid;

use super::address::{shown, Address};
use super::emit::{emit_to, Event};
use crate::backend::audit::{self, NewEvent};
use crate::backend::identity::auth::totp::SealingKey;
use crate::backend::identity::users::Principal;
use crate::backend::platform::secrets::random_token;
use crate::domain::webhooks::{WebhookEvent, WebhookFormat};
use crate::domain::AuditAction;
use crate::error::AppError;
use crate::model::WebhookView;

/// Active and paused hooks an organization may have at once.
const MOST: i64 = 50;

/// A hook as the form sends it.
pub struct HookForm<'a> {
    pub url: &'a str,
    pub description: &'a str,
    pub events: &'a [String],
    pub format: &'a str,
}

/// A valid hook, not yet stored.
struct Hook {
    url: Address,
    description: String,
    events: Vec<WebhookEvent>,
    format: WebhookFormat,
}

/// Checks `form` without storing anything.
pub fn check(form: &HookForm<'_>) -> Result<(), AppError> {
    parse(form).map(|_| ())
}

fn parse(form: &HookForm<'_>) -> Result<Hook, AppError> {
    let url = Address::parse(form.url).map_err(|m| AppError::invalid("url", m))?;
    let description = form.description.trim().to_owned();
    if description.chars().count() > 200 {
        return Err(AppError::invalid(
            "description",
            "must be at most 200 characters",
        ));
    }
    let mut events = Vec::new();
    for name in form.events {
        let event = WebhookEvent::parse(name)
            .ok()
            .filter(|event| *event != WebhookEvent::Test)
            .ok_or_else(|| AppError::invalid("events", format!("{name:?} is not an event")))?;
        if !events.contains(&event) {
            events.push(event);
        }
    }
    if events.is_empty() {
        return Err(AppError::invalid("events", "choose at least one event"));
    }
    events.sort();
    let format = match form.format.trim() {
        "" => WebhookFormat::Json,
        name => WebhookFormat::parse(name).map_err(|m| AppError::invalid("format", m))?,
    };
    Ok(Hook {
        url,
        description,
        events,
        format,
    })
}

/// What a hook's secret is sealed with: everything that decides where its events go.
pub fn seal_context(id: Uuid, url: &str, format: &str, events: &[String]) -> Vec<u8> {
    format!("webhook\n{id}\n{url}\n{format}\n{}", events.join(",")).into_bytes()
}

/// Adds a hook; returns its id and its secret (shown to the admin once).
#[tracing::instrument(skip_all)]
pub async fn add(
    pool: &PgPool,
    key: &SealingKey,
    admin: &Principal,
    form: HookForm<'_>,
    now: DateTime<Utc>,
) -> Result<(Uuid, String), AppError> {
    let hook = parse(&form)?;
    let id = Uuid::new_v4();
    let secret = random_token("whsec_");
    let events: Vec<String> = hook.events.iter().map(|e| e.as_str().to_owned()).collect();
    let sealed = key.seal_bytes(
        secret.as_bytes(),
        &seal_context(id, hook.url.as_str(), hook.format.as_str(), &events),
    )?;
    let mut tx = pool.begin().await?;
    // Serializes additions, so two at once cannot both pass the limit.
    sqlx::query!("SELECT pg_advisory_xact_lock(hashtext('webhooks.add'))")
        .execute(&mut *tx)
        .await?;
    let held =
        sqlx::query_scalar!(r#"SELECT count(*) AS "n!" FROM webhooks WHERE removed_at IS NULL"#)
            .fetch_one(&mut *tx)
            .await?;
    if held >= MOST {
        return Err(AppError::Conflict {
            message: format!("An organization can have at most {MOST} webhooks; remove one first."),
        });
    }
    sqlx::query!(
        "INSERT INTO webhooks (webhook_id, url, description, events, format, sealed_secret,
           created_at, created_by)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        id,
        hook.url.as_str(),
        hook.description,
        &events,
        hook.format.as_str(),
        sealed,
        now,
        admin.user_id,
    )
    .execute(&mut *tx)
    .await?;
    let event = NewEvent::new(admin.actor(), AuditAction::WebhookAdded)
        .target(format!("webhook:{id}"))
        .after(serde_json::json!({
            "url": shown(hook.url.as_str()),
            "description": hook.description,
            "events": events,
            "format": hook.format,
        }));
    audit::append(&mut tx, event, now).await?;
    tx.commit().await?;
    Ok((id, secret))
}

/// What an admin can do to a hook.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HookChange {
    Pause,
    Resume,
    Remove,
}

impl HookChange {
    pub fn parse(input: &str) -> Result<Self, AppError> {
        match input {
            "pause" => Ok(Self::Pause),
            "resume" => Ok(Self::Resume),
            "remove" => Ok(Self::Remove),
            _ => Err(AppError::invalid(
                "change",
                "must be pause, resume or remove",
            )),
        }
    }
}

/// Pauses, resumes or removes hook `id` (a removed hook is `NotFound`).
pub async fn change(
    pool: &PgPool,
    admin: &Principal,
    id: Uuid,
    change: HookChange,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    let mut tx = pool.begin().await?;
    let row = sqlx::query!(
        "UPDATE webhooks SET
           paused_at = CASE $2::text WHEN 'pause' THEN COALESCE(paused_at, $3)
                                     WHEN 'resume' THEN NULL ELSE paused_at END,
           removed_at = CASE $2::text WHEN 'remove' THEN $3 ELSE NULL END
         WHERE webhook_id = $1 AND removed_at IS NULL
         RETURNING url, description",
        id,
        match change {
            HookChange::Pause => "pause",
            HookChange::Resume => "resume",
            HookChange::Remove => "remove",
        },
        now,
    )
    .fetch_optional(&mut *tx)
    .await?
    .ok_or(AppError::NotFound)?;
    let action = match change {
        HookChange::Pause => AuditAction::WebhookPaused,
        HookChange::Resume => AuditAction::WebhookResumed,
        HookChange::Remove => AuditAction::WebhookRemoved,
    };
    let event = NewEvent::new(admin.actor(), action)
        .target(format!("webhook:{id}"))
        .after(serde_json::json!({
            "url": shown(&row.url),
            "description": row.description,
        }));
    audit::append(&mut tx, event, now).await?;
    tx.commit().await?;
    Ok(())
}

/// Sends a test event to hook `id` alone (audited): `NotFound` for a removed or unknown hook,
/// refused for a paused one.
pub async fn send_test(
    pool: &PgPool,
    admin: &Principal,
    id: Uuid,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    let mut tx = pool.begin().await?;
    let row = sqlx::query!(
        "SELECT url, paused_at FROM webhooks WHERE webhook_id = $1 AND removed_at IS NULL
         FOR SHARE",
        id
    )
    .fetch_optional(&mut *tx)
    .await?
    .ok_or(AppError::NotFound)?;
    if row.paused_at.is_some() {
        return Err(AppError::Conflict {
            message: "That webhook is paused: resume it to test it.".into(),
        });
    }
    let summary = format!(
        "A test from the AI Governance Portal, sent by {}.",
        admin.display_name
    );
    let event = Event {
        kind: WebhookEvent::Test,
        summary: &summary,
        link: "/admin/integrations",
        data: serde_json::json!({ "by": admin.display_name }),
    };
    emit_to(&mut tx, id, event, now).await?;
    let event = NewEvent::new(admin.actor(), AuditAction::WebhookTested)
        .target(format!("webhook:{id}"))
        .after(serde_json::json!({ "url": shown(&row.url) }));
    audit::append(&mut tx, event, now).await?;
    tx.commit().await?;
    Ok(())
}

/// The hooks not removed, newest first, with how their deliveries went.
pub async fn list(pool: &PgPool, now: DateTime<Utc>) -> Result<Vec<WebhookView>, AppError> {
    let rows = sqlx::query!(
        r#"SELECT w.webhook_id, w.url, w.description, w.events, w.format, w.paused_at,
             w.created_at, COALESCE(u.display_name, 'someone removed') AS "created_by!",
             count(d.delivered_at) AS "delivered!",
             count(*) FILTER (WHERE d.delivered_at IS NULL AND j.done_at IS NULL
                                AND (d.attempts > 0 OR j.dead_at IS NOT NULL)
                                AND d.created_at > $1::timestamptz - interval '7 days') AS "failing!"
           FROM webhooks w
           LEFT JOIN users u ON u.user_id = w.created_by
           LEFT JOIN webhook_deliveries d ON d.webhook_id = w.webhook_id
           LEFT JOIN jobs j ON j.job_id = d.job_id
           WHERE w.removed_at IS NULL
           GROUP BY w.webhook_id, u.display_name
           ORDER BY w.created_at DESC"#,
        now
    )
    .fetch_all(pool)
    .await?;
    Ok(rows
        .into_iter()
        .map(|row| WebhookView {
            id: row.webhook_id,
            url: shown(&row.url),
            description: row.description,
            events: row
                .events
                .iter()
                .filter_map(|e| WebhookEvent::parse(e).ok())
                .collect(),
            format: WebhookFormat::parse(&row.format).unwrap_or(WebhookFormat::Json),
            paused: row.paused_at.is_some(),
            created: row.created_at,
            created_by: row.created_by,
            delivered: row.delivered,
            failing: row.failing,
        })
        .collect())
}
