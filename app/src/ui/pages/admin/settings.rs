use leptos::prelude::*;

use crate::api::{get_settings, UpdateSettings};
use crate::model::Settings;
use crate::ui::components::{
    action_done, action_error, field_error, Field, FormError, Loaded, Page, Success, Width,
};

/// Admin: the organization's name and its two-factor policy.
#[component]
pub fn SettingsPage() -> impl IntoView {
    let update = ServerAction::<UpdateSettings>::new();
    let error = action_error(update);
    let data = Resource::new_blocking(move || update.version().get(), |_| get_settings());
    view! {
        <Page
            title="Settings"
            heading="Organization settings"
            section="Administration"
            width=Width::Narrow
        >
            {move || {
                action_done(update).get().then(|| view! { <Success message="Settings saved." /> })
            }}
            <Loaded
                resource=data
                loading="Loading settings…"
                view={move |settings: Settings| {
                    view! {
                        <FormError error />
                        <ActionForm action=update attr:class="form" attr:novalidate=true>
                            <Field
                                id="name"
                                label="Organization name"
                                input_type="text"
                                autocomplete="organization"
                                maxlength=200
                                value=settings.name
                                error=field_error(error, "name")
                            />
                            <div class="field">
                                <label class="choice" for="require-totp">
                                    <input
                                        type="checkbox"
                                        id="require-totp"
                                        name="require_totp_for_all"
                                        value="on"
                                        checked=settings.require_totp_for_all
                                    />
                                    "Require two-factor sign-in for everyone"
                                </label>
                                <p class="field-hint">
                                    "Reviewers and admins always need it. When ticked, employees and managers set it up at their next sign-in."
                                </p>
                            </div>
                            <button type="submit" class="button">
                                "Save settings"
                            </button>
                        </ActionForm>
                    }
                }}
            />
        </Page>
    }
}
