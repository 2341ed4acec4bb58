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
                    Ok(Some(user)) => view! {
                        <div class="user-menu">
                            <span class="user-menu__name" data-testid="signed-in-as">{user.name}</span>
                            <ActionForm action=sign_out attr:class="user-menu__form">
                                <button type="submit" class="button button--ghost">"Sign out"</button>
                            </ActionForm>
                        </div>
                    }
                    .into_any(),
                    _ => view! {
                        <a class="button button--ghost" href="/sign-in">"Sign in"</a>
                    }
                    .into_any(),
                }
            })}
        </Suspense>
    }
}
