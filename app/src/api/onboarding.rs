//! Getting in for the first time: first-run setup and invitations.

use leptos::prelude::*;

use crate::error::AppError;
use crate::model::InvitationView;

/// Whether first-run setup is open (nobody has an account yet).
#[server(endpoint = "setup_status")]
pub async fn get_setup_status() -> Result<bool, AppError> {
    use super::guard::open;
    open(|visitor| async move { crate::backend::identity::setup::is_open(&visitor.services.pool).await })
        .await
}

#[server(endpoint = "complete_setup")]
pub async fn complete_setup(
    setup_code: String,
    organization: String,
    name: String,
    email: String,
    password: String,
) -> Result<(), AppError> {
    use super::guard::{open, user_agent};
    open(|visitor| async move {
        let user_id = crate::backend::identity::setup::complete(
            &visitor.services.pool,
            &setup_code,
            &organization,
            &name,
            &email,
            &password,
            visitor.source,
            visitor.now,
        )
        .await?;
        visitor
            .session
            .sign_in(user_id, visitor.now, user_agent())
            .await?;
        // The first admin sets up their second factor before anything else.
        leptos_axum::redirect("/account/two-factor");
        Ok(())
    })
    .await
}

/// Opens an invitation: its token (from the link, after `#`) is checked and held in the
/// session, sealed, so it never appears in a URL, a log or the browser history.
#[server(endpoint = "open_invitation")]
pub async fn open_invitation(code: String) -> Result<(), AppError> {
    use super::guard::open;
    use crate::backend::identity::invitations;
    open(|visitor| async move {
        let token = code.trim().trim_start_matches('#');
        let pool = &visitor.services.pool;
        match invitations::find(pool, token, visitor.now).await {
            Ok(_) => {}
            Err(AppError::NotFound) => {
                return Err(AppError::invalid(
                    "code",
                    "does not open an invitation: it may have expired (links last 72 hours), \
                     been used already or been replaced by a newer one",
                ))
            }
            Err(error) => return Err(error),
        }
        visitor
            .session
            .hold_invitation(&visitor.services.totp_key, token)
            .await
    })
    .await
}

/// The invitation held in the session: `None` when none was opened; `NotFound` when the one
/// held no longer works (used, expired or replaced meanwhile).
#[server(endpoint = "invitation")]
pub async fn get_invitation() -> Result<Option<InvitationView>, AppError> {
    use super::guard::open;
    open(|visitor| async move {
        let Some(token) = visitor
            .session
            .held_invitation(&visitor.services.totp_key)
            .await?
        else {
            return Ok(None);
        };
        let found = crate::backend::identity::invitations::find(
            &visitor.services.pool,
            &token,
            visitor.now,
        )
        .await;
        if found.is_err() {
            visitor.session.drop_invitation().await?;
        }
        found.map(Some)
    })
    .await
}

/// Creates the account of the invitation held in the session, with `password`, and signs in.
#[server(endpoint = "accept_invitation")]
pub async fn accept_invitation(password: String) -> Result<(), AppError> {
    use super::guard::{open, user_agent};
    use crate::backend::identity::invitations;
    open(|visitor| async move {
        let pool = &visitor.services.pool;
        let now = visitor.now;
        let token = visitor
            .session
            .held_invitation(&visitor.services.totp_key)
            .await?
            .ok_or(AppError::NotFound)?;
        let invitation = invitations::find(pool, &token, now).await?;
        let user_id = invitations::accept(pool, &token, &password, visitor.source, now).await?;
        visitor.session.drop_invitation().await?;
        visitor.session.sign_in(user_id, now, user_agent()).await?;
        leptos_axum::redirect(if invitation.totp_required {
            "/account/two-factor"
        } else {
            "/"
        });
        Ok(())
    })
    .await
}
