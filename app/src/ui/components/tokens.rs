use leptos::prelude::*;

use super::{field_error, EmptyState, Field, When};
use crate::error::AppError;
use crate::model::TokenView;

/// A person's live API tokens: name, what each may do, when it was made, when it ends, its last
/// use, and a button per row (`revoke` makes it) to revoke it.
#[component]
pub fn TokenTable<F, V>(
    tokens: Vec<TokenView>,
    /// What to say when there is none.
    #[prop(into)]
    empty: String,
    revoke: F,
) -> impl IntoView
where
    F: Fn(TokenView) -> V + 'static,
    V: IntoView + 'static,
{
    if tokens.is_empty() {
        return view! {
            <EmptyState title="No API tokens">
                <p>{empty}</p>
            </EmptyState>
        }
        .into_any();
    }
    view! {
        <div class="table-wrap">
            <table class="table" data-testid="token-table">
                <caption class="visually-hidden">"API tokens"</caption>
                <thead>
                    <tr>
                        <th scope="col">"Name"</th>
                        <th scope="col">"May"</th>
                        <th scope="col">"Created"</th>
                        <th scope="col">"Expires"</th>
                        <th scope="col">"Last used"</th>
                        <th scope="col">
                            <span class="visually-hidden">"Action"</span>
                        </th>
                    </tr>
                </thead>
                <tbody>
                    {tokens
                        .into_iter()
                        .map(|token| {
                            view! {
                                <tr>
                                    <th scope="row">{token.name.clone()}</th>
                                    <td data-label="May">{token.scope.label()}</td>
                                    <td data-label="Created">
                                        <When at=token.created />
                                    </td>
                                    <td data-label="Expires">
                                        <When at=token.expires />
                                    </td>
                                    <td data-label="Last used">
                                        {match token.last_used {
                                            Some(at) => view! { <When at /> }.into_any(),
                                            None => "Never".into_any(),
                                        }}
                                    </td>
                                    <td>{revoke(token)}</td>
                                </tr>
                            }
                        })
                        .collect_view()}
                </tbody>
            </table>
        </div>
    }
    .into_any()
}

/// The proof of identity a sensitive change asks for: the password, or a code from the
/// authenticator app. Not needed within five minutes of the last one.
#[component]
pub fn ConfirmIdentity(
    /// Tells the fields of several forms on one page apart.
    id: &'static str,
    #[prop(into)] error: Signal<Option<AppError>>,
) -> impl IntoView {
    view! {
        <fieldset class="choices confirm-identity">
            <legend>"Confirm it is you"</legend>
            <p class="field-hint">
                "Your password, or a code from your authenticator app. Not needed again within five minutes."
            </p>
            <Field
                id=format!("{id}-password")
                name="current_password"
                label="Your password"
                input_type="password"
                autocomplete="current-password"
                maxlength=1024
                optional=true
                error=field_error(error, "current_password")
            />
            <Field
                id=format!("{id}-code")
                name="code"
                label="Or a code from your app"
                input_type="text"
                inputmode="numeric"
                autocomplete="one-time-code"
                maxlength=32
                optional=true
                error=field_error(error, "code")
            />
        </fieldset>
    }
}
