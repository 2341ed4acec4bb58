use leptos::prelude::*;

use super::CopyButton;
use crate::model::Reveal;

/// A secret shown once: a new API token, recovery codes, an invitation link.
#[component]
pub fn RevealPanel(reveal: Option<Reveal>) -> impl IntoView {
    reveal.map(|reveal| {
        let (title, note, body, copy) = match reveal {
            Reveal::ApiToken { name, token } => (
                format!("Your new token “{name}”"),
                "Copy it now: it is shown only this once. Send it as “Authorization: Bearer …”.",
                view! {
                    <code class="secret" id="revealed" data-testid="revealed-token">
                        {token}
                    </code>
                }.into_any(),
                "Copy token",
            ),
            Reveal::RecoveryCodes(codes) => (
                "Your recovery codes".to_owned(),
                "Keep them somewhere safe, away from your phone. Each works once, instead of a code from your app. They are shown only this once.",
                view! {
                    <ol class="recovery-codes" id="revealed" data-testid="recovery-codes">
                        {codes
                            .into_iter()
                            .map(|code| {
                                view! {
                                    <li>
                                        <code>{code}</code>
                                    </li>
                                }
                            })
                            .collect_view()}
                    </ol>
                }
                .into_any(),
                "Copy codes",
            ),
            Reveal::InvitationLink { email, url } => (
                format!("Invitation for {email}"),
                "Send this link to them. It works once and expires in 72 hours; it is shown only this once.",
                view! {
                    <code class="secret" id="revealed" data-testid="invitation-link">
                        {url}
                    </code>
                }.into_any(),
                "Copy link",
            ),
            Reveal::WebhookSecret { url, secret } => (
                format!("Signing secret for {url}"),
                "Give it to the receiver: each delivery carries “X-Portal-Signature: t=…,v1=…”, the HMAC-SHA256 of “t.body” under this secret. It is shown only this once.",
                view! {
                    <code class="secret" id="revealed" data-testid="webhook-secret">
                        {secret}
                    </code>
                }.into_any(),
                "Copy secret",
            ),
        };
        view! {
            <section class="notice notice--ok reveal" role="status" aria-labelledby="reveal-title">
                <p class="notice__title" id="reveal-title">
                    {title}
                </p>
                <p>{note}</p>
                {body}
                <CopyButton target="revealed".to_owned() label=copy.to_owned() />
            </section>
        }
    })
}

/// Role names as badges.
#[component]
pub fn RoleBadges(roles: Vec<crate::domain::Role>) -> impl IntoView {
    use crate::domain::Role;
    roles
        .into_iter()
        .filter(|role| *role != Role::Employee)
        .map(|role| {
            let class = match role {
                Role::Admin => "badge badge--danger",
                Role::Reviewer => "badge badge--warn",
                _ => "badge badge--info",
            };
            view! {
                <span class=class>{role.as_str()}</span>
                " "
            }
        })
        .collect_view()
}
