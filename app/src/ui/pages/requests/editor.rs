use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};

use crate::api::{get_request_editor, SaveRequest};
use crate::domain::requests::input::ACCESS_KINDS;
use crate::domain::ToolCategory;
use crate::model::RequestEditor;
use crate::ui::components::{
    action_error, choices, field_error, Checkboxes, Choice, Field, FormError, Loaded, Page, Select,
    SupplyChain, SupplyChainFields, TextArea, Width,
};

/// Request a tool (`/requests/new`, `?tool=slug` to widen an approval) or change a draft
/// (`/requests/:number/edit`).
#[component]
pub fn RequestEditorPage() -> impl IntoView {
    let params = use_params_map();
    let query = use_query_map();
    let number = move || params.with(|p| p.get("number").and_then(|n| n.parse::<i64>().ok()));
    let save = ServerAction::<SaveRequest>::new();
    let data = Resource::new_blocking(number, get_request_editor);
    view! {
        <Page title="Request a tool" up=("/requests", "Tool requests") width=Width::Form>
            <Loaded
                resource=data
                loading="Loading the form…"
                view={move |editor: RequestEditor| {
                    let widen = query.with_untracked(|q| q.get("tool").unwrap_or_default());
                    view! { <RequestForm editor save widen /> }
                }}
            />
        </Page>
    }
}

/// Beside what a draft may leave empty but a submission needs.
const TO_SUBMIT: &str = "Needed to submit for review.";

/// The fields the request form shows errors beside.
const REQUEST_FIELDS: &[&str] = &[
    "tool",
    "tool_name",
    "vendor",
    "category",
    "website",
    "team",
    "use_case",
    "justification",
    "users",
    "alternatives",
    "data_classes",
    "access",
    "distribution",
    "package_name",
    "pinned_version",
    "checksum",
];

#[component]
fn RequestForm(
    editor: RequestEditor,
    save: ServerAction<SaveRequest>,
    widen: String,
) -> impl IntoView {
    let error = action_error(save);
    let e = move |field: &'static str| field_error(error, field);
    let RequestEditor {
        request,
        teams,
        tools,
        data_classes,
    } = editor;
    let editing = request.is_some();
    let title = request
        .as_ref()
        .map(|r| format!("Edit request #{}", r.number))
        .unwrap_or_else(|| "Request a tool".to_owned());
    let number = request.as_ref().map(|r| r.number.to_string());
    let v = {
        let request = request.clone();
        move |f: fn(&crate::model::RequestDetail) -> String| {
            request.as_ref().map(f).unwrap_or_default()
        }
    };
    let chosen_tool = request
        .as_ref()
        .and_then(|r| r.tool.clone())
        .unwrap_or(widen);
    let widened_name = tools
        .iter()
        .find(|t| t.slug == chosen_tool)
        .map(|t| t.name.clone())
        .unwrap_or_default();
    let team = request
        .as_ref()
        .map(|r| r.team_slug.clone())
        .or_else(|| teams.first().map(|t| t.slug.clone()))
        .unwrap_or_default();
    let category = request
        .as_ref()
        .map(|r| r.category.as_str())
        .unwrap_or("ai_coding");
    let chosen_classes: Vec<String> = request
        .as_ref()
        .map(|r| r.data_classes.iter().map(|c| c.slug.clone()).collect())
        .unwrap_or_default();
    let access: Vec<String> = request
        .as_ref()
        .map(|r| r.access.clone())
        .unwrap_or_default();
    let supply_chain = request
        .as_ref()
        .map(|r| SupplyChain {
            distribution: Some(r.distribution),
            package_name: r.package_name.clone(),
            pinned_version: r.pinned_version.clone(),
            checksum: r.checksum.clone(),
            vendor_trains_on_data: r.vendor_trains_on_data,
        })
        .unwrap_or_default();
    let mut tool_options = vec![(String::new(), "A new tool, not in the registry".to_owned())];
    tool_options.extend(
        tools
            .into_iter()
            .map(|t| (t.slug, format!("Wider approval of {}", t.name))),
    );
    let team_options: Vec<(String, String)> = teams.into_iter().map(|t| (t.slug, t.name)).collect();
    let no_team = team_options.is_empty();
    view! {
        <Title text=title.clone() />
        <header class="page__header">
            <h1 id="page-title">{title}</h1>
        </header>
        {no_team
            .then(|| {
                view! {
                    <div class="notice notice--warn" role="note">
                        <p>
                            "You are not in any team yet. Ask an admin to add you to your team, then request tools for it."
                        </p>
                    </div>
                }
            })}
        <FormError error fields=REQUEST_FIELDS />
        <ActionForm
            action=save
            attr:class="form"
            attr:novalidate=true
            attr:data-testid="request-form"
        >
            {number.map(|n| view! { <input type="hidden" name="number" value=n /> })}
            <fieldset class="choices">
                <legend>"The tool"</legend>
                <Select
                    id="request-tool"
                    name="request[tool]"
                    label="What you ask for"
                    options=tool_options
                    selected=chosen_tool
                    error=e("tool")
                />
                <Field
                    id="request-tool-name"
                    name="request[tool_name]"
                    label="Tool name"
                    input_type="text"
                    autocomplete="off"
                    maxlength=120
                    value=if editing { v(|r| r.tool_name.clone()) } else { widened_name }
                    error=e("tool_name")
                />
                <Field
                    id="request-vendor"
                    name="request[vendor]"
                    label="Vendor"
                    hint=TO_SUBMIT
                    input_type="text"
                    autocomplete="off"
                    maxlength=120
                    optional=true
                    value=v(|r| r.vendor.clone())
                    error=e("vendor")
                />
                <Select
                    id="request-category"
                    name="request[category]"
                    label="Category"
                    options=choices(ToolCategory::ALL, ToolCategory::as_str, ToolCategory::label)
                    selected=category
                    error=e("category")
                />
                <Field
                    id="request-website"
                    name="request[website]"
                    label="Website (optional)"
                    input_type="url"
                    autocomplete="off"
                    maxlength=2000
                    optional=true
                    value=v(|r| r.website.clone())
                    error=e("website")
                />
            </fieldset>
            <fieldset class="choices">
                <legend>"Why and for whom"</legend>
                <Select
                    id="request-team"
                    name="request[team]"
                    label="Team"
                    options=team_options
                    selected=team
                    error=e("team")
                />
                <TextArea
                    id="request-use-case"
                    name="request[use_case]"
                    label="Use case"
                    hint="What you will do with it. Needed to submit for review."
                    maxlength=4000
                    value=v(|r| r.use_case.clone())
                    error=e("use_case")
                />
                <TextArea
                    id="request-justification"
                    name="request[justification]"
                    label="Business justification"
                    hint=TO_SUBMIT
                    maxlength=4000
                    value=v(|r| r.justification.clone())
                    error=e("justification")
                />
                <Field
                    id="request-users"
                    name="request[users]"
                    label="Number of users"
                    input_type="number"
                    inputmode="numeric"
                    autocomplete="off"
                    maxlength=7
                    value=request
                        .as_ref()
                        .map(|r| r.users.to_string())
                        .unwrap_or_else(|| "1".into())
                    error=e("users")
                />
                <TextArea
                    id="request-alternatives"
                    name="request[alternatives]"
                    label="Alternatives considered (optional)"
                    maxlength=4000
                    value=v(|r| r.alternatives.clone())
                    error=e("alternatives")
                />
            </fieldset>
            <Checkboxes
                id="request-class"
                name="request[data_classes][]"
                legend="Data it will touch"
                hint=TO_SUBMIT
                choices=data_classes
                    .into_iter()
                    .map(|class| {
                        let checked = chosen_classes.contains(&class.slug);
                        Choice::data_class(class, checked)
                    })
                    .collect()
                error=e("data_classes")
            />
            <Checkboxes
                id="request-access"
                name="request[access][]"
                legend="Access it needs"
                choices=ACCESS_KINDS
                    .iter()
                    .map(|(key, label)| Choice::new(*key, *label, access.iter().any(|a| a == key)))
                    .collect()
                error=e("access")
            />
            <SupplyChainFields form="request" values=supply_chain error />
            <div class="form__actions">
                <button type="submit" class="button">
                    "Save draft"
                </button>
            </div>
            <p class="field-hint">
                "Saving keeps a draft only you can change; submit it for review from its page."
            </p>
        </ActionForm>
    }
}
