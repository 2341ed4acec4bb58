//! In-app notifications of the signed-in person.

use leptos::prelude::*;

use crate::error::AppError;
use crate::model::{NotificationList, NotificationSettings};

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

/// How the signed-in person hears of each kind of notification.
#[server(endpoint = "notification_settings")]
pub async fn get_notification_settings() -> Result<NotificationSettings, AppError> {
    use super::guard::guard;
    use crate::domain::Permission;
    use crate::model::NotificationChoice;
    guard(Permission::ManageOwnAccount, |caller| async move {
        let choices =
            crate::backend::mail::preferences::chosen(caller.pool(), caller.principal.user_id)
                .await?
                .into_iter()
                .map(|(kind, delivery)| NotificationChoice { kind, delivery })
                .collect();
        Ok(NotificationSettings {
            address: caller.principal.email.to_string(),
            email_enabled: caller.services.mailer.is_some(),
            choices,
        })
    })
    .await
}

/// Saves the signed-in person's choices: one field per kind they choose for (its name), each
/// `app`, `email` or `digest`; a kind left out keeps its choice. (Security notices are always
/// e-mailed.)
#[server(endpoint = "save_notification_settings")]
pub async fn save_notification_settings(
    #[server(default)] requests: Option<String>,
    #[server(default)] reviews: Option<String>,
    #[server(default)] checklists: Option<String>,
    #[server(default)] incidents: Option<String>,
) -> Result<(), AppError> {
    use super::guard::guard;
    use crate::domain::notices::{Delivery, NoticeKind};
    use crate::domain::Permission;
    guard(Permission::ManageOwnAccount, |caller| async move {
        let given = [
            (NoticeKind::Requests, requests),
            (NoticeKind::Reviews, reviews),
            (NoticeKind::Checklists, checklists),
            (NoticeKind::Incidents, incidents),
        ];
        let mut choices = Vec::new();
        for (kind, value) in given {
            if let Some(value) = value {
                let delivery = Delivery::parse(value.trim())
                    .map_err(|message| AppError::invalid(kind.as_str(), message))?;
                choices.push((kind, delivery));
            }
        }
        crate::backend::mail::preferences::save(
            caller.pool(),
            caller.principal.user_id,
            &choices,
            caller.now,
        )
        .await?;
        caller
            .session
            .notice("Saved: this is how you will hear of things from now on.")
            .await
    })
    .await
}
