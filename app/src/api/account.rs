//! A person's own account: password, second factor, recovery codes, sessions, API tokens.

use leptos::prelude::*;

use crate::error::AppError;
use crate::model::{AccountPage, TwoFactorPage};
#[cfg(feature = "ssr")]
use crate::model::{PendingTwoFactor, Reveal};

#[server(endpoint = "account")]
pub async fn get_account() -> Result<AccountPage, AppError> {
    use super::context::{authorized, respond};
    use crate::backend::{identity::account, identity::auth::recovery, identity::people};
    use crate::domain::Permission;
    respond(
        async {
            let request = authorized(Permission::ManageOwnAccount).await?;
            let pool = &request.services.pool;
            let principal = &request.principal;
            let person = people::detail(pool, &principal.user_id.to_string()).await?;
            let current = request.session.id();
            Ok(AccountPage {
                email: person.email,
                name: person.name,
                roles: person.roles,
                teams: person.teams,
                two_factor: principal.totp_enrolled,
                needs_two_factor: principal.enrollment_owed(),
                recovery_codes_left: recovery::remaining(pool, principal.user_id).await?,
                sessions: account::sessions(pool, principal, current.as_deref(), request.now)
                    .await?,
                tokens: account::tokens(pool, principal).await?,
                reveal: request.session.take_reveal().await?,
            })
        }
        .await,
    )
}

#[server(endpoint = "change_password")]
pub async fn change_password(
    current_password: String,
    new_password: String,
) -> Result<(), AppError> {
    use super::context::{authorized, respond};
    use crate::backend::{identity::account, identity::auth::sign_in::reauthenticate};
    use crate::domain::Permission;
    respond(
        async {
            let request = authorized(Permission::ManageOwnAccount).await?;
            let services = &request.services;
            reauthenticate(
                &services.pool,
                &services.totp_key,
                request.principal.user_id,
                &current_password,
                None,
                request.source,
                request.now,
            )
            .await?;
            account::change_password(
                &services.pool,
                &request.principal,
                &new_password,
                request.session.id().as_deref(),
                request.source,
                request.now,
            )
            .await?;
            // This session stays signed in, under a new id.
            request.session.renew().await
        }
        .await,
    )
}

#[server(endpoint = "end_session")]
pub async fn end_session(handle: String) -> Result<(), AppError> {
    use super::context::{authorized, respond};
    use crate::domain::Permission;
    respond(
        async {
            let request = authorized(Permission::ManageOwnAccount).await?;
            crate::backend::identity::account::end_session(
                &request.services.pool,
                &request.principal,
                &handle,
                request.source,
                request.now,
            )
            .await
        }
        .await,
    )
}

#[server(endpoint = "create_api_token")]
pub async fn create_api_token(name: String) -> Result<(), AppError> {
    use super::context::{authorized, respond};
    use crate::domain::{Email, Permission};
    respond(
        async {
            let request = authorized(Permission::ManageOwnAccount).await?;
            let email = Email::parse(&request.principal.email).map_err(|_| AppError::Internal)?;
            let created = crate::backend::identity::tokens::create(
                &request.services.pool,
                request.principal.actor(),
                &email,
                &name,
                request.now,
            )
            .await?;
            let name = crate::backend::identity::tokens::parse_name(&name)?.to_owned();
            request
                .session
                .reveal(&Reveal::ApiToken {
                    name,
                    token: created.token,
                })
                .await
        }
        .await,
    )
}

#[server(endpoint = "revoke_api_token")]
pub async fn revoke_api_token(id: String) -> Result<(), AppError> {
    use super::context::{authorized, respond};
    use crate::domain::Permission;
    respond(
        async {
            let request = authorized(Permission::ManageOwnAccount).await?;
            let id = uuid::Uuid::parse_str(&id).map_err(|_| AppError::NotFound)?;
            crate::backend::identity::tokens::revoke(
                &request.services.pool,
                request.principal.actor(),
                request.principal.user_id,
                id,
                request.now,
            )
            .await
        }
        .await,
    )
}

#[server(endpoint = "regenerate_recovery_codes")]
pub async fn regenerate_recovery_codes(current_password: String) -> Result<(), AppError> {
    use super::context::{authorized, respond};
    use crate::backend::identity::auth::{enrollment, sign_in::reauthenticate};
    use crate::domain::Permission;
    respond(
        async {
            let request = authorized(Permission::ManageOwnAccount).await?;
            let services = &request.services;
            reauthenticate(
                &services.pool,
                &services.totp_key,
                request.principal.user_id,
                &current_password,
                None,
                request.source,
                request.now,
            )
            .await?;
            let codes = enrollment::regenerate_recovery_codes(
                &services.pool,
                &request.principal,
                request.source,
                request.now,
            )
            .await?;
            request
                .session
                .reveal(&Reveal::RecoveryCodes(
                    codes.iter().map(|code| code.display()).collect(),
                ))
                .await
        }
        .await,
    )
}

#[server(endpoint = "two_factor")]
pub async fn get_two_factor() -> Result<TwoFactorPage, AppError> {
    use super::context::{authorized, respond};
    use crate::backend::identity::auth::enrollment;
    use crate::domain::Permission;
    respond(
        async {
            let request = authorized(Permission::ManageOwnAccount).await?;
            let services = &request.services;
            let status =
                enrollment::status(&services.pool, &services.totp_key, &request.principal).await?;
            let pending = match status.pending {
                Some(pending) => Some(PendingTwoFactor {
                    qr_code: qr::svg_data_uri(&pending.otpauth_url)?,
                    secret: pending.secret_base32,
                    otpauth_url: pending.otpauth_url,
                }),
                None => None,
            };
            Ok(TwoFactorPage {
                enrolled: status.enrolled,
                required: request.principal.enrollment_owed()
                    || crate::domain::enrollment_owed(
                        &request.principal.roles,
                        request.principal.totp_required_for_all,
                        false,
                    ),
                pending,
                recovery_codes_left: status.recovery_codes_left,
                reveal: request.session.take_reveal().await?,
            })
        }
        .await,
    )
}

/// Starts setting up (or replacing) the authenticator app. Re-authentication: the current
/// password, and when a second factor is already set up, a code from it or a recovery code.
#[server(endpoint = "begin_two_factor")]
pub async fn begin_two_factor(
    current_password: String,
    code: Option<String>,
) -> Result<(), AppError> {
    use super::context::{authorized, respond};
    use crate::backend::identity::auth::{enrollment, sign_in::reauthenticate};
    use crate::domain::Permission;
    respond(
        async {
            let request = authorized(Permission::ManageOwnAccount).await?;
            let services = &request.services;
            let code = code.filter(|code| !code.trim().is_empty());
            if request.principal.totp_enrolled && code.is_none() {
                return Err(AppError::invalid(
                    "code",
                    "enter a code from your current app, or a recovery code",
                ));
            }
            reauthenticate(
                &services.pool,
                &services.totp_key,
                request.principal.user_id,
                &current_password,
                code.as_deref(),
                request.source,
                request.now,
            )
            .await?;
            enrollment::begin(
                &services.pool,
                &services.totp_key,
                &request.principal,
                request.source,
                request.now,
            )
            .await
        }
        .await,
    )
}

/// Finishes setting up the authenticator app with its first code; recovery codes are shown next.
#[server(endpoint = "confirm_two_factor")]
pub async fn confirm_two_factor(code: String) -> Result<(), AppError> {
    use super::context::{authorized, respond};
    use crate::backend::identity::auth::enrollment;
    use crate::domain::Permission;
    respond(
        async {
            let request = authorized(Permission::ManageOwnAccount).await?;
            let services = &request.services;
            let codes = enrollment::confirm(
                &services.pool,
                &services.totp_key,
                &request.principal,
                &code,
                request.source,
                request.now,
            )
            .await?;
            // A step-up: the session gets a new id.
            request.session.renew().await?;
            request
                .session
                .reveal(&Reveal::RecoveryCodes(
                    codes.iter().map(|code| code.display()).collect(),
                ))
                .await
        }
        .await,
    )
}

#[cfg(feature = "ssr")]
mod qr {
    use crate::error::AppError;

    /// The QR code of `text` as an `<img>`-ready SVG data URI (the page's CSP allows `data:`
    /// images, and an image cannot run script).
    pub fn svg_data_uri(text: &str) -> Result<String, AppError> {
        use base64::Engine;
        let code = qrcode::QrCode::new(text.as_bytes()).map_err(|error| {
            tracing::error!(%error, "QR code failed");
            AppError::Internal
        })?;
        let svg = code
            .render::<qrcode::render::svg::Color>()
            .min_dimensions(200, 200)
            .quiet_zone(true)
            .build();
        Ok(format!(
            "data:image/svg+xml;base64,{}",
            base64::engine::general_purpose::STANDARD.encode(svg)
        ))
    }
}
