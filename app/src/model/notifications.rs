//! In-app notifications.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NotificationView {
    pub id: i64,
    /// UTC, `YYYY-MM-DD HH:MM UTC`.
    pub at: String,
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
