//! Integrations (admins): e-mail, webhooks, their delivery log, and background jobs that failed.

use leptos::prelude::*;
use uuid::Uuid;

use crate::error::AppError;
use crate::model::IntegrationsPage;

#[server(endpoint = "admin/integrations")]
pub async fn get_integrations() -> Result<IntegrationsPage, AppError> {
    use super::guard::guard;
    use crate::backend::identity::sso::mappings;
    use crate::backend::jobs::dead;
    use crate::backend::webhooks::{hooks, log};
    use crate::domain::Permission;
    use crate::model::SsoView;
    guard(Permission::ManageSettings, |caller| async move {
        let pool = caller.pool();
        let sso = caller.services.sso.as_ref().map(|sso| {
            let settings = &sso.settings;
            format!(
                "{} at {} (client {})",
                settings.name, settings.issuer, settings.client_id
            )
        });
        Ok(IntegrationsPage {
            sso: SsoView {
                provider: sso,
                callback: format!("{}/auth/oidc/callback", caller.services.public_url),
                mappings: mappings::list(pool).await?,
                grants: mappings::grants(pool).await?,
            },
            email: crate::backend::mail::check::summary(&caller.services),
            webhooks: hooks::list(pool, caller.now).await?,
            deliveries: log::recent(pool, caller.now).await?,
            dead_jobs: dead::list(pool).await?,
            reveal: caller.take_reveal().await?,
        })
    })
    .await
}

/// Adds a webhook. It sends the organization's events out, so it needs a fresh proof of the
/// admin's identity (as granting a role does); its secret is shown once.
#[server(endpoint = "admin/add_webhook")]
pub async fn add_webhook(
    url: String,
    #[server(default)] description: String,
    events: Option<Vec<String>>,
    #[server(default)] format: String,
    #[server(default)] current_password: String,
    #[server(default)] code: String,
) -> Result<(), AppError> {
    use super::guard::guard;
    use crate::backend::webhooks::address::shown;
    use crate::backend::webhooks::hooks::{self, HookForm};
    use crate::domain::Permission;
    use crate::model::Reveal;
    guard(Permission::ManageSettings, |caller| async move {
        let events = events.unwrap_or_default();
        let form = HookForm {
            url: &url,
            description: &description,
            events: &events,
            format: &format,
        };
        // Checked before the identity, so a mistyped address costs no password.
        hooks::check(&form)?;
        caller.confirm_identity(&current_password, &code).await?;
        let (_, secret) = hooks::add(
            caller.pool(),
            &caller.services.totp_key,
            &caller.principal,
            form,
            caller.now,
        )
        .await?;
        let url = shown(url.trim());
        caller.reveal(&Reveal::WebhookSecret { url, secret }).await
    })
    .await
}

/// Pauses, resumes or removes a webhook (`change`: pause, resume, remove).
#[server(endpoint = "admin/change_webhook")]
pub async fn change_webhook(id: Uuid, change: String) -> Result<(), AppError> {
    use super::guard::guard;
    use crate::backend::webhooks::hooks::{self, HookChange};
    use crate::domain::Permission;
    guard(Permission::ManageSettings, |caller| async move {
        let change = HookChange::parse(&change)?;
        hooks::change(caller.pool(), &caller.principal, id, change, caller.now).await?;
        let done = match change {
            HookChange::Pause => "Webhook paused: events are not sent to it until resumed.",
            HookChange::Resume => "Webhook resumed.",
            HookChange::Remove => "Webhook removed.",
        };
        caller.session.notice(done).await
    })
    .await
}

/// Sends a test event to one webhook.
#[server(endpoint = "admin/test_webhook")]
pub async fn test_webhook(id: Uuid) -> Result<(), AppError> {
    use super::guard::guard;
    use crate::domain::Permission;
    guard(Permission::ManageSettings, |caller| async move {
        crate::backend::webhooks::hooks::send_test(
            caller.pool(),
            &caller.principal,
            id,
            caller.now,
        )
        .await?;
        caller
            .session
            .notice("Test event queued: its delivery shows below in a moment.")
            .await
    })
    .await
}

#[server(endpoint = "admin/resend_delivery")]
pub async fn resend_delivery(id: i64) -> Result<(), AppError> {
    use super::guard::guard;
    use crate::domain::Permission;
    guard(Permission::ManageSettings, |caller| async move {
        crate::backend::webhooks::log::resend(caller.pool(), &caller.principal, id, caller.now)
            .await?;
        caller.session.notice("Delivery queued again.").await
    })
    .await
}

#[server(endpoint = "admin/retry_job")]
pub async fn retry_job(id: i64) -> Result<(), AppError> {
    use super::guard::guard;
    use crate::domain::Permission;
    guard(Permission::ManageSettings, |caller| async move {
        crate::backend::jobs::dead::retry(caller.pool(), &caller.principal, id, caller.now).await?;
        caller
            .session
            .notice("The job will be tried again from its first attempt.")
            .await
    })
    .await
}

/// Sends a test e-mail to the admin at once and says what the mail server answered.
#[server(endpoint = "admin/test_email")]
pub async fn test_email() -> Result<(), AppError> {
    use super::guard::guard;
    use crate::domain::Permission;
    guard(Permission::ManageSettings, |caller| async move {
        let sent =
            crate::backend::mail::check::send_test(&caller.services, &caller.principal, caller.now)
                .await?;
        caller.session.notice(&sent).await
    })
    .await
}

/// Adds what a provider group grants. Granting a role is a grant of power, so it needs a fresh
/// proof of the admin's identity (as granting a role by hand does).
#[server(endpoint = "admin/add_sso_mapping")]
pub async fn add_sso_mapping(
    #[server(default)] group: String,
    #[server(default)] grants: String,
    #[server(default)] current_password: String,
    #[server(default)] code: String,
) -> Result<(), AppError> {
    use super::guard::guard;
    use crate::backend::identity::sso::mappings::{self, Grant};
    use crate::domain::Permission;
    guard(Permission::ManageSettings, |caller| async move {
        // Checked before the identity, so a mistyped group costs no password.
        Grant::parse(&grants)?;
        if group.trim().is_empty() {
            return Err(AppError::invalid(
                "group",
                "name the group as the provider sends it",
            ));
        }
        caller.confirm_identity(&current_password, &code).await?;
        mappings::add(
            caller.pool(),
            &caller.principal,
            &group,
            &grants,
            caller.now,
        )
        .await?;
        caller
            .session
            .notice("Group mapping added: it applies at each person's next single sign-on.")
            .await
    })
    .await
}

#[server(endpoint = "admin/remove_sso_mapping")]
pub async fn remove_sso_mapping(id: Uuid) -> Result<(), AppError> {
    use super::guard::guard;
    use crate::domain::Permission;
    guard(Permission::ManageSettings, |caller| async move {
        crate::backend::identity::sso::mappings::remove(
            caller.pool(),
            &caller.principal,
            id,
            caller.now,
        )
        .await?;
        caller
            .session
            .notice(
                "Group mapping removed. What it gave stays until an admin changes it by hand, or \
                 another mapping of that role or team decides at the next single sign-on.",
            )
            .await
    })
    .await
}
