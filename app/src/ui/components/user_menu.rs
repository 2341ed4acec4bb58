use leptos::prelude::*;

use crate::api::SignOut;
use crate::ui::providers::use_current_user;

/// The header's account corner: the signed-in person and "Sign out", or "Sign in".
#[component]
pub fn UserMenu() -> impl IntoView {
    let user = use_current_user();
    let sign_out = ServerAction::<SignOut>::new();
    view! {
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                match user.await {
                    Ok(Some(user)) => {
                        view! {
                            <div class="user-menu">
                                <a
                                    class="user-menu__bell"
                                    href="/notifications"
                                    data-testid="notifications-link"
                                >
                                    <span class="visually-hidden">"Notifications"</span>
                                    <svg
                                        aria-hidden="true"
                                        width="20"
                                        height="20"
                                        viewBox="0 0 24 24"
                                        fill="none"
                                        stroke="currentColor"
                                        stroke-width="2"
                                    >
                                        <path d="M6 8a6 6 0 0 1 12 0c0 7 3 9 3 9H3s3-2 3-9" />
                                        <path d="M10.3 21a1.94 1.94 0 0 0 3.4 0" />
                                    </svg>
                                    {(user.unread_notifications > 0)
                                        .then(|| {
                                            view! {
                                                <span class="user-menu__count" data-testid="unread-count">
                                                    {user.unread_notifications}
                                                    <span class="visually-hidden">" unread"</span>
                                                </span>
                                            }
                                        })}
                                </a>
                                <a
                                    class="user-menu__name"
                                    href="/account"
                                    title="Your account"
                                    aria-label=format!("{}: your account", user.name)
                                    data-testid="signed-in-as"
                                >
                                    {user.name.clone()}
                                </a>
                                <ActionForm action=sign_out attr:class="user-menu__form">
                                    <button type="submit" class="button button--ghost">
                                        "Sign out"
                                    </button>
                                </ActionForm>
                            </div>
                        }
                            .into_any()
                    }
                    _ => {
                        view! {
                            <a class="button button--ghost" href="/sign-in">
                                "Sign in"
                            </a>
                        }
                            .into_any()
                    }
                }
            })}
        </Suspense>
    }
}
