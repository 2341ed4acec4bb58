use leptos::prelude::*;

use crate::api::{get_framework, RetireChecklistItem, SaveChecklistItem};
use crate::domain::checklist::ChecklistCategory;
use crate::model::{FrameworkItem, FrameworkView};
use crate::ui::components::When;
use crate::ui::components::{action_error, field_error, Field, FormError, Loaded, Page, TextArea};

/// Admins maintain the checklist: add, edit and retire items. Each change makes a new version;
/// teams keep their progress.
#[component]
pub fn ChecklistAdminPage() -> impl IntoView {
    let save = ServerAction::<SaveChecklistItem>::new();
    let retire = ServerAction::<RetireChecklistItem>::new();
    let data = Resource::new_blocking(
        move || (save.version().get(), retire.version().get()),
        |_| get_framework(),
    );
    view! {
        <Page title="Checklist framework" heading="Checklist framework">
            <Loaded
                resource=data
                loading="Loading the checklist…"
                view={move |f: FrameworkView| view! { <FrameworkEditor framework=f save retire /> }}
            />
        </Page>
    }
}

#[component]
fn FrameworkEditor(
    framework: FrameworkView,
    save: ServerAction<SaveChecklistItem>,
    retire: ServerAction<RetireChecklistItem>,
) -> impl IntoView {
    let error = action_error(save);
    let retire_error = action_error(retire);
    view! {
        <p class="page__lead" data-testid="framework-version">
            {format!("{} · version {} · changed ", framework.name, framework.version)}
            <When at=framework.updated_at />
        </p>
        <FormError error fields=&["title", "guidance"] />
        <FormError error=retire_error />
        {framework
            .items
            .into_iter()
            .map(|item| view! { <ItemEditor item save retire /> })
            .collect_view()}
        <section class="card" aria-labelledby="new-item-title">
            <h2 id="new-item-title">"Add an item"</h2>
            <ItemForm item=None save error />
        </section>
    }
}

#[component]
fn ItemEditor(
    item: FrameworkItem,
    save: ServerAction<SaveChecklistItem>,
    retire: ServerAction<RetireChecklistItem>,
) -> impl IntoView {
    let error = action_error(save);
    let n = item.number;
    if let Some(retired) = item.retired_in_version {
        return view! {
            <article class="card" data-testid=format!("framework-item-{n}")>
                <h2>{format!("{n}. {}", item.title)}</h2>
                <p>
                    {format!(
                        "Retired in version {retired} (added in version {}). Teams' history of it is kept.",
                        item.added_in_version,
                    )}
                </p>
            </article>
        }
        .into_any();
    }
    view! {
        <article class="card" data-testid=format!("framework-item-{n}")>
            <details>
                <summary>
                    <strong>{format!("{n}. {}", item.title)}</strong>
                    {format!(
                        " · {} · added in version {}",
                        item.category.label(),
                        item.added_in_version,
                    )}
                </summary>
                <ItemForm item=Some(item.clone()) save error />
                <ActionForm action=retire attr:class="form--inline">
                    <input type="hidden" name="number" value=n.to_string() />
                    <button type="submit" class="button button--ghost">
                        {format!("Retire item {n}")}
                    </button>
                </ActionForm>
            </details>
        </article>
    }
    .into_any()
}

#[component]
fn ItemForm(
    item: Option<FrameworkItem>,
    save: ServerAction<SaveChecklistItem>,
    error: Signal<Option<crate::error::AppError>>,
) -> impl IntoView {
    let prefix = item
        .as_ref()
        .map_or_else(|| "new".to_owned(), |i| i.number.to_string());
    let id = move |field: &str| format!("framework-{prefix}-{field}");
    let e = move |field: &'static str| field_error(error, field);
    let category = item.as_ref().map(|i| i.category);
    let category_id = id("category");
    let evidence_id = id("evidence");
    let evidence_for = evidence_id.clone();
    let category_for = category_id.clone();
    let required = item.as_ref().is_some_and(|i| i.evidence_required);
    view! {
        <ActionForm action=save attr:class="form" attr:novalidate=true>
            {item
                .as_ref()
                .map(|i| {
                    view! { <input type="hidden" name="number" value=i.number.to_string() /> }
                })}
            <Field
                id=id("title")
                name="item[title]"
                label="Title"
                input_type="text"
                autocomplete="off"
                maxlength=200
                value=item.as_ref().map(|i| i.title.clone()).unwrap_or_default()
                error=e("title")
            />
            <div class="field">
                <label for=category_for>"Category"</label>
                <select id=category_id name="item[category]">
                    {ChecklistCategory::ALL
                        .iter()
                        .map(|c| {
                            view! {
                                <option value=c.as_str() selected=Some(*c) == category>
                                    {c.label()}
                                </option>
                            }
                        })
                        .collect_view()}
                </select>
            </div>
            <TextArea
                id=id("guidance")
                name="item[guidance]"
                label="Guidance (optional)"
                maxlength=8000
                value=item.as_ref().map(|i| i.guidance.clone()).unwrap_or_default()
                error=e("guidance")
            />
            <label class="choice" for=evidence_for>
                <input
                    type="checkbox"
                    id=evidence_id
                    name="item[evidence_required]"
                    value="true"
                    checked=required
                />
                "Evidence required before it can be done"
            </label>
            <div class="form__actions">
                <button type="submit" class="button">
                    {if item.is_some() { "Save item" } else { "Add item" }}
                </button>
            </div>
        </ActionForm>
    }
}
