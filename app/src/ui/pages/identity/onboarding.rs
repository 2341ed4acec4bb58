use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_router::components::Redirect;

use crate::api::{
    get_invitation, get_setup_status, AcceptInvitation, CompleteSetup, OpenInvitation,
};
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
                        <FormError
                            error
                            fields=&["setup_code", "organization", "name", "email", "password"]
                        />
                        <ActionForm action attr:class="form" attr:novalidate=true>
                            <Field
                                id="setup-code"
                                name="setup_code"
                                label="Setup code"
                                input_type="text"
                                autocomplete="off"
                                maxlength=40
                                hint="Printed in the console where the portal was started, e.g. ABCD-EFGH-JKLM-NPQR. It proves you run this portal."
                                error=field_error(error, "setup_code")
                            />
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

/// Where an invitation link leads (`/invite#<token>`): the token is posted once and held in
/// the session, then the invitee chooses a password and the account exists. Without JavaScript
/// the page asks for the part of the link after `#`.
#[component]
pub fn InvitePage() -> impl IntoView {
    let open = ServerAction::<OpenInvitation>::new();
    let accept = ServerAction::<AcceptInvitation>::new();
    let open_error = action_error(open);
    let error = action_error(accept);
    let invitation = Resource::new_blocking(move || open.version().get(), |_| get_invitation());
    let code_form = move || {
        view! {
            <p class="page__lead">
                "Open the invitation link your administrator sent you. If the page stops here, enter the part of the link after “#”."
            </p>
            <FormError error=open_error fields=&["code"] />
            <ActionForm action=open attr:class="form" attr:novalidate=true>
                <Field
                    id="code"
                    label="Invitation code"
                    input_type="text"
                    autocomplete="off"
                    maxlength=200
                    error=field_error(open_error, "code")
                />
                <button type="submit" class="button">
                    "Open invitation"
                </button>
            </ActionForm>
        }
    };
    view! {
        <Page title="Accept your invitation" heading="Welcome" width=Width::Narrow>
            // Outside the invitation's states: a new link opens even when the session already
            // holds an invitation, and the fragment leaves the address bar on every branch.
            <InvitationFromLink />
            <Transition fallback=|| ()>
                {move || Suspend::new(async move {
                    match invitation.await {
                        Ok(None) => code_form().into_any(),
                        Err(AppError::NotFound) => {
                            view! {
                                <div class="notice notice--error" role="alert">
                                    <p class="notice__title">"This invitation no longer works"</p>
                                    <p>
                                        "It may have expired (links last 72 hours), been used already, or been replaced by a newer one. "
                                        "Ask your administrator for a new invitation."
                                    </p>
                                </div>
                                {code_form()}
                            }
                                .into_any()
                        }
                        Err(error) => {
                            view! { <crate::ui::components::ErrorNotice error /> }.into_any()
                        }
                        Ok(Some(invitation)) => {
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
                                <FormError error fields=&["password"] />
                                <ActionForm action=accept attr:class="form" attr:novalidate=true>
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

/// Where JavaScript runs: takes the token from the link's fragment, drops it from the address
/// bar and history, and posts it through a hidden form of its own (the code never shows on
/// screen), as the code form does without JavaScript.
#[island]
fn InvitationFromLink() -> impl IntoView {
    let opening = RwSignal::new(false);
    Effect::new(move |_| {
        #[cfg(feature = "hydrate")]
        if submit_fragment_code() {
            opening.set(true);
        }
    });
    view! {
        <form method="post" action=OpenInvitation::url() hidden>
            <input type="hidden" id="invitation-from-link-code" name="code" />
        </form>
        {move || {
            opening.get().then(|| view! { <p role="status">"Opening your invitation…"</p> })
        }}
    }
}

/// Posts the address's fragment through the island's form, after dropping it from the address
/// bar and history; whether it did.
#[cfg(feature = "hydrate")]
fn submit_fragment_code() -> bool {
    use leptos::wasm_bindgen::{JsCast, JsValue};
    let hash = window().location().hash().unwrap_or_default();
    let Some(token) = hash.strip_prefix('#').filter(|token| !token.is_empty()) else {
        return false;
    };
    if let Ok(history) = window().history() {
        let _ = history.replace_state_with_url(&JsValue::NULL, "", Some("/invite"));
    }
    let input = document()
        .get_element_by_id("invitation-from-link-code")
        .and_then(|element| element.dyn_into::<web_sys::HtmlInputElement>().ok());
    let Some((input, form)) = input.and_then(|input| input.form().map(|form| (input, form))) else {
        return false;
    };
    input.set_value(token);
    form.request_submit().is_ok()
}
