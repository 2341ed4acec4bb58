use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::Redirect;

use crate::api::{get_setup_status, SignIn, SignInCode};
use crate::ui::components::{action_error, field_error, Field, FormError};

/// Email and password. Works as a plain form without JavaScript. While nobody has an account,
/// it sends the visitor to first-run setup instead.
#[component]
pub fn SignInPage() -> impl IntoView {
    let action = ServerAction::<SignIn>::new();
    let error = action_error(action);
    let setup_open = Resource::new_blocking(|| (), |_| get_setup_status());
    view! {
        <Title text="Sign in" />
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                matches!(setup_open.await, Ok(true)).then(|| view! { <Redirect path="/setup" /> })
            })}
        </Suspense>
        <section class="page page--narrow" aria-labelledby="sign-in-title">
            <h1 id="sign-in-title">"Sign in"</h1>
            <p class="page__lead">"Use the email address your administrator invited."</p>
            <FormError error />
            <ActionForm action attr:class="form" attr:novalidate=true>
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
                <button type="submit" class="button">"Sign in"</button>
            </ActionForm>
        </section>
    }
}

/// The second factor: the code from the authenticator app, or a recovery code.
#[component]
pub fn SignInCodePage() -> impl IntoView {
    let action = ServerAction::<SignInCode>::new();
    let error = action_error(action);
    view! {
        <Title text="Enter your code" />
        <section class="page page--narrow" aria-labelledby="code-title">
            <h1 id="code-title">"Enter your code"</h1>
            <p class="page__lead">
                "Open your authenticator app and enter the 6-digit code it shows for the AI Governance Portal."
            </p>
            <FormError error />
            <ActionForm action attr:class="form" attr:novalidate=true>
                <Field
                    id="code"
                    label="Code"
                    input_type="text"
                    autocomplete="one-time-code"
                    maxlength=32
                    hint="Lost your phone? Enter one of your recovery codes instead."
                    error=field_error(error, "code")
                />
                <button type="submit" class="button">"Verify"</button>
            </ActionForm>
            <p class="page__aside">
                <a href="/sign-in">"Start again"</a>
            </p>
        </section>
    }
}
