//! A person's own account: password, second factor, recovery codes, sessions, API tokens.

use leptos::prelude::*;
use uuid::Uuid;

use crate::error::AppError;
use crate::model::{AccountPage, TwoFactorPage};
#[cfg(feature = "ssr")]
use crate::model::{PendingTwoFactor, Reveal};

#[server(endpoint = "account")]
pub async fn get_account() -> Result<AccountPage, AppError> {
    use super::guard::guard;
    use crate::backend::{identity::account, identity::auth::recovery, identity::people};
    use crate::domain::Permission;
    guard(Permission::ManageOwnAccount, |caller| async move {
        let pool = caller.pool();
        let principal = &caller.principal;
        let person = people::detail(pool, principal.user_id).await?;
        let current = caller.session.id();
        Ok(AccountPage {
            email: person.email,
            name: person.name,
            roles: person.roles,
            teams: person.teams,
            two_factor: principal.totp_enrolled,
            needs_two_factor: principal.enrollment_owed(),
            recovery_codes_left: recovery::remaining(pool, principal.user_id).await?,
            sessions: account::sessions(pool, principal, current.as_deref(), caller.now).await?,
            tokens: account::tokens(pool, principal.user_id, caller.now).await?,
            reveal: caller.take_reveal().await?,
        })
    })
    .await
}

#[server(endpoint = "change_password")]
pub async fn change_password(
    current_password: String,
    new_password: String,
) -> Result<(), AppError> {
    use super::guard::guard;
    use crate::backend::identity::account;
    use crate::domain::Permission;
    guard(Permission::ManageOwnAccount, |caller| async move {
        let services = &caller.services;
        caller.reauthenticate(&current_password, None).await?;
        account::change_password(
            &services.pool,
            &caller.principal,
            &new_password,
            caller.session.id().as_deref(),
            caller.source,
            caller.now,
        )
        .await?;
        // This session stays signed in, under a new id.
        caller.session.renew().await?;
        caller
            .session
            .notice("Password changed. Your other sessions were signed out.")
            .await
    })
    .await
}

#[server(endpoint = "end_session")]
pub async fn end_session(handle: String) -> Result<(), AppError> {
    use super::guard::guard;
    use crate::domain::Permission;
    guard(Permission::ManageOwnAccount, |caller| async move {
        crate::backend::identity::account::end_session(
            caller.pool(),
            &caller.principal,
            &handle,
            caller.source,
            caller.now,
        )
        .await
    })
    .await
}

/// A new personal API token with a scope and an expiry (at most a year). It needs a fresh proof
/// of identity: the password or a code, unless one was given in the last five minutes.
#[server(endpoint = "create_api_token")]
pub async fn create_api_token(
    name: String,
    #[server(default)] scope: String,
    #[server(default)] expires_in_days: String,
    #[server(default)] current_password: String,
    #[server(default)] code: String,
) -> Result<(), AppError> {
    use super::guard::guard;
    use crate::domain::identity::token::{parse_days, parse_scope};
    use crate::domain::Permission;
    guard(Permission::ManageOwnAccount, |caller| async move {
        crate::backend::identity::tokens::parse_name(&name)?;
        let scope = parse_scope(&scope)?;
        // What the portal's traffic looks like is for those who run it.
        if scope == crate::domain::TokenScope::Metrics
            && !caller.principal.may(Permission::ManageSettings)
        {
            return Err(AppError::invalid(
                "scope",
                "only admins may make a metrics token",
            ));
        }
        let days = parse_days(&expires_in_days)?;
        caller.confirm_identity(&current_password, &code).await?;
        let created = crate::backend::identity::tokens::create(
            caller.pool(),
            caller.principal.actor(),
            &caller.principal.email,
            &name,
            scope,
            days,
            caller.now,
        )
        .await?;
        let name = crate::backend::identity::tokens::parse_name(&name)?.to_owned();
        caller
            .reveal(&Reveal::ApiToken {
                name,
                token: created.token,
            })
            .await
    })
    .await
}

#[server(endpoint = "revoke_api_token")]
pub async fn revoke_api_token(id: Uuid) -> Result<(), AppError> {
    use super::guard::guard;
    use crate::domain::Permission;
    guard(Permission::ManageOwnAccount, |caller| async move {
        crate::backend::identity::tokens::revoke(
            caller.pool(),
            caller.principal.actor(),
            caller.principal.user_id,
            id,
            caller.now,
        )
        .await
    })
    .await
}

/// New recovery codes: the password and a current code (recovery codes stand in for the
/// authenticator, so the password alone must not mint them).
#[server(endpoint = "regenerate_recovery_codes")]
pub async fn regenerate_recovery_codes(
    current_password: String,
    #[server(default)] code: String,
) -> Result<(), AppError> {
    use super::guard::guard;
    use crate::backend::identity::auth::enrollment;
    use crate::domain::Permission;
    guard(Permission::ManageOwnAccount, |caller| async move {
        let services = &caller.services;
        // The authenticator's code, not a recovery code: one leaked recovery code and the
        // password must not mint a whole new set.
        crate::domain::TotpCode::parse(&code).map_err(|m| AppError::invalid("code", m))?;
        caller
            .reauthenticate(&current_password, Some(code.trim()))
            .await?;
        let codes = enrollment::regenerate_recovery_codes(
            &services.pool,
            &caller.principal,
            caller.source,
            caller.now,
        )
        .await?;
        caller.reveal_recovery_codes(&codes).await
    })
    .await
}

#[server(endpoint = "two_factor")]
pub async fn get_two_factor() -> Result<TwoFactorPage, AppError> {
    use super::guard::guard;
    use crate::backend::identity::auth::enrollment;
    use crate::domain::Permission;
    guard(Permission::ManageOwnAccount, |caller| async move {
        let services = &caller.services;
        let status =
            enrollment::status(&services.pool, &services.totp_key, &caller.principal).await?;
        let pending = match status.pending {
            Some(pending) => Some(PendingTwoFactor {
                qr_code: crate::backend::platform::qr::svg_data_uri(&pending.otpauth_url)?,
                secret: pending.secret_base32,
                otpauth_url: pending.otpauth_url,
            }),
            None => None,
        };
        Ok(TwoFactorPage {
            enrolled: status.enrolled,
            required: caller.principal.enrollment_owed()
                || crate::domain::enrollment_owed(
                    &caller.principal.roles,
                    caller.principal.totp_required,
                    false,
                ),
            pending,
            recovery_codes_left: status.recovery_codes_left,
            reveal: caller.take_reveal().await?,
        })
    })
    .await
}

/// Starts setting up (or replacing) the authenticator app. Re-authentication: the current
/// password, and when a second factor is already set up, a code from it or a recovery code.
#[server(endpoint = "begin_two_factor")]
pub async fn begin_two_factor(
    current_password: String,
    code: Option<String>,
) -> Result<(), AppError> {
    use super::guard::guard;
    use crate::backend::identity::auth::enrollment;
    use crate::domain::Permission;
    guard(Permission::ManageOwnAccount, |caller| async move {
        let services = &caller.services;
        let code = code.filter(|code| !code.trim().is_empty());
        if caller.principal.totp_enrolled && code.is_none() {
            return Err(AppError::invalid(
                "code",
                "enter a code from your current app, or a recovery code",
            ));
        }
        // Someone who signs in only through the identity provider has no password: their first
        // authenticator is set up within minutes of that sign-in instead.
        let through_provider = !caller.principal.totp_enrolled
            && current_password.is_empty()
            && caller.session.is_fresh(caller.now).await?
            && crate::backend::identity::sso::accounts::passwordless(
                &services.pool,
                caller.principal.user_id,
            )
            .await?;
        if !through_provider {
            caller
                .reauthenticate(&current_password, code.as_deref())
                .await?;
        }
        enrollment::begin(
            &services.pool,
            &services.totp_key,
            &caller.principal,
            caller.now,
        )
        .await
    })
    .await
}

/// Abandons setting up a new authenticator app; the current one (if any) stays.
#[server(endpoint = "cancel_two_factor")]
pub async fn cancel_two_factor() -> Result<(), AppError> {
    use super::guard::guard;
    use crate::backend::identity::auth::enrollment;
    use crate::domain::Permission;
    guard(Permission::ManageOwnAccount, |caller| async move {
        enrollment::cancel(caller.pool(), &caller.principal).await
    })
    .await
}

/// Finishes setting up the authenticator app with its first code; recovery codes are shown next.
#[server(endpoint = "confirm_two_factor")]
pub async fn confirm_two_factor(code: String) -> Result<(), AppError> {
    use super::guard::guard;
    use crate::backend::identity::auth::enrollment;
    use crate::domain::Permission;
    guard(Permission::ManageOwnAccount, |caller| async move {
        let services = &caller.services;
        let codes = enrollment::confirm(
            &services.pool,
            &services.totp_key,
            &caller.principal,
            &code,
            caller.source,
            caller.now,
        )
        .await?;
        // A step-up: the session gets a new id.
        caller.session.renew().await?;
        caller.reveal_recovery_codes(&codes).await
    })
    .await
}
