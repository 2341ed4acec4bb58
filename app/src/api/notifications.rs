//! In-app notifications of the signed-in person.

use leptos::prelude::*;

use crate::error::AppError;
use crate::model::NotificationList;

#[server(endpoint = "notifications")]
pub async fn get_notifications() -> Result<NotificationList, AppError> {
    use super::guard::guard;
    use crate::domain::Permission;
    guard(Permission::ManageOwnAccount, |caller| async move {
        crate::backend::notifications::list(caller.pool(), caller.principal.user_id).await
    })
    .await
}

/// Marks notification `id` read and goes where it leads; without `id`, marks every one read.
#[server(endpoint = "read_notifications")]
pub async fn read_notifications(id: Option<i64>) -> Result<(), AppError> {
    use super::guard::guard;
    use crate::domain::Permission;
    guard(Permission::ManageOwnAccount, |caller| async move {
        let link = crate::backend::notifications::mark_read(
            caller.pool(),
            caller.principal.user_id,
            id,
            caller.now,
        )
        .await?;
        leptos_axum::redirect(link.as_deref().unwrap_or("/notifications"));
        Ok(())
    })
    .await
}
