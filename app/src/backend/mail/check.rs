//! What admins see of the e-mail settings, and the test mail that proves them.

use chrono::{DateTime, Utc};

use crate::backend::audit::{self, NewEvent};
use crate::backend::identity::users::Principal;
use crate::backend::platform::services::Services;
use crate::domain::notices::test_mail;
use crate::domain::AuditAction;
use crate::error::AppError;

/// How the portal sends e-mail, or `None` when it does not.
pub fn summary(services: &Services) -> Option<String> {
    services
        .mailer
        .as_ref()
        .map(|mailer| mailer.summary().to_owned())
}

/// Sends a test mail to `admin` at once (not through the queue: the page shows what the server
/// answered) and audits the attempt, taken or not. Returns where it went.
#[tracing::instrument(skip_all)]
pub async fn send_test(
    services: &Services,
    admin: &Principal,
    now: DateTime<Utc>,
) -> Result<String, AppError> {
    let Some(mailer) = &services.mailer else {
        return Err(AppError::Conflict {
            message: "E-mail is not set up: start the portal with --smtp-host and --smtp-from (docs/OPERATIONS.md, E-mail).".into(),
        });
    };
    let mail = test_mail(&services.public_url, mailer.summary());
    let sent = mailer
        .send(admin.email.as_str(), &admin.display_name, &mail)
        .await;
    let event = NewEvent::new(admin.actor(), AuditAction::EmailTested)
        .target(format!("user:{}", admin.email))
        .after(serde_json::json!({
            "server": mailer.summary(),
            "taken": sent.is_ok(),
            "answer": sent.as_ref().err(),
        }));
    let mut tx = services.pool.begin().await?;
    audit::append(&mut tx, event, now).await?;
    tx.commit().await?;
    sent.map_err(|message| AppError::Conflict { message })?;
    Ok(format!(
        "A test e-mail went to {} through {}.",
        admin.email,
        mailer.summary()
    ))
}
