use leptos::prelude::*;
use leptos_meta::Title;

use crate::api::{SignIn, SignInCode};
use crate::ui::components::{message_for, Field, FormError};

/// Email and password. Works as a plain form without JavaScript.
#[component]
pub fn SignInPage() -> impl IntoView {
    let action = ServerAction::<SignIn>::new();
    let error = move || action.value().get().and_then(Result::err);
    view! {
        <Title text="Sign in" />
        <section class="page page--narrow" aria-labelledby="sign-in-title">
            <h1 id="sign-in-title">"Sign in"</h1>
            <p class="page__lead">"Use the email address your administrator invited."</p>
            {move || view! { <FormError error=error() /> }}
            <ActionForm action attr:class="form" attr:novalidate=true>
                <Field
                    id="email"
                    label="Email address"
                    input_type="email"
                    autocomplete="username"
                    maxlength=254
                    error=Signal::derive(move || message_for(&error(), "email"))
                />
                <Field
                    id="password"
                    label="Password"
                    input_type="password"
                    autocomplete="current-password"
                    maxlength=1024
                    error=Signal::derive(move || message_for(&error(), "password"))
                />
                <button type="submit" class="button">"Sign in"</button>
            </ActionForm>
        </section>
    }
}

/// The second factor: the code from the authenticator app.
#[component]
pub fn SignInCodePage() -> impl IntoView {
    let action = ServerAction::<SignInCode>::new();
    let error = move || action.value().get().and_then(Result::err);
    view! {
        <Title text="Enter your code" />
        <section class="page page--narrow" aria-labelledby="code-title">
            <h1 id="code-title">"Enter your code"</h1>
            <p class="page__lead">
                "Open your authenticator app and enter the 6-digit code it shows for the AI Governance Portal."
            </p>
            {move || view! { <FormError error=error() /> }}
            <ActionForm action attr:class="form" attr:novalidate=true>
                <Field
                    id="code"
                    label="Code"
                    input_type="text"
                    inputmode="numeric"
                    autocomplete="one-time-code"
                    maxlength=7
                    error=Signal::derive(move || message_for(&error(), "code"))
                />
                <button type="submit" class="button">"Verify"</button>
            </ActionForm>
            <p class="page__aside">
                <a href="/sign-in">"Start again"</a>
            </p>
        </section>
    }
}
