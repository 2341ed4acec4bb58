//! The integrations page: webhooks, their deliveries, and the background jobs that failed.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::domain::webhooks::{WebhookEvent, WebhookFormat};
use crate::model::Reveal;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WebhookView {
    pub id: Uuid,
    /// Scheme and host only (`backend::webhooks::address::shown`).
    pub url: String,
    pub description: String,
    pub events: Vec<WebhookEvent>,
    pub format: WebhookFormat,
    pub paused: bool,
    pub created: DateTime<Utc>,
    pub created_by: String,
    pub delivered: i64,
    /// Deliveries of the last 7 days still being tried or given up on.
    pub failing: i64,
}

/// Where a delivery stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DeliveryState {
    /// Waiting for its first attempt.
    Queued,
    /// An instance is sending it now (or died doing so: tried again when its lease ends).
    Sending,
    /// Failed; tried again at `next_attempt`.
    Retrying,
    Delivered,
    /// Every attempt failed.
    Failed,
    /// Not sent, and will not be (the hook was paused or removed, or its seal broken).
    NotSent,
}

impl DeliveryState {
    pub fn label(self) -> &'static str {
        match self {
            Self::Queued => "Queued",
            Self::Sending => "Sending",
            Self::Retrying => "Retrying",
            Self::Delivered => "Delivered",
            Self::Failed => "Failed",
            Self::NotSent => "Not sent",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeliveryView {
    pub id: i64,
    pub at: DateTime<Utc>,
    pub event: String,
    /// The hook's description, or its shown address.
    pub hook: String,
    pub state: DeliveryState,
    pub attempts: i32,
    pub last_status: Option<i32>,
    pub last_error: String,
    pub next_attempt: Option<DateTime<Utc>>,
    /// Whether an admin may send it again (its hook exists and is active, it is not underway).
    pub can_resend: bool,
}

/// A background job that used up its attempts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeadJobView {
    pub id: i64,
    pub kind: String,
    pub created: DateTime<Utc>,
    pub dead: DateTime<Utc>,
    pub attempts: i32,
    pub last_error: String,
}

/// Single sign-on as admins see it: the provider (from the server's flags) and what its groups
/// grant.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SsoView {
    /// "Northwind SSO at https://id.example.com (client portal)"; `None` when not set up.
    pub provider: Option<String>,
    /// The address to register at the provider as the redirect URI.
    pub callback: String,
    pub mappings: Vec<SsoMappingView>,
    /// What a group may grant: `(value, label)`, e.g. `("role:reviewer", "Role: Reviewer")`,
    /// `("manager:payments", "Manager of Payments")`.
    pub grants: Vec<(String, String)>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SsoMappingView {
    pub id: String,
    pub group: String,
    /// What it grants, in words.
    pub grants: String,
    pub added_by: String,
    pub added: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IntegrationsPage {
    pub sso: SsoView,
    /// How e-mail leaves (server, port, security, sender), or `None` when it is not set up.
    pub email: Option<String>,
    pub webhooks: Vec<WebhookView>,
    pub deliveries: Vec<DeliveryView>,
    pub dead_jobs: Vec<DeadJobView>,
    /// A new hook's signing secret, shown once.
    pub reveal: Option<Reveal>,
}
