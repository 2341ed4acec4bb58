//! Signing in and out, and who is signed in.

use leptos::prelude::*;

use crate::error::AppError;
use crate::model::{CurrentUser, SignInOptions, SignInStep};

#[server(endpoint = "sign_in")]
pub async fn sign_in(
    email: String,
    password: String,
    #[server(default)] next: String,
) -> Result<SignInStep, AppError> {
    use super::guard::{open, user_agent};
    use crate::backend::identity::auth::sign_in::{check_password, PasswordStep};
    use crate::domain::ReturnTo;
    open(|visitor| async move {
        let pool = &visitor.services.pool;
        let now = visitor.now;
        match check_password(pool, &email, &password, visitor.source, now).await? {
            PasswordStep::SignedIn { user_id } => {
                visitor.session.sign_in(user_id, now, user_agent()).await?;
                leptos_axum::redirect(ReturnTo::or_home(&next).as_str());
                Ok(SignInStep::SignedIn)
            }
            PasswordStep::SecondFactorRequired { user_id } => {
                visitor.session.await_code(user_id, now).await?;
                leptos_axum::redirect(&ReturnTo::or_home(&next).link_from("/sign-in/code"));
                Ok(SignInStep::CodeRequired)
            }
        }
    })
    .await
}

#[server(endpoint = "sign_in_code")]
pub async fn sign_in_code(code: String, #[server(default)] next: String) -> Result<(), AppError> {
    use super::guard::{open, user_agent};
    use crate::backend::identity::auth::sign_in::check_second_factor;
    open(|visitor| async move {
        let services = &visitor.services;
        let now = visitor.now;
        let user_id = visitor
            .session
            .awaiting_code(now)
            .await?
            .ok_or(AppError::Unauthorized)?;
        let checked = check_second_factor(
            &services.pool,
            &services.totp_key,
            user_id,
            &code,
            visitor.source,
            now,
        )
        .await;
        if let Err(AppError::Invalid { field, .. }) = &checked {
            if field == "code" && visitor.session.code_refused().await? {
                return Err(AppError::invalid(
                    "code",
                    "was the fifth wrong code: sign in with your password again",
                ));
            }
        }
        checked?;
        // After single sign-on: the provider's identity is linked and its groups applied now
        // that the code is right.
        let held = visitor
            .session
            .take_sso_identity::<crate::backend::identity::sso::Identity>(&services.totp_key)
            .await?;
        if let Some(identity) = held {
            let account = crate::backend::identity::sso::account_for(
                &services.pool,
                &identity,
                true,
                visitor.source,
                now,
            )
            .await?;
            if account.user_id != user_id {
                return Err(AppError::Unauthorized);
            }
        }
        visitor.session.sign_in(user_id, now, user_agent()).await?;
        leptos_axum::redirect(crate::domain::ReturnTo::or_home(&next).as_str());
        Ok(())
    })
    .await
}

#[server(endpoint = "sign_out")]
pub async fn sign_out() -> Result<(), AppError> {
    use super::guard::open;
    use crate::backend::audit::{self, NewEvent};
    use crate::backend::identity::users::active_principal;
    use crate::domain::AuditAction;
    open(|visitor| async move {
        let pool = &visitor.services.pool;
        let now = visitor.now;
        if let Some(user_id) = visitor.session.user_id(now).await? {
            if let Some(principal) = active_principal(pool, user_id).await? {
                let event = NewEvent::new(principal.actor(), AuditAction::SignedOut)
                    .target(format!("user:{}", principal.email))
                    .source(visitor.source);
                let mut tx = pool.begin().await?;
                audit::append(&mut tx, event, now).await?;
                tx.commit().await?;
            }
        }
        visitor.session.end().await?;
        leptos_axum::redirect("/sign-in");
        Ok(())
    })
    .await
}

/// The ways to sign in, and what went wrong with the last single sign-on here.
#[server(endpoint = "sign_in_options")]
pub async fn get_sign_in_options() -> Result<SignInOptions, AppError> {
    use super::guard::open;
    open(|visitor| async move {
        Ok(SignInOptions {
            sso: visitor
                .services
                .sso
                .as_ref()
                .map(|sso| sso.settings.name.clone()),
            problem: visitor.session.take_notice().await?,
        })
    })
    .await
}

#[server(endpoint = "current_user")]
pub async fn get_current_user() -> Result<Option<CurrentUser>, AppError> {
    use super::guard::open;
    use crate::backend::identity::users::active_principal;
    use crate::backend::notifications::unread;
    open(|visitor| async move {
        let pool = &visitor.services.pool;
        let Some(user_id) = visitor.session.user_id(visitor.now).await? else {
            return Ok(None);
        };
        let Some(principal) = active_principal(pool, user_id).await? else {
            // Disabled (or deleted) since signing in.
            visitor.session.end().await?;
            return Ok(None);
        };
        Ok(Some(CurrentUser {
            unread_notifications: unread(pool, principal.user_id).await?,
            stops: crate::backend::incidents::banners(pool, principal.user_id).await?,
            needs_two_factor: principal.enrollment_owed(),
            email: principal.email.to_string(),
            name: principal.display_name,
            roles: principal.roles,
            notice: visitor.session.take_notice().await?,
        }))
    })
    .await
}
