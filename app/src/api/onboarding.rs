//! Getting in for the first time: first-run setup and invitations.

use leptos::prelude::*;

use crate::error::AppError;
use crate::model::InvitationView;

/// Whether first-run setup is open (nobody has an account yet).
#[server(endpoint = "setup_status")]
pub async fn get_setup_status() -> Result<bool, AppError> {
    use super::context::{pool, respond};
    respond(async { crate::backend::identity::setup::is_open(&pool()?).await }.await)
}

#[server(endpoint = "complete_setup")]
pub async fn complete_setup(
    organization: String,
    name: String,
    email: String,
    password: String,
) -> Result<(), AppError> {
    use super::context::{respond, services, session, source_address, user_agent};
    respond(
        async {
            let services = services()?;
            let now = services.clock.now();
            let source = source_address().await;
            let user_id = crate::backend::identity::setup::complete(
                &services.pool,
                &organization,
                &name,
                &email,
                &password,
                source,
                now,
            )
            .await?;
            session().await?.sign_in(user_id, now, user_agent()).await?;
            // The first admin sets up their second factor before anything else.
            leptos_axum::redirect("/account/two-factor");
            Ok(())
        }
        .await,
    )
}

#[server(endpoint = "invitation")]
pub async fn get_invitation(token: String) -> Result<InvitationView, AppError> {
    use super::context::{respond, services};
    respond(
        async {
            let services = services()?;
            crate::backend::identity::invitations::find(
                &services.pool,
                &token,
                services.clock.now(),
            )
            .await
        }
        .await,
    )
}

#[server(endpoint = "accept_invitation")]
pub async fn accept_invitation(token: String, password: String) -> Result<(), AppError> {
    use super::context::{respond, services, session, source_address, user_agent};
    use crate::backend::identity::invitations;
    respond(
        async {
            let services = services()?;
            let now = services.clock.now();
            let source = source_address().await;
            let invitation = invitations::find(&services.pool, &token, now).await?;
            let user_id =
                invitations::accept(&services.pool, &token, &password, source, now).await?;
            session().await?.sign_in(user_id, now, user_agent()).await?;
            leptos_axum::redirect(if invitation.totp_required {
                "/account/two-factor"
            } else {
                "/"
            });
            Ok(())
        }
        .await,
    )
}
