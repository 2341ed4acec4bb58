use leptos::prelude::*;
use leptos_router::components::Redirect;
use leptos_router::hooks::use_params_map;

use crate::api::{get_invitation, get_setup_status, AcceptInvitation, CompleteSetup};
use crate::error::AppError;
use crate::ui::components::{
    action_error, field_error, Field, FormError, Loaded, Page, RoleBadges, Width,
};

/// First-run setup: only while nobody has an account.
#[component]
pub fn SetupPage() -> impl IntoView {
    let action = ServerAction::<CompleteSetup>::new();
    let error = action_error(action);
    let open = Resource::new_blocking(|| (), |_| get_setup_status());
    view! {
        <Page title="Set up the portal" heading="Set up the portal" width=Width::Narrow>
            <Loaded
                resource=open
                loading="Checking…"
                view={move |open| {
                    if !open {
                        return // Setup exists only while nobody has an account.
                        view! { <Redirect path="/sign-in" /> }
                            .into_any();
                    }
                    view! {
                        <p class="page__lead">
                            "Name your organization and create the first administrator account. "
                            "You will set up two-factor sign-in next."
                        </p>
                        <FormError error />
                        <ActionForm action attr:class="form" attr:novalidate=true>
                            <Field
                                id="organization"
                                label="Organization name"
                                input_type="text"
                                autocomplete="organization"
                                maxlength=200
                                error=field_error(error, "organization")
                            />
                            <Field
                                id="name"
                                label="Your name"
                                input_type="text"
                                autocomplete="name"
                                maxlength=200
                                error=field_error(error, "name")
                            />
                            <Field
                                id="email"
                                label="Your email address"
                                input_type="email"
                                autocomplete="username"
                                maxlength=254
                                error=field_error(error, "email")
                            />
                            <Field
                                id="password"
                                label="Password"
                                input_type="password"
                                autocomplete="new-password"
                                maxlength=1024
                                hint="At least 12 characters. A phrase of several words is easy to remember and hard to guess."
                                error=field_error(error, "password")
                            />
                            <button type="submit" class="button">
                                "Create the organization"
                            </button>
                        </ActionForm>
                    }
                        .into_any()
                }}
            />
        </Page>
    }
}

/// Where an invitation link leads: choose a password, and the account exists.
#[component]
pub fn InvitePage() -> impl IntoView {
    let params = use_params_map();
    let token = move || params.with(|p| p.get("token").unwrap_or_default());
    let action = ServerAction::<AcceptInvitation>::new();
    let error = action_error(action);
    let invitation = Resource::new_blocking(token, get_invitation);
    view! {
        <Page title="Accept your invitation" heading="Welcome" width=Width::Narrow>
            <Transition fallback=|| ()>
                {move || Suspend::new(async move {
                    match invitation.await {
                        Err(AppError::NotFound) => {
                            view! {
                                <div class="notice notice--error" role="alert">
                                    <p class="notice__title">
                                        "This invitation link does not work"
                                    </p>
                                    <p>
                                        "It may have expired (links last 72 hours), been used already, or been replaced by a newer one. "
                                        "Ask your administrator for a new invitation."
                                    </p>
                                </div>
                            }
                                .into_any()
                        }
                        Err(error) => {
                            view! { <crate::ui::components::ErrorNotice error /> }.into_any()
                        }
                        Ok(invitation) => {
                            view! {
                                <p class="page__lead">
                                    {format!(
                                        "{}, you have been invited to the AI Governance Portal as ",
                                        invitation.name,
                                    )} <strong>{invitation.email.clone()}</strong> "."
                                </p>
                                <p>
                                    "Roles: employee " <RoleBadges roles=invitation.roles.clone() />
                                </p>
                                {invitation
                                    .totp_required
                                    .then(|| {
                                        view! {
                                            <p class="notice notice--info">
                                                "Your role requires two-factor sign-in: after choosing a password you will connect an authenticator app."
                                            </p>
                                        }
                                    })}
                                <FormError error />
                                <ActionForm action attr:class="form" attr:novalidate=true>
                                    <input type="hidden" name="token" value=token() />
                                    <Field
                                        id="password"
                                        label="Choose a password"
                                        input_type="password"
                                        autocomplete="new-password"
                                        maxlength=1024
                                        hint="At least 12 characters. A phrase of several words is easy to remember and hard to guess."
                                        error=field_error(error, "password")
                                    />
                                    <button type="submit" class="button">
                                        "Create my account"
                                    </button>
                                </ActionForm>
                            }
                                .into_any()
                        }
                    }
                })}
            </Transition>
        </Page>
    }
}
