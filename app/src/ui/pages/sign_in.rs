use leptos::prelude::*;
use leptos_meta::Title;

use crate::api::{SignIn, SignInCode};
use crate::ui::components::{message_for, FieldError, FormError};

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
                <div class="field">
                    <label for="email">"Email address"</label>
                    <input
                        id="email"
                        name="email"
                        type="email"
                        autocomplete="username"
                        required
                        maxlength="254"
                        aria-describedby="email-error"
                        aria-invalid=move || message_for(&error(), "email").is_some().to_string()
                    />
                    {move || view! { <FieldError id="email-error" message=message_for(&error(), "email") /> }}
                </div>
                <div class="field">
                    <label for="password">"Password"</label>
                    <input
                        id="password"
                        name="password"
                        type="password"
                        autocomplete="current-password"
                        required
                        maxlength="1024"
                        aria-describedby="password-error"
                        aria-invalid=move || message_for(&error(), "password").is_some().to_string()
                    />
                    {move || view! { <FieldError id="password-error" message=message_for(&error(), "password") /> }}
                </div>
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
                <div class="field">
                    <label for="code">"Code"</label>
                    <input
                        id="code"
                        name="code"
                        type="text"
                        inputmode="numeric"
                        autocomplete="one-time-code"
                        pattern="[0-9 ]*"
                        maxlength="7"
                        required
                        aria-describedby="code-error"
                        aria-invalid=move || message_for(&error(), "code").is_some().to_string()
                    />
                    {move || view! { <FieldError id="code-error" message=message_for(&error(), "code") /> }}
                </div>
                <button type="submit" class="button">"Verify"</button>
            </ActionForm>
            <p class="page__aside">
                <a href="/sign-in">"Start again"</a>
            </p>
        </section>
    }
}
