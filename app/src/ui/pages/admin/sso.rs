//! Admin → Integrations → Single sign-on: the provider the portal signs in with, and what its
//! groups grant.

use leptos::prelude::*;

use super::integrations::Listing;
use crate::api::{AddSsoMapping, RemoveSsoMapping};
use crate::model::{SsoMappingView, SsoView};
use crate::ui::components::{
    action_error, field_error, ConfirmIdentity, Field, FormError, Select, When,
};

#[component]
pub(super) fn SsoSection(
    sso: SsoView,
    add: ServerAction<AddSsoMapping>,
    remove: ServerAction<RemoveSsoMapping>,
) -> impl IntoView {
    let add_error = action_error(add);
    let remove_error = action_error(remove);
    let provider = match sso.provider {
        Some(provider) => view! {
            <p class="wraps" data-testid="sso-settings">
                "People sign in through "
                {provider}
                "."
            </p>
        }
            .into_any(),
        None => view! {
            <p class="wraps" data-testid="sso-settings">
                "Single sign-on is not set up: people sign in with passwords. Register the portal at your OpenID provider with the redirect address below, then start it with "
                <code>"--oidc-issuer"</code>
                ", "
                <code>"--oidc-client-id"</code>
                " and "
                <code>"--oidc-client-secret-file"</code>
                " (see docs/OPERATIONS.md, Single sign-on)."
            </p>
        }
            .into_any(),
    };
    let mut grants = vec![(String::new(), "Choose…".to_owned())];
    grants.extend(sso.grants);
    view! {
        <section class="card" aria-labelledby="sso-title">
            <h2 id="sso-title">"Single sign-on"</h2>
            {provider}
            <p class="wraps">
                "Redirect address to register at the provider: " <code>{sso.callback}</code>
            </p>
            <p>
                "What the provider's groups grant, at each sign-in through it: a role or team a mapping names is given exactly to people in one of its groups, and taken from the others. Roles and teams no mapping names stay as admins set them. Decisions still need the portal's own two-factor code."
            </p>
            <FormError error=remove_error />
            <Listing
                testid="sso-mappings-table"
                caption="Group mappings"
                columns=&["Group", "Grants", "Added"]
                empty=(
                    "No group mappings",
                    "Everyone who signs in through the provider is an employee until you map a group below.",
                )
                rows=sso
                    .mappings
                    .into_iter()
                    .map(|mapping| view! { <MappingRow mapping remove /> }.into_any())
                    .collect()
            />
            <h3>"Map a group"</h3>
            <FormError error=add_error fields=&["group", "grants", "current_password", "code"] />
            <ActionForm action=add attr:class="form" attr:novalidate=true>
                <Field
                    id="sso-group"
                    name="group"
                    label="Group"
                    input_type="text"
                    autocomplete="off"
                    maxlength=200
                    hint="As the provider sends it in the groups claim, e.g. ai-reviewers."
                    error=field_error(add_error, "group")
                />
                <Select
                    id="sso-grants"
                    name="grants"
                    label="Grants"
                    options=grants
                    selected=""
                    error=field_error(add_error, "grants")
                />
                <ConfirmIdentity id="sso" error=add_error />
                <button type="submit" class="button">
                    "Add mapping"
                </button>
            </ActionForm>
        </section>
    }
}

#[component]
fn MappingRow(mapping: SsoMappingView, remove: ServerAction<RemoveSsoMapping>) -> impl IntoView {
    let label = format!("Remove: {} grants {}", mapping.group, mapping.grants);
    view! {
        <tr>
            <th scope="row">
                <code>{mapping.group.clone()}</code>
            </th>
            <td data-label="Grants">{mapping.grants.clone()}</td>
            <td data-label="Added">
                {format!("{} · ", mapping.added_by)} <When at=mapping.added />
            </td>
            <td class="table__actions">
                <ActionForm action=remove>
                    <input type="hidden" name="id" value=mapping.id />
                    <button type="submit" class="button button--ghost">
                        <span aria-hidden="true">"Remove"</span>
                        <span class="visually-hidden">{label}</span>
                    </button>
                </ActionForm>
            </td>
        </tr>
    }
}
