//! A data class's detectors: the list on the class's page (reviewers add and retire there) and
//! one detector's page to change it. Saving runs the detector on its own examples first.

use leptos::prelude::*;
use leptos_router::hooks::use_params_map;

use crate::api::{get_class_detectors, RetireDetector, SaveDetector};
use crate::domain::scan::DetectorKind;
use crate::model::{ClassDetectors, DetectorView};
use crate::ui::components::{
    action_error, field_error, EmptyState, Field, FormError, Loaded, Page, Select, TextArea, When,
    Width,
};

const DETECTOR_FIELDS: &[&str] = &[
    "name",
    "kind",
    "pattern",
    "keywords",
    "builtin",
    "case_sensitive",
    "must_match",
    "must_not_match",
];

fn kind_badge(kind: DetectorKind) -> &'static str {
    match kind {
        DetectorKind::Builtin => "badge badge--info",
        DetectorKind::Keywords => "badge badge--neutral",
        DetectorKind::Regex => "badge badge--warn",
    }
}

/// The detectors section of a data class's page.
#[component]
pub fn ClassDetectorsSection(class: String) -> impl IntoView {
    let save = ServerAction::<SaveDetector>::new();
    let retire = ServerAction::<RetireDetector>::new();
    let data = {
        let class = class.clone();
        Resource::new_blocking(
            move || (save.version().get(), retire.version().get()),
            move |_| get_class_detectors(class.clone()),
        )
    };
    view! {
        <section class="card" aria-labelledby="detectors-title" id="detectors">
            <h2 id="detectors-title">"Detectors"</h2>
            <p class="field-hint">
                "What finds this class in a text: the scan page, the API and "
                <code>"server scan"</code> " run every detector in force in one pass."
            </p>
            <Loaded
                resource=data
                loading="Loading detectors…"
                view={
                    let class = class.clone();
                    move |detectors: ClassDetectors| {
                        view! { <DetectorList class=class.clone() detectors save retire /> }
                    }
                }
            />
        </section>
    }
}

#[component]
fn DetectorList(
    class: String,
    detectors: ClassDetectors,
    save: ServerAction<SaveDetector>,
    retire: ServerAction<RetireDetector>,
) -> impl IntoView {
    let retire_error = action_error(retire);
    // A refused addition comes back with the form open at its errors.
    let refused = action_error(save);
    let ClassDetectors {
        detectors,
        builtins,
        can_edit,
    } = detectors;
    let list = if detectors.is_empty() {
        view! {
            <EmptyState title="No detectors yet">
                <p>"Nothing finds this class in a text yet: add a detector below."</p>
            </EmptyState>
        }
        .into_any()
    } else {
        detectors
            .into_iter()
            .map(|detector| {
                view! { <DetectorSummary class=class.clone() detector can_edit retire /> }
            })
            .collect_view()
            .into_any()
    };
    view! {
        <FormError error=retire_error />
        <div data-testid="detectors">{list}</div>
        {can_edit
            .then(|| {
                view! {
                    <details class="detector" open=move || refused.get().is_some()>
                        <summary>"Add a detector"</summary>
                        <DetectorFormView class=class.clone() detector=None builtins save />
                    </details>
                }
            })}
    }
}

#[component]
fn DetectorSummary(
    class: String,
    detector: DetectorView,
    can_edit: bool,
    retire: ServerAction<RetireDetector>,
) -> impl IntoView {
    let retired = detector.retired_at.is_some();
    let what = match detector.kind {
        DetectorKind::Keywords => detector.keywords.join(", "),
        _ => detector.pattern.clone(),
    };
    let edit = format!("/data-classes/{class}/detectors/{}", detector.id);
    view! {
        <article class="detector" data-testid="detector">
            <h3>
                {detector.name.clone()} " "
                <span class=kind_badge(detector.kind)>{detector.kind.label()}</span>
                {retired
                    .then(|| {
                        view! {
                            " "
                            <span class="badge badge--neutral">"Retired"</span>
                        }
                    })}
            </h3>
            <pre>
                <code>{what}</code>
            </pre>
            <p class="field-hint">
                {format!(
                    "Version {}{}. Must find: {}. Must not find: {}.",
                    detector.version,
                    if detector.case_sensitive { ", case-sensitive" } else { "" },
                    detector.must_match.len(),
                    detector.must_not_match.len(),
                )} " Saved " <When at=detector.updated_at />
                {detector.updated_by.clone().map(|by| format!(" by {by}"))} "."
            </p>
            {(can_edit && !retired)
                .then(|| {
                    view! {
                        <div class="form__actions">
                            <a class="button button--secondary" href=edit>
                                "Edit"
                            </a>
                            <ActionForm action=retire>
                                <input type="hidden" name="class" value=class.clone() />
                                <input type="hidden" name="id" value=detector.id.clone() />
                                <button type="submit" class="button button--secondary">
                                    "Retire"
                                </button>
                            </ActionForm>
                        </div>
                    }
                })}
        </article>
    }
}

/// The detector form, empty (adding) or filled in (changing).
#[component]
fn DetectorFormView(
    class: String,
    detector: Option<DetectorView>,
    builtins: Vec<crate::model::BuiltinOption>,
    save: ServerAction<SaveDetector>,
) -> impl IntoView {
    let error = action_error(save);
    let e = move |field: &'static str| field_error(error, field);
    let editing = detector.is_some();
    let d = detector.clone().unwrap_or(DetectorView {
        id: String::new(),
        name: String::new(),
        kind: DetectorKind::Keywords,
        pattern: String::new(),
        keywords: vec![],
        case_sensitive: false,
        must_match: vec![],
        must_not_match: vec![],
        version: 0,
        retired_at: None,
        updated_at: chrono::DateTime::<chrono::Utc>::MIN_UTC,
        updated_by: None,
    });
    let kinds = DetectorKind::ALL
        .iter()
        .map(|k| (k.as_str().to_owned(), k.label().to_owned()))
        .collect::<Vec<_>>();
    let builtins = builtins
        .into_iter()
        .map(|b| (b.slug, b.label))
        .collect::<Vec<_>>();
    let (pattern, builtin) = match d.kind {
        DetectorKind::Regex => (d.pattern.clone(), String::new()),
        DetectorKind::Builtin => (String::new(), d.pattern.clone()),
        DetectorKind::Keywords => (String::new(), String::new()),
    };
    view! {
        <FormError error=error fields=DETECTOR_FIELDS />
        <ActionForm
            action=save
            attr:class="form"
            attr:novalidate=true
            attr:data-testid="detector-form"
        >
            <input type="hidden" name="class" value=class />
            <input type="hidden" name="id" value=d.id.clone() />
            <Field
                id="detector-name"
                name="detector[name]"
                label="Name"
                input_type="text"
                autocomplete="off"
                maxlength=120
                value=d.name.clone()
                error=e("name")
            />
            <Select
                id="detector-kind"
                name="detector[kind]"
                label="How it finds the data"
                options=kinds
                selected=d.kind.as_str()
                error=e("kind")
            />
            <TextArea
                id="detector-keywords"
                name="detector[keywords]"
                label="Keywords or phrases (for keywords; one per line)"
                maxlength=50_000
                value=d.keywords.join("\n")
                hint="Project code names, package namespaces, copyright lines, repository names, your own markings. Matched as whole words."
                error=e("keywords")
            />
            <label class="choice" for="detector-case">
                <input
                    type="checkbox"
                    id="detector-case"
                    name="detector[case_sensitive]"
                    value="true"
                    checked=d.case_sensitive
                />
                "Match case (for keywords: CONFIDENTIAL but not confidential)"
            </label>
            <Field
                id="detector-pattern"
                name="detector[pattern]"
                label="Regular expression (for a regular expression)"
                input_type="text"
                autocomplete="off"
                maxlength=2000
                optional=true
                value=pattern
                hint="Rust regex syntax. It must not match an empty text and must compile within the size limits."
                error=e("pattern")
            />
            <Select
                id="detector-builtin"
                name="detector[builtin]"
                label="Built-in detector (for a built-in)"
                options=builtins
                selected=builtin
                error=e("builtin")
            />
            <TextArea
                id="detector-must-match"
                name="detector[must_match]"
                label="Examples it must find (one per line)"
                maxlength=20_000
                value=d.must_match.join("\n")
                error=e("must_match")
            />
            <TextArea
                id="detector-must-not-match"
                name="detector[must_not_match]"
                label="Examples it must not find (one per line)"
                maxlength=20_000
                value=d.must_not_match.join("\n")
                error=e("must_not_match")
            />
            <button type="submit" class="button">
                {if editing { "Save changes" } else { "Add detector" }}
            </button>
        </ActionForm>
    }
}

/// Reviewers: change one detector.
#[component]
pub fn DetectorPage() -> impl IntoView {
    let params = use_params_map();
    let class = move || params.with(|p| p.get("slug").unwrap_or_default());
    let id = move || params.with(|p| p.get("id").unwrap_or_default());
    let save = ServerAction::<SaveDetector>::new();
    let data = Resource::new_blocking(class, get_class_detectors);
    view! {
        <Page title="Detector" up=("/data-classes", "Data classes") width=Width::Form>
            <Loaded
                resource=data
                loading="Loading the detector…"
                view={move |detectors: ClassDetectors| {
                    let class = class();
                    let found = detectors
                        .detectors
                        .iter()
                        .find(|d| d.id == id() && d.retired_at.is_none())
                        .cloned();
                    match found {
                        Some(detector) => {
                            view! {
                                <header class="page__header">
                                    <h1 id="page-title">{detector.name.clone()}</h1>
                                    <a href=format!(
                                        "/data-classes/{class}#detectors",
                                    )>"Back to the data class"</a>
                                </header>
                                <section class="card" aria-labelledby="edit-title">
                                    <h2 id="edit-title">"Edit"</h2>
                                    <DetectorFormView
                                        class
                                        detector=Some(detector)
                                        builtins=detectors.builtins
                                        save
                                    />
                                </section>
                            }
                                .into_any()
                        }
                        None => {
                            view! {
                                <EmptyState title="No such detector">
                                    <p>"It does not exist, or it was retired."</p>
                                </EmptyState>
                            }
                                .into_any()
                        }
                    }
                }}
            />
        </Page>
    }
}
