//! In-app notifications of the signed-in person.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;

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

#[server(endpoint = "notifications")]
pub async fn get_notifications() -> Result<NotificationList, AppError> {
    use super::context::{authorized, respond};
    use crate::domain::Permission;
    respond(
        async {
            let caller = authorized(Permission::ManageOwnAccount).await?;
            crate::backend::notifications::list(&caller.services.pool, caller.principal.user_id)
                .await
        }
        .await,
    )
}

/// Marks notification `id` read and goes where it leads; without `id`, marks every one read.
#[server(endpoint = "read_notifications")]
pub async fn read_notifications(id: Option<i64>) -> Result<(), AppError> {
    use super::context::{authorized, respond};
    use crate::domain::Permission;
    respond(
        async {
            let caller = authorized(Permission::ManageOwnAccount).await?;
            let link = crate::backend::notifications::mark_read(
                &caller.services.pool,
                caller.principal.user_id,
                id,
                caller.now,
            )
            .await?;
            leptos_axum::redirect(link.as_deref().unwrap_or("/notifications"));
            Ok(())
        }
        .await,
    )
}
