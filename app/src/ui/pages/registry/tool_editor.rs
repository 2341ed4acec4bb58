use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

use crate::api::{get_tool_editor, SaveTool};
use crate::domain::{ToolCategory, ToolStatus, ACCESS_REQUIREMENTS};
use crate::model::ToolEditor;
use crate::ui::components::{
    action_error, choices, field_error, returned_input, Checkboxes, Choice, Field, FormError,
    Loaded, Page, Select, SupplyChain, SupplyChainFields, TextArea, Width,
};

/// Reviewers: add a tool (`/tools/new`) or change one (`/tools/:slug/edit`).
#[component]
pub fn ToolEditorPage() -> impl IntoView {
    let params = use_params_map();
    let slug = move || params.with(|p| p.get("slug"));
    let save = ServerAction::<SaveTool>::new();
    let data = Resource::new_blocking(slug, get_tool_editor);
    view! {
        <Page title="Edit tool" up=("/tools", "AI tools") width=Width::Form>
            <Loaded
                resource=data
                loading="Loading the form…"
                view={move |editor: ToolEditor| view! { <ToolFormView editor save /> }}
            />
        </Page>
    }
}

/// The fields the tool form shows errors beside. The identifier comes last: an edit form has
/// no identifier field, and shows its errors above the form (`shown_fields`).
const TOOL_FIELDS: &[&str] = &[
    "name",
    "vendor",
    "category",
    "description",
    "website",
    "status",
    "status_reason",
    "conditions",
    "scope",
    "teams",
    "data_classes",
    "business_owner",
    "next_review",
    "rollback_plan",
    "access_requirements",
    "code",
    "distribution",
    "package_name",
    "pinned_version",
    "checksum",
    "slug",
];

/// `fields` less the identifier (last) when editing, where the form has no field for it.
pub(super) fn shown_fields(
    fields: &'static [&'static str],
    editing: bool,
) -> &'static [&'static str] {
    match fields.split_last() {
        Some((&"slug", rest)) if editing => rest,
        _ => fields,
    }
}

#[component]
fn ToolFormView(editor: ToolEditor, save: ServerAction<SaveTool>) -> impl IntoView {
    let error = action_error(save);
    let e = move |field: &'static str| field_error(error, field);
    let ToolEditor {
        tool,
        data_classes,
        teams,
    } = editor;
    let editing = tool.is_some();
    let title = tool
        .as_ref()
        .map(|t| format!("Edit {}", t.name))
        .unwrap_or_else(|| "Add a tool".to_owned());
    let original = tool.as_ref().map(|t| t.slug.clone()).unwrap_or_default();
    let v = {
        let tool = tool.clone();
        move |f: fn(&crate::model::ToolDetail) -> String| tool.as_ref().map(f).unwrap_or_default()
    };
    let status = tool
        .as_ref()
        .map(|t| t.status.as_str())
        .unwrap_or("approved");
    let category = tool
        .as_ref()
        .map(|t| t.category.as_str())
        .unwrap_or("ai_coding");
    let chosen_teams: Vec<String> = tool
        .as_ref()
        .and_then(|t| t.teams.clone())
        .map(|teams| teams.into_iter().map(|t| t.slug).collect())
        .unwrap_or_default();
    // What was typed into this form, when the server refused it (fields and groups of boxes
    // restore themselves; the radio buttons and requirement rows are restored here).
    let returned = returned_input().filter(|input| input.sent("tool[name]"));
    let all_teams = returned
        .as_ref()
        .and_then(|input| input.value("tool[scope]"))
        .map_or_else(
            || tool.as_ref().is_none_or(|t| t.teams.is_none()),
            |scope| scope == "all",
        );
    let chosen_classes: Vec<String> = tool
        .as_ref()
        .map(|t| t.data_classes.iter().map(|c| c.slug.clone()).collect())
        .unwrap_or_default();
    let requirements = tool
        .as_ref()
        .map(|t| t.access_requirements.clone())
        .unwrap_or_default();
    let supply_chain = tool
        .as_ref()
        .map(|t| SupplyChain {
            distribution: Some(t.distribution),
            package_name: t.package_name.clone(),
            pinned_version: t.pinned_version.clone(),
            checksum: t.checksum.clone(),
            vendor_trains_on_data: t.vendor_trains_on_data,
        })
        .unwrap_or_default();
    view! {
        <Title text=title.clone() />
        <header class="page__header">
            <h1 id="page-title">{title}</h1>
        </header>
        <FormError error=error fields=shown_fields(TOOL_FIELDS, editing) />
        {move || {
            error
                .get()
                .filter(|e| {
                    e.field()
                        .is_some_and(|field| shown_fields(TOOL_FIELDS, editing).contains(&field))
                })
                .map(|_| {
                    view! {
                        <div class="notice notice--error" role="alert">
                            <p>"Nothing was saved: correct the field marked below."</p>
                        </div>
                    }
                })
        }}
        <div class="notice notice--info" role="note">
            <p>
                "What only describes the tool, or narrows what it allows, is saved at once. "
                "A change that widens it — approving it, adding teams or data classes, removing conditions or requirements, a later review — is filed as a registry change request instead, and another reviewer decides it with a signed sign-off."
            </p>
        </div>
        <ActionForm action=save attr:class="form" attr:novalidate=true attr:data-testid="tool-form">
            <input type="hidden" name="original" value=original />
            <fieldset class="choices">
                <legend>"The tool"</legend>
                <Field
                    id="tool-name"
                    name="tool[name]"
                    label="Name"
                    input_type="text"
                    autocomplete="off"
                    maxlength=120
                    value=v(|t| t.name.clone())
                    error=e("name")
                />
                {(!editing)
                    .then(|| {
                        view! {
                            <Field
                                id="tool-slug"
                                name="tool[slug]"
                                label="Identifier (optional)"
                                input_type="text"
                                autocomplete="off"
                                maxlength=64
                                optional=true
                                hint="Lowercase words joined by hyphens, used in links and the API. Made from the name when empty; it cannot change later."
                                error=e("slug")
                            />
                        }
                    })}
                <Field
                    id="tool-vendor"
                    name="tool[vendor]"
                    label="Vendor"
                    input_type="text"
                    autocomplete="off"
                    maxlength=120
                    value=v(|t| t.vendor.clone())
                    error=e("vendor")
                />
                <Select
                    id="tool-category"
                    name="tool[category]"
                    label="Category"
                    options=choices(ToolCategory::ALL, ToolCategory::as_str, ToolCategory::label)
                    selected=category
                    error=e("category")
                />
                <TextArea
                    id="tool-description"
                    name="tool[description]"
                    label="What it is (optional)"
                    maxlength=4000
                    value=v(|t| t.description.clone())
                    error=e("description")
                />
                <Field
                    id="tool-website"
                    name="tool[website]"
                    label="Website (optional)"
                    input_type="url"
                    autocomplete="off"
                    maxlength=2000
                    optional=true
                    value=v(|t| t.website.clone())
                    error=e("website")
                />
            </fieldset>
            <fieldset class="choices">
                <legend>"Approval"</legend>
                <Select
                    id="tool-status"
                    name="tool[status]"
                    label="Status"
                    options=choices(ToolStatus::ALL, ToolStatus::as_str, ToolStatus::label)
                    selected=status
                    error=e("status")
                />
                <TextArea
                    id="tool-status-reason"
                    name="tool[status_reason]"
                    label="Reason for the status"
                    hint="Required when suspending or prohibiting: people see it when they ask."
                    maxlength=2000
                    value=v(|t| t.status_reason.clone())
                    error=e("status_reason")
                />
                <TextArea
                    id="tool-conditions"
                    name="tool[conditions]"
                    label="Conditions of use"
                    hint="Required when approving with conditions."
                    maxlength=4000
                    value=v(|t| t.conditions.clone())
                    error=e("conditions")
                />
                <div class="field">
                    <span class="field-label" id="scope-label">
                        "Approved for"
                    </span>
                    <label class="choice">
                        <input type="radio" name="tool[scope]" value="all" checked=all_teams />
                        "All teams"
                    </label>
                    <label class="choice">
                        <input type="radio" name="tool[scope]" value="teams" checked=!all_teams />
                        "Only the teams chosen below"
                    </label>
                    {move || {
                        e("scope")
                            .get()
                            .map(|m| {
                                view! {
                                    <p class="field-error" role="alert">
                                        {m}
                                    </p>
                                }
                            })
                    }}
                </div>
                <Checkboxes
                    id="tool-team"
                    name="tool[teams][]"
                    legend="Teams"
                    choices=teams
                        .into_iter()
                        .map(|team| {
                            let checked = chosen_teams.contains(&team.slug);
                            Choice::new(team.slug, team.name, checked)
                        })
                        .collect()
                    error=e("teams")
                    grid=true
                />
                <Checkboxes
                    id="tool-class"
                    name="tool[data_classes][]"
                    legend="Permitted data classes"
                    hint="Only the data classes ticked here may go into the tool. A class prohibited by default is allowed only when you tick it here: that is an explicit exception and is recorded."
                    choices=data_classes
                        .into_iter()
                        .map(|class| {
                            let checked = chosen_classes.contains(&class.slug);
                            Choice::data_class(class, checked)
                        })
                        .collect()
                    error=e("data_classes")
                />
                <Field
                    id="tool-owner"
                    name="tool[business_owner]"
                    label="Business owner (optional)"
                    input_type="text"
                    autocomplete="off"
                    maxlength=200
                    optional=true
                    value=v(|t| t.business_owner.clone())
                    error=e("business_owner")
                />
                <Field
                    id="tool-review"
                    name="tool[next_review]"
                    label="Next review (optional)"
                    input_type="date"
                    autocomplete="off"
                    maxlength=10
                    optional=true
                    value=v(|t| t.next_review.map(|d| d.to_string()).unwrap_or_default())
                    error=e("next_review")
                />
                <TextArea
                    id="tool-rollback"
                    name="tool[rollback_plan]"
                    label="Rollback plan"
                    hint="What people use instead if the tool is suspended."
                    maxlength=4000
                    value=v(|t| t.rollback_plan.clone())
                    error=e("rollback_plan")
                />
            </fieldset>
            <fieldset class="choices" aria-describedby="access-error">
                <legend>"Least-privilege requirements (AI coding tools)"</legend>
                {ACCESS_REQUIREMENTS
                    .iter()
                    .map(|(key, label)| {
                        let current = requirements.iter().find(|r| r.key == *key);
                        let required = returned
                            .as_ref()
                            .map_or(
                                current.is_some_and(|r| r.required),
                                |input| input.has("tool[required][]", key),
                            );
                        let note = returned
                            .as_ref()
                            .and_then(|input| input.value(&format!("tool[notes][{key}]")))
                            .map(str::to_owned)
                            .or_else(|| current.map(|r| r.note.clone()))
                            .unwrap_or_default();
                        let id = format!("tool-req-{key}");
                        let note_id = format!("tool-note-{key}");
                        let (label_for, note_for) = (id.clone(), note_id.clone());
                        view! {
                            <div class="requirement">
                                <label class="choice" for=label_for>
                                    <input
                                        type="checkbox"
                                        id=id
                                        name="tool[required][]"
                                        value=*key
                                        checked=required
                                    />
                                    {*label}
                                </label>
                                <label class="visually-hidden" for=note_for>
                                    {format!("Note on: {label}")}
                                </label>
                                <input
                                    id=note_id
                                    type="text"
                                    name=format!("tool[notes][{key}]")
                                    maxlength="500"
                                    placeholder="How it is enforced (optional)"
                                    value=note
                                />
                            </div>
                        }
                    })
                    .collect_view()}
                {move || {
                    e("access_requirements")
                        .get()
                        .map(|m| {
                            view! {
                                <p class="field-error" id="access-error" role="alert">
                                    {m}
                                </p>
                            }
                        })
                }}
            </fieldset>
            <SupplyChainFields form="tool" values=supply_chain error />
            <Field
                id="tool-code"
                name="code"
                label="Code from your authenticator app (to suspend or prohibit)"
                input_type="text"
                inputmode="numeric"
                autocomplete="one-time-code"
                maxlength=7
                optional=true
                hint="Stopping a tool takes effect at once for everyone: it is signed with a fresh code."
                error=e("code")
            />
            <div class="form__actions">
                <button type="submit" class="button">
                    {if editing { "Save changes" } else { "Add tool" }}
                </button>
            </div>
        </ActionForm>
    }
}
