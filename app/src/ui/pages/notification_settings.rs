use leptos::prelude::*;

use crate::api::{get_notification_settings, SaveNotificationSettings};
use crate::domain::notices::Delivery;
use crate::model::{NotificationChoice, NotificationSettings};
use crate::ui::components::{
    action_error, field_error, returned_input, FieldMessage, FormError, Loaded, Page, Width,
};

const FIELDS: &[&str] = &["requests", "reviews", "checklists", "incidents"];

/// The signed-in person's choice, per kind of notification, of how they hear of it: in the
/// portal only, also by e-mail as it happens, or in a daily digest.
#[component]
pub fn NotificationSettingsPage() -> impl IntoView {
    let save = ServerAction::<SaveNotificationSettings>::new();
    let error = action_error(save);
    let data = Resource::new_blocking(
        move || save.version().get(),
        |_| get_notification_settings(),
    );
    view! {
        <Page
            title="How you hear of things"
            heading="How you hear of things"
            up=("/notifications", "Notifications")
            width=Width::Narrow
        >
            <Loaded
                resource=data
                loading="Loading your choices…"
                view={move |settings: NotificationSettings| {
                    view! {
                        <p class="page__lead">
                            {if settings.email_enabled {
                                format!(
                                    "Everything also shows under Notifications. E-mails go to {}.",
                                    settings.address,
                                )
                            } else {
                                "Everything shows under Notifications. This portal does not send e-mail yet: your choices apply once an administrator sets it up."
                                    .to_owned()
                            }}
                        </p>
                        <FormError error fields=FIELDS />
                        <ActionForm action=save attr:class="form" attr:novalidate=true>
                            {settings
                                .choices
                                .into_iter()
                                .map(|choice| view! { <KindChoice choice error /> })
                                .collect_view()}
                            <p class="field-hint">
                                "The digest leaves once a day at 07:00 UTC and lists what you have not read yet. Notices about your own sign-in and security (a locked second factor, new recovery codes) are always e-mailed too, so you hear of a sign-in that was not you."
                            </p>
                            <div class="form__actions">
                                <button type="submit" class="button">
                                    "Save choices"
                                </button>
                            </div>
                        </ActionForm>
                    }
                }}
            />
        </Page>
    }
}

/// One kind's three choices, as radio buttons (a value sent back after an error wins).
#[component]
fn KindChoice(
    choice: NotificationChoice,
    error: Signal<Option<crate::error::AppError>>,
) -> impl IntoView {
    let name = choice.kind.as_str();
    let chosen = returned_input()
        .and_then(|input| input.value(name).map(str::to_owned))
        .unwrap_or_else(|| choice.delivery.as_str().to_owned());
    let hint_id = format!("{name}-hint");
    let error_id = format!("{name}-error");
    let described_by = format!("{hint_id} {error_id}");
    let field = FIELDS
        .iter()
        .copied()
        .find(|field| *field == name)
        .unwrap_or("requests");
    let message = field_error(error, field);
    view! {
        <fieldset
            class="choices"
            aria-describedby=described_by
            aria-invalid=move || message.get().is_some().to_string()
        >
            <legend>{choice.kind.label()}</legend>
            <p class="field-hint" id=hint_id>
                {choice.kind.covers()}
            </p>
            {Delivery::ALL
                .iter()
                .map(|delivery| {
                    let id = format!("{name}-{}", delivery.as_str());
                    view! {
                        <label class="choice" for=id.clone()>
                            <input
                                type="radio"
                                id=id.clone()
                                name=name
                                value=delivery.as_str()
                                checked=chosen == delivery.as_str()
                            />
                            {delivery.label()}
                        </label>
                    }
                })
                .collect_view()}
            <FieldMessage id=error_id error=message />
        </fieldset>
    }
}
