use leptos::prelude::*;

use crate::api::{
    get_account, get_two_factor, BeginTwoFactor, CancelTwoFactor, ChangePassword, ConfirmTwoFactor,
    CreateApiToken, EndSession, RegenerateRecoveryCodes, RevokeApiToken,
};
use crate::model::{AccountPage as AccountData, TwoFactorPage as TwoFactorData};
use crate::ui::components::When;
use crate::ui::components::{
    action_error, field_error, ConfirmIdentity, Field, FormError, Loaded, Page, RevealPanel,
    RoleBadges, Select, TokenTable, Width,
};

/// The signed-in person's own account.
#[component]
pub fn AccountPage() -> impl IntoView {
    let password = ServerAction::<ChangePassword>::new();
    let end = ServerAction::<EndSession>::new();
    let create = ServerAction::<CreateApiToken>::new();
    let revoke = ServerAction::<RevokeApiToken>::new();
    let regenerate = ServerAction::<RegenerateRecoveryCodes>::new();
    let data = Resource::new_blocking(
        move || {
            (
                password.version().get(),
                end.version().get(),
                create.version().get(),
                revoke.version().get(),
                regenerate.version().get(),
            )
        },
        |_| get_account(),
    );
    view! {
        <Page title="Your account" heading="Your account" section="Account">
            <Loaded
                resource=data
                loading="Loading your account…"
                view={move |page: AccountData| {
                    view! { <AccountView page password end create revoke regenerate /> }
                }}
            />
        </Page>
    }
}

#[component]
fn AccountView(
    page: AccountData,
    password: ServerAction<ChangePassword>,
    end: ServerAction<EndSession>,
    create: ServerAction<CreateApiToken>,
    revoke: ServerAction<RevokeApiToken>,
    regenerate: ServerAction<RegenerateRecoveryCodes>,
) -> impl IntoView {
    let password_error = action_error(password);
    let create_error = action_error(create);
    let regenerate_error = action_error(regenerate);
    let end_error = action_error(end);
    let revoke_error = action_error(revoke);
    view! {
        <RevealPanel reveal=page.reveal.clone() />
        {page
            .needs_two_factor
            .then(|| {
                view! {
                    <div class="notice notice--info" role="status">
                        <p>
                            "Your role requires two-factor sign-in. "
                            <a href="/account/two-factor">"Set it up now"</a> "."
                        </p>
                    </div>
                }
            })}
        <section class="card" aria-labelledby="profile-title">
            <h2 id="profile-title">"Profile"</h2>
            <dl class="details">
                <div>
                    <dt>"Name"</dt>
                    <dd data-testid="account-name">{page.name.clone()}</dd>
                </div>
                <div>
                    <dt>"Email"</dt>
                    <dd>{page.email.clone()}</dd>
                </div>
                <div>
                    <dt>"Roles"</dt>
                    <dd data-testid="account-roles">
                        "employee " <RoleBadges roles=page.roles.clone() />
                    </dd>
                </div>
                <div>
                    <dt>"Teams"</dt>
                    <dd data-testid="account-teams">
                        {if page.teams.is_empty() {
                            "No team yet: an administrator adds you to one.".into_any()
                        } else {
                            page.teams
                                .iter()
                                .map(|t| format!("{} ({})", t.name, t.membership))
                                .collect::<Vec<_>>()
                                .join(", ")
                                .into_any()
                        }}
                    </dd>
                </div>
            </dl>
        </section>

        <section class="card" aria-labelledby="security-title">
            <h2 id="security-title">"Two-factor sign-in"</h2>
            {if page.two_factor {
                view! {
                    <p>
                        <span class="badge badge--ok">"On"</span>
                        {format!(" {} of 10 recovery codes left. ", page.recovery_codes_left)}
                        <a href="/account/two-factor">"Replace your authenticator app"</a>
                    </p>
                    <FormError error=regenerate_error fields=&["current_password", "code"] />
                    <ActionForm
                        action=regenerate
                        attr:class="form form--inline"
                        attr:novalidate=true
                    >
                        <Field
                            id="recovery-password"
                            name="current_password"
                            label="Current password"
                            input_type="password"
                            autocomplete="current-password"
                            maxlength=1024
                            error=field_error(regenerate_error, "current_password")
                        />
                        <Field
                            id="recovery-code"
                            name="code"
                            label="Code from your app"
                            input_type="text"
                            inputmode="numeric"
                            autocomplete="one-time-code"
                            maxlength=32
                            error=field_error(regenerate_error, "code")
                        />
                        <button type="submit" class="button button--secondary">
                            "New recovery codes"
                        </button>
                    </ActionForm>
                }
                    .into_any()
            } else {
                view! {
                    <p>
                        <span class="badge badge--warn">"Off"</span>
                        " Protect your account with an authenticator app. "
                        <a href="/account/two-factor">"Set up two-factor sign-in"</a>
                    </p>
                }
                    .into_any()
            }}
        </section>

        <section class="card" aria-labelledby="password-title">
            <h2 id="password-title">"Password"</h2>
            <FormError error=password_error fields=&["current_password", "new_password"] />
            <ActionForm action=password attr:class="form" attr:novalidate=true>
                <Field
                    id="current-password"
                    name="current_password"
                    label="Current password"
                    input_type="password"
                    autocomplete="current-password"
                    maxlength=1024
                    error=field_error(password_error, "current_password")
                />
                <Field
                    id="new-password"
                    name="new_password"
                    label="New password"
                    input_type="password"
                    autocomplete="new-password"
                    maxlength=1024
                    hint="At least 12 characters. Changing it signs you out everywhere else."
                    error=field_error(password_error, "new_password")
                />
                <button type="submit" class="button">
                    "Change password"
                </button>
            </ActionForm>
        </section>

        <section class="card" aria-labelledby="sessions-title">
            <h2 id="sessions-title">"Where you are signed in"</h2>
            <FormError error=end_error />
            <div class="table-wrap">
                <table class="table" data-testid="session-table">
                    <caption class="visually-hidden">"Your sessions"</caption>
                    <thead>
                        <tr>
                            <th scope="col">"Browser"</th>
                            <th scope="col">"Signed in"</th>
                            <th scope="col">"Last active"</th>
                            <th scope="col">
                                <span class="visually-hidden">"Action"</span>
                            </th>
                        </tr>
                    </thead>
                    <tbody>
                        {page
                            .sessions
                            .into_iter()
                            .map(|session| {
                                view! {
                                    <tr>
                                        <th scope="row">
                                            {session.device.clone()}
                                            {session
                                                .current
                                                .then(|| {
                                                    view! {
                                                        " "
                                                        <span class="badge badge--ok">"This browser"</span>
                                                    }
                                                })}
                                        </th>
                                        <td data-label="Signed in">
                                            {session.signed_in.map(|at| view! { <When at /> })}
                                        </td>
                                        <td data-label="Last active">
                                            {session.last_seen.map(|at| view! { <When at /> })}
                                        </td>
                                        <td>
                                            {(!session.current)
                                                .then(|| {
                                                    view! {
                                                        <ActionForm action=end>
                                                            <input
                                                                type="hidden"
                                                                name="handle"
                                                                value=session.handle.clone()
                                                            />
                                                            <button type="submit" class="button button--ghost">
                                                                "Sign out this session"
                                                            </button>
                                                        </ActionForm>
                                                    }
                                                })}
                                        </td>
                                    </tr>
                                }
                            })
                            .collect_view()}
                    </tbody>
                </table>
            </div>
        </section>

        <section class="card" aria-labelledby="tokens-title">
            <h2 id="tokens-title">"API tokens"</h2>
            <p>
                "For scripts and gateways calling " <code>"/api/v1"</code>
                ". A token acts as you, with your roles."
            </p>
            <FormError error=revoke_error />
            <TokenTable
                tokens=page.tokens
                empty="Create one below when a script needs to ask the portal."
                revoke=move |token| {
                    view! {
                        <ActionForm action=revoke>
                            <input type="hidden" name="id" value=token.id />
                            <button type="submit" class="button button--danger">
                                {format!("Revoke {}", token.name)}
                            </button>
                        </ActionForm>
                    }
                }
            />
            <FormError
                error=create_error
                fields=&["name", "scope", "expires_in_days", "current_password", "code"]
            />
            <ActionForm
                action=create
                attr:class="form"
                attr:novalidate=true
                attr:data-testid="token-form"
            >
                <h3>"Create a token"</h3>
                <Field
                    id="token-name"
                    name="name"
                    label="Token name"
                    input_type="text"
                    autocomplete="off"
                    maxlength=100
                    hint="What it is for, e.g. “SIEM export”."
                    error=field_error(create_error, "name")
                />
                <Select
                    id="token-scope"
                    name="scope"
                    label="It may"
                    options=vec![
                        ("read".to_owned(), "Read only".to_owned()),
                        ("read-write".to_owned(), "Read and write (file requests)".to_owned()),
                        ("metrics".to_owned(), "Read the metrics only (Prometheus)".to_owned()),
                    ]
                    selected="read"
                    error=field_error(create_error, "scope")
                />
                <Field
                    id="token-days"
                    name="expires_in_days"
                    label="Expires after (days)"
                    input_type="number"
                    autocomplete="off"
                    maxlength=3
                    value="90"
                    hint="From 1 to 365: no token lives for ever."
                    error=field_error(create_error, "expires_in_days")
                />
                <ConfirmIdentity id="token" error=create_error />
                <button type="submit" class="button">
                    "Create token"
                </button>
            </ActionForm>
        </section>
    }
}

/// Setting up, or replacing, the authenticator app.
#[component]
pub fn TwoFactorPage() -> impl IntoView {
    let begin = ServerAction::<BeginTwoFactor>::new();
    let confirm = ServerAction::<ConfirmTwoFactor>::new();
    let cancel = ServerAction::<CancelTwoFactor>::new();
    let data = Resource::new_blocking(
        move || {
            (
                begin.version().get(),
                confirm.version().get(),
                cancel.version().get(),
            )
        },
        |_| get_two_factor(),
    );
    view! {
        <Page title="Two-factor sign-in" heading="Two-factor sign-in" width=Width::Narrow>
            <Loaded
                resource=data
                loading="Loading…"
                view={move |page: TwoFactorData| {
                    view! { <TwoFactorView page begin confirm cancel /> }
                }}
            />
        </Page>
    }
}

#[component]
fn TwoFactorView(
    page: TwoFactorData,
    begin: ServerAction<BeginTwoFactor>,
    confirm: ServerAction<ConfirmTwoFactor>,
    cancel: ServerAction<CancelTwoFactor>,
) -> impl IntoView {
    let begin_error = action_error(begin);
    let confirm_error = action_error(confirm);
    if let Some(pending) = page.pending {
        return view! {
            <ol class="steps">
                <li>
                    <p>
                        "Scan this QR code with your authenticator app (Google Authenticator, Microsoft Authenticator, 1Password, …)."
                    </p>
                    <img
                        class="qr-code"
                        src=pending.qr_code
                        alt="QR code that adds the AI Governance Portal to an authenticator app"
                        width="200"
                        height="200"
                    />
                    <p>"Cannot scan? Enter this key by hand (time-based, 6 digits):"</p>
                    <p>
                        <code class="secret" data-testid="totp-secret">
                            {pending.secret}
                        </code>
                    </p>
                    <details>
                        <summary>"Setup link"</summary>
                        <p>
                            <code class="secret" data-testid="otpauth-url">
                                {pending.otpauth_url}
                            </code>
                        </p>
                    </details>
                </li>
                <li>
                    <p>"Enter the 6-digit code the app now shows."</p>
                    <FormError error=confirm_error fields=&["code"] />
                    <ActionForm action=confirm attr:class="form" attr:novalidate=true>
                        <Field
                            id="code"
                            label="Code from the app"
                            input_type="text"
                            inputmode="numeric"
                            autocomplete="one-time-code"
                            maxlength=7
                            error=field_error(confirm_error, "code")
                        />
                        <button type="submit" class="button">
                            {if page.enrolled {
                                "Switch to the new app"
                            } else {
                                "Turn on two-factor sign-in"
                            }}
                        </button>
                    </ActionForm>
                </li>
            </ol>
            {page
                .enrolled
                .then(|| {
                    view! {
                        <p data-testid="old-factor-kept">
                            "Until you enter a code from the new app, your current app and recovery codes keep working."
                        </p>
                    }
                })}
            <ActionForm action=cancel attr:class="form form--inline">
                <button type="submit" class="button button--secondary">
                    "Cancel set-up"
                </button>
            </ActionForm>
        }
        .into_any();
    }
    view! {
        <RevealPanel reveal=page.reveal />
        {if page.enrolled {
            view! {
                <p class="page__lead">
                    <span class="badge badge--ok">"On"</span>
                    {format!(
                        " Your account asks for a code at every sign-in. {} of 10 recovery codes left.",
                        page.recovery_codes_left,
                    )}
                </p>
                <p>
                    <a href="/">"Continue to the portal"</a>
                </p>
                <h2>"Replace your authenticator app"</h2>
                <p>
                    "New phone? Confirm it is you; the old app stops working once the new one is set up."
                </p>
            }
                .into_any()
        } else {
            view! {
                <p class="page__lead">
                    {if page.required {
                        "Your role requires a code from an authenticator app at every sign-in. Set it up to continue."
                    } else {
                        "Ask for a code from an authenticator app at every sign-in, so a stolen password is not enough."
                    }}
                </p>
            }
                .into_any()
        }}
        <FormError error=begin_error fields=&["current_password", "code"] />
        <ActionForm action=begin attr:class="form" attr:novalidate=true>
            <Field
                id="current-password"
                name="current_password"
                label="Current password"
                input_type="password"
                autocomplete="current-password"
                maxlength=1024
                hint="Signed in through single sign-on and have no password? Leave it empty within five minutes of signing in."
                error=field_error(begin_error, "current_password")
            />
            {page
                .enrolled
                .then(|| {
                    view! {
                        <Field
                            id="code"
                            label="Code from your current app, or a recovery code"
                            input_type="text"
                            autocomplete="one-time-code"
                            maxlength=32
                            error=field_error(begin_error, "code")
                        />
                    }
                })}
            <button type="submit" class="button">
                {if page.enrolled {
                    "Replace authenticator app"
                } else {
                    "Set up authenticator app"
                }}
            </button>
        </ActionForm>
    }
    .into_any()
}
