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
    organization: String,
    name: String,
    email: String,
    password: String,
) -> Result<(), AppError> {
    use super::guard::{open, user_agent};
    open(|visitor| async move {
        let user_id = crate::backend::identity::setup::complete(
            &visitor.services.pool,
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

#[server(endpoint = "invitation")]
pub async fn get_invitation(token: String) -> Result<InvitationView, AppError> {
    use super::guard::open;
    open(|visitor| async move {
        crate::backend::identity::invitations::find(&visitor.services.pool, &token, visitor.now)
            .await
    })
    .await
}

#[server(endpoint = "accept_invitation")]
pub async fn accept_invitation(token: String, password: String) -> Result<(), AppError> {
    use super::guard::{open, user_agent};
    use crate::backend::identity::invitations;
    open(|visitor| async move {
        let pool = &visitor.services.pool;
        let now = visitor.now;
        let invitation = invitations::find(pool, &token, now).await?;
        let user_id = invitations::accept(pool, &token, &password, visitor.source, now).await?;
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
