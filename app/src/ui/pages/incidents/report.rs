use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use crate::api::{get_incident_report_form, ReportIncident};
use crate::domain::incidents::IncidentKind;
use crate::model::IncidentReportForm;
use crate::ui::components::{
    action_error, field_error, Checkboxes, Choice, Field, FormError, Loaded, Page, Select,
    TextArea, Width,
};

/// The fields the report form shows errors beside.
const REPORT_FIELDS: &[&str] = &[
    "title",
    "kind",
    "description",
    "occurred_at",
    "tools",
    "data_classes",
    "teams",
];

/// Report an incident (`?tool=slug` ticks that tool, as the tool page's link does).
#[component]
pub fn ReportIncidentPage() -> impl IntoView {
    let query = use_query_map();
    let report = ServerAction::<ReportIncident>::new();
    let data = Resource::new_blocking(|| (), |_| get_incident_report_form());
    view! {
        <Page
            title="Report an incident"
            heading="Report an incident"
            up=("/incidents", "Incidents")
            lead="Tell IT security what happened with an AI tool: a leaked or compromised tool, a suspicious package, data pasted where it must not go, harmful output. Report first, even if you are unsure: speed matters more than completeness."
            width=Width::Form
        >
            <Loaded
                resource=data
                loading="Loading the form…"
                view={move |form: IncidentReportForm| {
                    let tool = query.with_untracked(|q| q.get("tool").unwrap_or_default());
                    view! { <ReportForm form report tool /> }
                }}
            />
        </Page>
    }
}

#[component]
fn ReportForm(
    form: IncidentReportForm,
    report: ServerAction<ReportIncident>,
    tool: String,
) -> impl IntoView {
    let error = action_error(report);
    let e = move |field: &'static str| field_error(error, field);
    let mut kinds = vec![(String::new(), "Choose…".to_owned())];
    kinds.extend(
        IncidentKind::ALL
            .iter()
            .map(|k| (k.as_str().to_owned(), k.label().to_owned())),
    );
    let IncidentReportForm {
        tools,
        data_classes,
        teams,
        my_teams,
    } = form;
    view! {
        <FormError error fields=REPORT_FIELDS />
        <ActionForm
            action=report
            attr:class="form"
            attr:novalidate=true
            attr:data-testid="incident-form"
        >
            <Field
                id="incident-title"
                name="incident[title]"
                label="Title"
                hint="One line, e.g. “Fake cursor-agent package installed on two laptops”."
                input_type="text"
                autocomplete="off"
                maxlength=200
                error=e("title")
            />
            <Select
                id="incident-kind"
                name="incident[kind]"
                label="Kind"
                options=kinds
                selected=String::new()
                error=e("kind")
            />
            <TextArea
                id="incident-description"
                name="incident[description]"
                label="What happened"
                hint="What you saw, where, and what you did already. No passwords or keys here."
                maxlength=8000
                error=e("description")
            />
            <Field
                id="incident-occurred-at"
                name="incident[occurred_at]"
                label="When it happened (UTC, optional)"
                hint="Leave empty for now."
                input_type="datetime-local"
                autocomplete="off"
                maxlength=25
                optional=true
                error=e("occurred_at")
            />
            <Checkboxes
                id="incident-tool"
                name="incident[tools][]"
                legend="AI tools involved"
                choices=tools
                    .into_iter()
                    .map(|t| {
                        let checked = t.slug == tool;
                        Choice::new(t.slug, t.name, checked)
                    })
                    .collect()
                error=e("tools")
                grid=true
            />
            <Checkboxes
                id="incident-class"
                name="incident[data_classes][]"
                legend="Data that may be affected"
                choices=data_classes.into_iter().map(|c| Choice::data_class(c, false)).collect()
                error=e("data_classes")
            />
            <Checkboxes
                id="incident-team"
                name="incident[teams][]"
                legend="Teams that may be affected"
                hint="Their managers can follow the incident."
                choices=teams
                    .into_iter()
                    .map(|t| {
                        let checked = my_teams.contains(&t.slug);
                        Choice::new(t.slug, t.name, checked)
                    })
                    .collect()
                error=e("teams")
                grid=true
            />
            <div class="form__actions">
                <button type="submit" class="button">
                    "Report the incident"
                </button>
                <a class="button button--ghost" href="/incidents">
                    "Cancel"
                </a>
            </div>
        </ActionForm>
    }
}
