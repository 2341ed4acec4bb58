use leptos::prelude::*;
use leptos_router::hooks::use_params_map;

use super::detectors::ClassDetectorsSection;
use super::tool_editor::shown_fields;
use crate::api::{get_data_class_editor, get_data_classes, SaveDataClass};
use crate::domain::ClassificationLevel;
use crate::model::{DataClassEditor, DataClassView, DataClassesPage};
use crate::ui::components::{
    action_error, field_error, EmptyState, Field, FormError, History, Loaded, Page, Select,
    TextArea, Width,
};

fn level_badge(level: ClassificationLevel) -> &'static str {
    match level {
        ClassificationLevel::Restricted => "badge badge--danger",
        ClassificationLevel::Confidential => "badge badge--warn",
        ClassificationLevel::Internal => "badge badge--info",
        ClassificationLevel::Public => "badge badge--ok",
    }
}

/// The fields the data-class form shows errors beside (the identifier last: see
/// `shown_fields`).
const CLASS_FIELDS: &[&str] = &[
    "name",
    "level",
    "prohibited_by_default",
    "description",
    "examples",
    "code",
    "slug",
];

/// Everyone: what kinds of data exist and which may never go into an AI tool; reviewers add
/// and change them.
#[component]
pub fn DataClassesPage() -> impl IntoView {
    let save = ServerAction::<SaveDataClass>::new();
    let data = Resource::new_blocking(move || save.version().get(), |_| get_data_classes());
    view! {
        <Page
            title="Data classes"
            heading="Data classes"
            section="Registry"
            lead="The kinds of data people handle, how sensitive each is, and whether it may go into AI tools. A class prohibited by default may go only into a tool whose approval names it."
        >
            <Loaded
                resource=data
                loading="Loading data classes…"
                view={move |page: DataClassesPage| view! { <ClassList page save /> }}
            />
        </Page>
    }
}

#[component]
fn ClassList(page: DataClassesPage, save: ServerAction<SaveDataClass>) -> impl IntoView {
    let DataClassesPage { classes, can_edit } = page;
    view! {
        {if classes.is_empty() {
            view! {
                <EmptyState title="No data classes yet">
                    <p>"Reviewers add them below; the defaults are created on first start."</p>
                </EmptyState>
            }
                .into_any()
        } else {
            view! {
                <div class="table-wrap">
                    <table class="table" data-testid="data-classes-table">
                        <caption class="visually-hidden">
                            "Data classes, most sensitive first"
                        </caption>
                        <thead>
                            <tr>
                                <th scope="col">"Data class"</th>
                                <th scope="col">"Classification"</th>
                                <th scope="col">"Into AI tools"</th>
                                <th scope="col">"Examples"</th>
                            </tr>
                        </thead>
                        <tbody>
                            {classes
                                .into_iter()
                                .map(|class| {
                                    view! {
                                        <tr>
                                            <th scope="row">
                                                {if can_edit {
                                                    view! {
                                                        <a href=format!(
                                                            "/data-classes/{}",
                                                            class.slug,
                                                        )>{class.name.clone()}</a>
                                                    }
                                                        .into_any()
                                                } else {
                                                    view! { {class.name.clone()} }.into_any()
                                                }}
                                                <span class="table__sub">{class.description.clone()}</span>
                                            </th>
                                            <td data-label="Classification">
                                                <span class=level_badge(
                                                    class.level,
                                                )>{class.level.label()}</span>
                                            </td>
                                            <td data-label="Into AI tools">
                                                {if class.prohibited_by_default {
                                                    view! {
                                                        <span class="badge badge--danger">
                                                            "Prohibited by default"
                                                        </span>
                                                    }
                                                        .into_any()
                                                } else {
                                                    view! {
                                                        <span class="badge badge--neutral">
                                                            "Where a tool's approval lists it"
                                                        </span>
                                                    }
                                                        .into_any()
                                                }}
                                            </td>
                                            <td data-label="Examples">{class.examples.clone()}</td>
                                        </tr>
                                    }
                                })
                                .collect_view()}
                        </tbody>
                    </table>
                </div>
            }
                .into_any()
        }}
        {can_edit
            .then(|| {
                view! {
                    <section class="card" aria-labelledby="add-class-title">
                        <h2 id="add-class-title">"Add a data class"</h2>
                        <ClassForm class=None save />
                    </section>
                }
            })}
    }
}

/// The data-class form, empty (adding) or filled in (changing).
#[component]
fn ClassForm(class: Option<DataClassView>, save: ServerAction<SaveDataClass>) -> impl IntoView {
    let error = action_error(save);
    let e = move |field: &'static str| field_error(error, field);
    let editing = class.is_some();
    let original = class.as_ref().map(|c| c.slug.clone()).unwrap_or_default();
    let v = {
        let class = class.clone();
        move |f: fn(&DataClassView) -> String| class.as_ref().map(f).unwrap_or_default()
    };
    let level = class
        .as_ref()
        .map(|c| c.level.as_str())
        .unwrap_or("confidential");
    let prohibited = class.as_ref().is_some_and(|c| c.prohibited_by_default);
    let levels = ClassificationLevel::ALL
        .iter()
        .map(|l| (l.as_str().to_owned(), l.label().to_owned()))
        .collect::<Vec<_>>();
    view! {
        <FormError error=error fields=shown_fields(CLASS_FIELDS, editing) />
        <ActionForm
            action=save
            attr:class="form"
            attr:novalidate=true
            attr:data-testid="data-class-form"
        >
            <input type="hidden" name="original" value=original />
            <Field
                id="class-name"
                name="class[name]"
                label="Name"
                input_type="text"
                autocomplete="off"
                maxlength=120
                value=v(|c| c.name.clone())
                error=e("name")
            />
            {(!editing)
                .then(|| {
                    view! {
                        <Field
                            id="class-slug"
                            name="class[slug]"
                            label="Identifier (optional)"
                            input_type="text"
                            autocomplete="off"
                            maxlength=64
                            optional=true
                            hint="Used in links and the API; made from the name when empty."
                            error=e("slug")
                        />
                    }
                })}
            <Select
                id="class-level"
                name="class[level]"
                label="Classification"
                options=levels
                selected=level
                error=e("level")
            />
            <label class="choice" for="class-prohibited">
                <input
                    type="checkbox"
                    id="class-prohibited"
                    name="class[prohibited_by_default]"
                    value="true"
                    checked=prohibited
                />
                "Prohibited from AI tools by default"
            </label>
            {move || {
                e("prohibited_by_default")
                    .get()
                    .map(|m| {
                        view! {
                            <p class="field-error" role="alert">
                                {m}
                            </p>
                        }
                    })
            }}
            <TextArea
                id="class-description"
                name="class[description]"
                label="Description (optional)"
                maxlength=4000
                value=v(|c| c.description.clone())
                error=e("description")
            />
            <TextArea
                id="class-examples"
                name="class[examples]"
                label="Examples (optional)"
                maxlength=4000
                value=v(|c| c.examples.clone())
                error=e("examples")
            />
            {editing
                .then(|| {
                    view! {
                        <Field
                            id="class-code"
                            name="code"
                            label="Code from your authenticator app (to loosen the class)"
                            input_type="text"
                            inputmode="numeric"
                            autocomplete="one-time-code"
                            maxlength=7
                            optional=true
                            hint="A lower classification, or no longer prohibited by default, lowers the risk of every request that touches the class: it is signed with a fresh code and every reviewer is told."
                            error=e("code")
                        />
                    }
                })}
            <button type="submit" class="button">
                {if editing { "Save changes" } else { "Add data class" }}
            </button>
        </ActionForm>
    }
}

/// Reviewers: change one data class; its history below.
#[component]
pub fn DataClassPage() -> impl IntoView {
    let params = use_params_map();
    let slug = move || params.with(|p| p.get("slug").unwrap_or_default());
    let save = ServerAction::<SaveDataClass>::new();
    let data = Resource::new_blocking(slug, get_data_class_editor);
    view! {
        <Page title="Data class" up=("/data-classes", "Data classes") width=Width::Form>
            <Loaded
                resource=data
                loading="Loading the data class…"
                view={move |editor: DataClassEditor| {
                    view! {
                        <header class="page__header">
                            <h1 id="page-title">{editor.class.name.clone()}</h1>
                            <code>{editor.class.slug.clone()}</code>
                        </header>
                        <section class="card" aria-labelledby="edit-title">
                            <h2 id="edit-title">"Edit"</h2>
                            <ClassForm class=Some(editor.class.clone()) save />
                        </section>
                        <ClassDetectorsSection class=editor.class.slug.clone() />
                        <section class="card" aria-labelledby="history-title">
                            <h2 id="history-title">"History"</h2>
                            <History entries=editor.history />
                        </section>
                    }
                }}
            />
        </Page>
    }
}
