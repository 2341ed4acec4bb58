//! In-app notifications.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::domain::notices::{Delivery, NoticeKind};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NotificationView {
    pub id: i64,
    pub at: DateTime<Utc>,
    pub message: String,
    /// Where it leads, inside the portal.
    pub link: String,
    pub read: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NotificationList {
    /// Newest first.
    pub items: Vec<NotificationView>,
    pub unread: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NotificationChoice {
    pub kind: NoticeKind,
    pub delivery: Delivery,
}

/// How someone hears of each kind of notification.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NotificationSettings {
    /// Where their e-mails go.
    pub address: String,
    /// The portal sends e-mail (`serve --smtp-host`); otherwise choices wait until it does.
    pub email_enabled: bool,
    /// One per kind, in `NoticeKind::ALL`'s order.
    pub choices: Vec<NotificationChoice>,
}
