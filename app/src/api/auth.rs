use leptos::prelude::*;

use crate::domain::Role;
use crate::error::AppError;
use crate::model::{CurrentUser, SignInStep};

impl CurrentUser {
    pub fn is_admin(&self) -> bool {
        self.roles.contains(&Role::Admin)
    }
}

#[server(endpoint = "sign_in")]
pub async fn sign_in(email: String, password: String) -> Result<SignInStep, AppError> {
    use super::context::{respond, services, session, source_address, user_agent};
    use crate::backend::identity::auth::sign_in::{check_password, PasswordStep};
    respond(
        async {
            let services = services()?;
            let now = services.clock.now();
            let session = session().await?;
            let source = source_address().await;
            match check_password(&services.pool, &email, &password, source, now).await? {
                PasswordStep::SignedIn { user_id } => {
                    session.sign_in(user_id, now, user_agent()).await?;
                    leptos_axum::redirect("/");
                    Ok(SignInStep::SignedIn)
                }
                PasswordStep::SecondFactorRequired { user_id } => {
                    session.await_code(user_id, now).await?;
                    leptos_axum::redirect("/sign-in/code");
                    Ok(SignInStep::CodeRequired)
                }
            }
        }
        .await,
    )
}

#[server(endpoint = "sign_in_code")]
pub async fn sign_in_code(code: String) -> Result<(), AppError> {
    use super::context::{respond, services, session, source_address, user_agent};
    use crate::backend::identity::auth::sign_in::check_second_factor;
    respond(
        async {
            let services = services()?;
            let now = services.clock.now();
            let session = session().await?;
            let user_id = session
                .awaiting_code(now)
                .await?
                .ok_or(AppError::Unauthorized)?;
            let source = source_address().await;
            check_second_factor(
                &services.pool,
                &services.totp_key,
                user_id,
                &code,
                source,
                now,
            )
            .await?;
            session.sign_in(user_id, now, user_agent()).await?;
            leptos_axum::redirect("/");
            Ok(())
        }
        .await,
    )
}

#[server(endpoint = "sign_out")]
pub async fn sign_out() -> Result<(), AppError> {
    use super::context::{respond, services, session, source_address};
    use crate::backend::audit::{self, NewEvent};
    use crate::backend::identity::users::active_principal;
    use crate::domain::AuditAction;
    respond(
        async {
            let services = services()?;
            let now = services.clock.now();
            let session = session().await?;
            if let Some(user_id) = session.user_id(now).await? {
                if let Some(principal) = active_principal(&services.pool, user_id).await? {
                    let event = NewEvent::new(principal.actor(), AuditAction::SignedOut)
                        .target(format!("user:{}", principal.email))
                        .source(source_address().await);
                    let mut tx = services.pool.begin().await?;
                    audit::append(&mut tx, event, now).await?;
                    tx.commit().await?;
                }
            }
            session.end().await?;
            leptos_axum::redirect("/sign-in");
            Ok(())
        }
        .await,
    )
}

#[server(endpoint = "current_user")]
pub async fn get_current_user() -> Result<Option<CurrentUser>, AppError> {
    use super::context::{respond, services, session};
    use crate::backend::identity::users::active_principal;
    respond(
        async {
            let services = services()?;
            let session = session().await?;
            let Some(user_id) = session.user_id(services.clock.now()).await? else {
                return Ok(None);
            };
            match active_principal(&services.pool, user_id).await? {
                Some(principal) => Ok(Some(CurrentUser {
                    unread_notifications: crate::backend::notifications::unread(
                        &services.pool,
                        principal.user_id,
                    )
                    .await?,
                    needs_two_factor: principal.enrollment_owed(),
                    email: principal.email,
                    name: principal.display_name,
                    roles: principal.roles,
                })),
                None => {
                    // Disabled (or deleted) since signing in.
                    session.end().await?;
                    Ok(None)
                }
            }
        }
        .await,
    )
}
