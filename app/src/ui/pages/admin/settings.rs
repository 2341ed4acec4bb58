use leptos::prelude::*;

use crate::domain::registry::policy::{OverduePolicy, StalePolicy};

use crate::api::{get_settings, UpdateSettings};
use crate::model::Settings;
use crate::ui::components::{
    action_error, choices, field_error, Field, FormError, Loaded, Page, Select, Width,
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
            <Loaded
                resource=data
                loading="Loading settings…"
                view={move |settings: Settings| {
                    view! {
                        <FormError
                            error
                            fields=&[
                                "name",
                                "max_review_months",
                                "stale_policy",
                                "response_review_months",
                                "review_target_days",
                                "overdue_policy",
                            ]
                        />
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
                            <Field
                                id="max-review-months"
                                name="max_review_months"
                                label="Longest time between reviews (months)"
                                input_type="number"
                                autocomplete="off"
                                maxlength=2
                                value=settings.max_review_months.to_string()
                                hint="From 1 to 36. A review date later than this is a widening: reviewers must sign it off."
                                error=field_error(error, "max_review_months")
                            />
                            <Select
                                id="stale-policy"
                                name="stale_policy"
                                label="While an approval is being re-reviewed, the policy check answers"
                                options=choices(
                                    StalePolicy::ALL,
                                    StalePolicy::as_str,
                                    StalePolicy::label,
                                )
                                selected=settings.stale_policy.as_str()
                                error=field_error(error, "stale_policy")
                            />
                            <Field
                                id="response-review-months"
                                name="response_review_months"
                                label="Incident-response evidence stays current for (months)"
                                input_type="number"
                                autocomplete="off"
                                maxlength=2
                                value=settings.response_review_months.to_string()
                                hint="From 1 to 36. Checklist item 10 is due again when a playbook was last reviewed, or the last tabletop exercise held, longer ago than this."
                                error=field_error(error, "response_review_months")
                            />
                            <Field
                                id="review-target-days"
                                name="review_target_days"
                                label="Requests are decided within (working days)"
                                input_type="number"
                                autocomplete="off"
                                maxlength=2
                                value=settings.review_target_days.to_string()
                                hint="From 1 to 30, Monday to Friday. A request waiting longer shows as late in the review queue, and its reviewer (or every reviewer, when nobody took it) is reminded that day."
                                error=field_error(error, "review_target_days")
                            />
                            <Select
                                id="overdue-policy"
                                name="overdue_policy"
                                label="The day after a tool's review date passes without a review"
                                options=choices(
                                    OverduePolicy::ALL,
                                    OverduePolicy::as_str,
                                    OverduePolicy::label,
                                )
                                selected=settings.overdue_policy.as_str()
                                hint="Checked once a day, by UTC dates: a tool already past its review date is suspended at the next check; one without a review date never is. Everyone using it sees a banner and its open requests wait; a reviewer reinstates it with a signed decision that sets the next review."
                                error=field_error(error, "overdue_policy")
                            />
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
