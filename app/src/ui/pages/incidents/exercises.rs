use leptos::prelude::*;
use leptos_router::hooks::{use_params_map, use_query_map};

use crate::api::{
    get_dry_run, get_exercise, get_exercises, AddExerciseFollowUp, CompleteExerciseFollowUp,
    RecordExercise, ScheduleExercise,
};
use crate::domain::incidents::IncidentKind;
use crate::model::{DryRun, ExerciseDetail, ExerciseList};
use crate::ui::components::{
    action_error, field_error, or_dash, EmptyState, Field, FilterSelect, FollowUps, FormError,
    Loaded, Page, Select, TextArea, When,
};

fn kinds() -> Vec<(String, String)> {
    IncidentKind::ALL
        .iter()
        .map(|k| (k.as_str().to_owned(), k.label().to_owned()))
        .collect()
}

/// Tabletop exercises, the latest first; admins schedule new ones (or record one held).
#[component]
pub fn ExercisesPage() -> impl IntoView {
    let data = Resource::new_blocking(|| (), |_| get_exercises());
    view! {
        <Page
            title="Tabletop exercises"
            heading="Tabletop exercises"
            section="Incident response"
            up=("/incidents", "Incidents")
            lead="Rehearse a playbook before you need it: what happens, who takes part, what went well and the gaps found. A dry kill switch shows what a real one would do."
        >
            <Loaded
                resource=data
                loading="Loading exercises…"
                view={move |list: ExerciseList| view! { <ExerciseListView list /> }}
            />
        </Page>
    }
}

#[component]
fn ExerciseListView(list: ExerciseList) -> impl IntoView {
    let table = if list.exercises.is_empty() {
        view! {
            <EmptyState title="No exercises yet">
                <p>"Schedule the first one: pick a playbook and a scenario."</p>
            </EmptyState>
        }
        .into_any()
    } else {
        view! {
            <div class="table-wrap">
                <table class="table" data-testid="exercises">
                    <caption class="visually-hidden">"Tabletop exercises"</caption>
                    <thead>
                        <tr>
                            <th scope="col">"Exercise"</th>
                            <th scope="col">"Playbook"</th>
                            <th scope="col">"Day"</th>
                            <th scope="col">"State"</th>
                            <th scope="col">"Open follow-ups"</th>
                        </tr>
                    </thead>
                    <tbody>
                        {list
                            .exercises
                            .into_iter()
                            .map(|e| {
                                view! {
                                    <tr>
                                        <th scope="row">
                                            <a href=format!(
                                                "/incidents/exercises/{}",
                                                e.number,
                                            )>{format!("#{} {}", e.number, e.title)}</a>
                                        </th>
                                        <td data-label="Playbook">{e.kind.label()}</td>
                                        <td data-label="Day">{e.held_on.to_string()}</td>
                                        <td data-label="State">
                                            {if e.held {
                                                view! { <span class="badge badge--ok">"Held"</span> }
                                            } else {
                                                view! { <span class="badge badge--info">"Scheduled"</span> }
                                            }}
                                        </td>
                                        <td data-label="Open follow-ups">{e.open_follow_ups}</td>
                                    </tr>
                                }
                            })
                            .collect_view()}
                    </tbody>
                </table>
            </div>
        }
        .into_any()
    };
    view! {
        {table}
        {list.may_edit.then(|| view! { <ScheduleForm /> })}
    }
}

#[component]
fn ScheduleForm() -> impl IntoView {
    let action = ServerAction::<ScheduleExercise>::new();
    let error = action_error(action);
    let e = move |field: &'static str| field_error(error, field);
    view! {
        <section class="card" aria-labelledby="schedule-title">
            <h2 id="schedule-title">"Schedule an exercise"</h2>
            <p>"A day in the past records an exercise already held."</p>
            <FormError error fields=&["title", "kind", "scenario", "held_on", "participants"] />
            <ActionForm
                action=action
                attr:class="form"
                attr:novalidate=true
                attr:data-testid="schedule-form"
            >
                <Field
                    id="exercise-title"
                    name="exercise[title]"
                    label="Title"
                    input_type="text"
                    autocomplete="off"
                    maxlength=200
                    error=e("title")
                />
                <div class="form__row">
                    <Select
                        id="exercise-kind"
                        name="exercise[kind]"
                        label="Playbook rehearsed"
                        options=kinds()
                        selected="tool_compromised"
                        error=e("kind")
                    />
                    <Field
                        id="exercise-day"
                        name="exercise[held_on]"
                        label="Day"
                        input_type="date"
                        autocomplete="off"
                        maxlength=10
                        error=e("held_on")
                    />
                </div>
                <TextArea
                    id="exercise-scenario"
                    name="exercise[scenario]"
                    label="Scenario"
                    hint="What happens, as the facilitator will tell it."
                    maxlength=8000
                    error=e("scenario")
                />
                <TextArea
                    id="exercise-participants"
                    name="exercise[participants]"
                    label="Participants"
                    hint="People or roles taking part."
                    maxlength=4000
                    error=e("participants")
                />
                <div class="form__actions">
                    <button type="submit" class="button">
                        "Schedule"
                    </button>
                </div>
            </ActionForm>
        </section>
    }
}

/// One exercise: its scenario, what it showed, follow-ups and the dry kill switch.
#[component]
pub fn ExercisePage() -> impl IntoView {
    let params = use_params_map();
    let query = use_query_map();
    let number = move || {
        params.with(|p| {
            p.get("number")
                .and_then(|n| n.parse::<i64>().ok())
                .unwrap_or(0)
        })
    };
    let record = ServerAction::<RecordExercise>::new();
    let add = ServerAction::<AddExerciseFollowUp>::new();
    let done = ServerAction::<CompleteExerciseFollowUp>::new();
    let data = Resource::new_blocking(
        move || {
            (
                number(),
                record.version().get(),
                add.version().get(),
                done.version().get(),
            )
        },
        |(number, ..)| get_exercise(number),
    );
    // The dry run's tool travels in the address: a plain GET form without JavaScript.
    let tool = move || query.with(|q| q.get("tool").unwrap_or_default());
    let dry = Resource::new_blocking(tool, |tool| async move {
        if tool.is_empty() {
            Ok(None)
        } else {
            get_dry_run(tool).await.map(Some)
        }
    });
    view! {
        <Page title="Tabletop exercise" up=("/incidents/exercises", "Exercises")>
            <Loaded
                resource=data
                loading="Loading the exercise…"
                view={move |exercise: ExerciseDetail| {
                    view! { <ExerciseView exercise record add done tool=tool() dry /> }
                }}
            />
        </Page>
    }
}

#[component]
fn ExerciseView(
    exercise: ExerciseDetail,
    record: ServerAction<RecordExercise>,
    add: ServerAction<AddExerciseFollowUp>,
    done: ServerAction<CompleteExerciseFollowUp>,
    tool: String,
    dry: Resource<Result<Option<DryRun>, crate::error::AppError>>,
) -> impl IntoView {
    let error = action_error(record);
    let e = move |field: &'static str| field_error(error, field);
    let number = exercise.number;
    let held = exercise.recorded_at.is_some();
    let (went_well, gaps) = (exercise.went_well.clone(), exercise.gaps.clone());
    let outcome_form = exercise.may_edit.then(move || {
        view! {
            <FormError error fields=&["went_well", "gaps"] />
            <ActionForm
                action=record
                attr:class="form"
                attr:novalidate=true
                attr:data-testid="outcome-form"
            >
                <input type="hidden" name="number" value=number.to_string() />
                <TextArea
                    id="outcome-went-well"
                    name="outcome[went_well]"
                    label="What went well"
                    maxlength=8000
                    value=went_well
                    error=e("went_well")
                />
                <TextArea
                    id="outcome-gaps"
                    name="outcome[gaps]"
                    label="Gaps found"
                    maxlength=8000
                    value=gaps
                    error=e("gaps")
                />
                <div class="form__actions">
                    <button type="submit" class="button">
                        {if held { "Save the outcome" } else { "Record the outcome" }}
                    </button>
                </div>
            </ActionForm>
        }
    });
    let tools = exercise
        .tools
        .iter()
        .map(|t| (t.slug.clone(), t.name.clone()))
        .collect::<Vec<_>>();
    view! {
        <header class="page__header">
            <h1 id="page-title">{format!("Exercise #{number}: {}", exercise.title)}</h1>
            {if held {
                view! { <span class="badge badge--ok">"Held"</span> }
            } else {
                view! { <span class="badge badge--info">"Scheduled"</span> }
            }}
        </header>
        <section class="card" aria-labelledby="scenario-title">
            <h2 id="scenario-title">"Scenario"</h2>
            <dl class="details">
                <div>
                    <dt>"Playbook rehearsed"</dt>
                    <dd>
                        <a href=format!(
                            "/incidents/playbooks/{}",
                            exercise.kind.as_str(),
                        )>
                            {exercise.kind.label()}
                            {exercise.playbook_version.map(|v| format!(", version {v}"))}
                        </a>
                    </dd>
                </div>
                <div>
                    <dt>"Day"</dt>
                    <dd>{exercise.held_on.to_string()}</dd>
                </div>
                <div>
                    <dt>"Participants"</dt>
                    <dd class="prose">{exercise.participants.clone()}</dd>
                </div>
                <div>
                    <dt>"Scheduled by"</dt>
                    <dd>{exercise.scheduled_by.clone()}</dd>
                </div>
            </dl>
            <h3>"What happens"</h3>
            <p class="prose">{exercise.scenario.clone()}</p>
        </section>
        <section class="card" aria-labelledby="outcome-title">
            <h2 id="outcome-title">"Outcome"</h2>
            {match exercise.recorded_at {
                Some(at) => {
                    view! {
                        <p class="field-hint">"Recorded " <When at /></p>
                        <h3>"What went well"</h3>
                        <p class="prose" data-testid="went-well">
                            {or_dash(&exercise.went_well)}
                        </p>
                        <h3>"Gaps found"</h3>
                        <p class="prose" data-testid="gaps">
                            {or_dash(&exercise.gaps)}
                        </p>
                    }
                        .into_any()
                }
                None => {
                    view! { <p>"Not recorded yet: record it once the exercise is held."</p> }
                        .into_any()
                }
            }}
            {outcome_form}
        </section>
        <FollowUps
            follow_ups=exercise.follow_ups.clone()
            owners=exercise.owners.clone()
            number
            addable=exercise.may_edit
            may_complete=exercise.may_edit
            me=exercise.viewer.clone()
            add
            done
        />
        <section class="card" id="dry-run" aria-labelledby="dry-run-title">
            <h2 id="dry-run-title">"Dry kill switch"</h2>
            <p>
                "What stopping a tool would do right now — who is told, who sees the banner, which requests wait — without changing anything."
            </p>
            <form
                class="filter-bar"
                method="get"
                action=format!("/incidents/exercises/{number}#dry-run")
                aria-label="Dry kill switch"
            >
                <FilterSelect
                    id="tool"
                    label="Tool"
                    any="Choose a tool"
                    options=tools
                    selected=tool
                />
                <button type="submit" class="button button--secondary">
                    "Show what would happen"
                </button>
            </form>
            <Transition fallback=|| {
                view! { <p>"Working it out…"</p> }
            }>
                {move || {
                    dry.get()
                        .map(|result| match result {
                            Ok(Some(run)) => view! { <DryRunView run /> }.into_any(),
                            Ok(None) => ().into_any(),
                            Err(error) => {
                                view! {
                                    <p class="notice notice--error" role="alert">
                                        {error.to_string()}
                                    </p>
                                }
                                    .into_any()
                            }
                        })
                }}
            </Transition>
        </section>
    }
}

#[component]
fn DryRunView(run: DryRun) -> impl IntoView {
    let members: i64 = run.teams.iter().map(|(_, n)| n).sum();
    view! {
        <div class="notice notice--warn" role="status" data-testid="dry-run">
            <p class="notice__title">
                {if run.in_use {
                    format!("Stopping {} would reach {} people.", run.tool.name, run.people)
                } else {
                    format!(
                        "{} is not in use: a real stop would be refused. Were it in use, it would reach {} people.",
                        run.tool.name,
                        run.people,
                    )
                }}
            </p>
            <p>
                {format!(
                    "{} teams ({members} members) named on it; {} open requests for it. Nothing was changed.",
                    run.teams.len(),
                    run.open_requests.len(),
                )}
            </p>
            <p>
                <strong>"Instead: "</strong>
                {if run.rollback_plan.is_empty() {
                    "no rollback plan — write one on the tool's page.".to_owned()
                } else {
                    run.rollback_plan.clone()
                }}
            </p>
        </div>
        <div class="table-wrap">
            <table class="table">
                <caption>"Teams that would be told"</caption>
                <thead>
                    <tr>
                        <th scope="col">"Team"</th>
                        <th scope="col">"Members"</th>
                    </tr>
                </thead>
                <tbody>
                    {run
                        .teams
                        .into_iter()
                        .map(|(team, n)| {
                            view! {
                                <tr>
                                    <th scope="row">{team.name}</th>
                                    <td data-label="Members">{n}</td>
                                </tr>
                            }
                        })
                        .collect_view()}
                </tbody>
            </table>
        </div>
        {(!run.open_requests.is_empty())
            .then(|| {
                view! {
                    <h3>"Requests that would be put on hold"</h3>
                    <ul>
                        {run
                            .open_requests
                            .into_iter()
                            .map(|r| {
                                view! {
                                    <li>
                                        <a href=format!(
                                            "/requests/{}",
                                            r.number,
                                        )>{format!("#{} {}", r.number, r.tool_name)}</a>
                                        {format!(" — {}", r.requester)}
                                    </li>
                                }
                            })
                            .collect_view()}
                    </ul>
                }
            })}
    }
}
