use leptos::prelude::*;
use leptos_router::components::Redirect;
use leptos_router::hooks::use_query_map;

use crate::api::{get_setup_status, get_sign_in_options, SignIn, SignInCode};
use crate::model::SignInOptions;
use crate::ui::components::{action_error, field_error, Field, FormError, Page, Width};

/// Email and password. Works as a plain form without JavaScript. While nobody has an account,
/// it sends the visitor to first-run setup instead.
#[component]
pub fn SignInPage() -> impl IntoView {
    let action = ServerAction::<SignIn>::new();
    let error = action_error(action);
    let setup_open = Resource::new_blocking(|| (), |_| get_setup_status());
    let options = Resource::new_blocking(|| (), |_| get_sign_in_options());
    view! {
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                matches!(setup_open.await, Ok(true)).then(|| view! { <Redirect path="/setup" /> })
            })}
        </Suspense>
        <Page
            title="Sign in"
            heading="Sign in"
            lead="Use the email address your administrator invited."
            width=Width::Narrow
        >
            <Suspense fallback=|| ()>
                {move || Suspend::new(async move {
                    let options = options.await.unwrap_or_default();
                    view! { <SingleSignOn options /> }
                })}
            </Suspense>
            <FormError error fields=&["email", "password"] />
            <ActionForm action attr:class="form" attr:novalidate=true>
                <ReturnField />
                <Field
                    id="email"
                    label="Email address"
                    input_type="email"
                    autocomplete="username"
                    maxlength=254
                    error=field_error(error, "email")
                />
                <Field
                    id="password"
                    label="Password"
                    input_type="password"
                    autocomplete="current-password"
                    maxlength=1024
                    error=field_error(error, "password")
                />
                <button type="submit" class="button">
                    "Sign in"
                </button>
            </ActionForm>
        </Page>
    }
}

/// "Sign in with <provider>" (a plain link: the provider's page is a navigation, with or
/// without JavaScript), and why the last attempt was refused.
#[component]
fn SingleSignOn(options: SignInOptions) -> impl IntoView {
    let problem = options.problem.map(|problem| {
        view! {
            <div class="notice notice--error" role="alert" data-testid="sso-problem">
                <p>{problem}</p>
            </div>
        }
    });
    let button = options.sso.map(|name| {
        view! {
            <p>
                <a class="button button--wide" href="/auth/oidc/start" rel="external">
                    {format!("Sign in with {name}")}
                </a>
            </p>
            <p class="divider">"or with your e-mail address and password"</p>
        }
    });
    view! {
        {problem}
        {button}
    }
}

/// The second factor: the code from the authenticator app, or a recovery code.
#[component]
pub fn SignInCodePage() -> impl IntoView {
    let action = ServerAction::<SignInCode>::new();
    let error = action_error(action);
    view! {
        <Page
            title="Enter your code"
            heading="Enter your code"
            lead="Open your authenticator app and enter the 6-digit code it shows for the AI Governance Portal."
            width=Width::Narrow
        >
            <FormError error fields=&["code"] />
            <ActionForm action attr:class="form" attr:novalidate=true>
                <ReturnField />
                <Field
                    id="code"
                    label="Code"
                    input_type="text"
                    autocomplete="one-time-code"
                    maxlength=32
                    hint="Lost your phone? Enter one of your recovery codes instead."
                    error=field_error(error, "code")
                />
                <button type="submit" class="button">
                    "Verify"
                </button>
            </ActionForm>
            <p class="page__aside">
                <a href="/sign-in">"Start again"</a>
            </p>
        </Page>
    }
}

/// Carries `?next=` (the page someone was sent here from) through the sign-in forms; the
/// server checks it is a path of this portal.
#[component]
fn ReturnField() -> impl IntoView {
    let query = use_query_map();
    let next = query.with_untracked(|q| q.get("next").unwrap_or_default());
    view! { <input type="hidden" name="next" value=next /> }
}
