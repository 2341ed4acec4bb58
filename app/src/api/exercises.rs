//! Tabletop exercises: reviewers and admins read them; admins schedule and record them. A dry
//! kill switch shows what a real one would do.

use leptos::prelude::*;
use uuid::Uuid;

use crate::domain::incidents::{ExerciseForm, FollowUpForm, OutcomeForm};
use crate::error::AppError;
use crate::model::{DryRun, ExerciseDetail, ExerciseList};

#[server(endpoint = "exercises")]
pub async fn get_exercises() -> Result<ExerciseList, AppError> {
    use super::guard::guard;
    use crate::domain::Permission;
    guard(Permission::ManageIncidents, |caller| async move {
        crate::backend::incidents::exercises(caller.pool(), &caller.principal).await
    })
    .await
}

#[server(endpoint = "exercise")]
pub async fn get_exercise(number: i64) -> Result<ExerciseDetail, AppError> {
    use super::guard::guard;
    use crate::domain::Permission;
    guard(Permission::ManageIncidents, |caller| async move {
        let today = caller.now.date_naive();
        crate::backend::incidents::exercise(caller.pool(), &caller.principal, number, today).await
    })
    .await
}

/// What stopping `tool` would do now, changing nothing.
#[server(endpoint = "dry_run")]
pub async fn get_dry_run(tool: String) -> Result<DryRun, AppError> {
    use super::guard::guard;
    use crate::domain::Permission;
    guard(Permission::ManageIncidents, |caller| async move {
        crate::backend::incidents::dry_run(caller.pool(), &caller.principal, tool.trim()).await
    })
    .await
}

#[server(endpoint = "schedule_exercise")]
pub async fn schedule_exercise(exercise: ExerciseForm) -> Result<i64, AppError> {
    use super::guard::guard;
    use crate::domain::Permission;
    guard(Permission::ManageSettings, |caller| async move {
        let change = caller.change()?;
        let number = crate::backend::incidents::schedule(
            caller.pool(),
            &caller.principal,
            &change,
            &exercise,
        )
        .await?;
        leptos_axum::redirect(&format!("/incidents/exercises/{number}"));
        Ok(number)
    })
    .await
}

#[server(endpoint = "record_exercise")]
pub async fn record_exercise(number: i64, outcome: OutcomeForm) -> Result<(), AppError> {
    use super::guard::guard;
    use crate::domain::Permission;
    guard(Permission::ManageSettings, |caller| async move {
        let change = caller.change()?;
        crate::backend::incidents::record_outcome(
            caller.pool(),
            &caller.principal,
            &change,
            number,
            &outcome,
        )
        .await?;
        leptos_axum::redirect(&format!("/incidents/exercises/{number}"));
        Ok(())
    })
    .await
}

#[server(endpoint = "add_exercise_follow_up")]
pub async fn add_exercise_follow_up(number: i64, follow_up: FollowUpForm) -> Result<(), AppError> {
    use super::guard::guard;
    use crate::domain::Permission;
    guard(Permission::ManageSettings, |caller| async move {
        let change = caller.change()?;
        crate::backend::incidents::add_exercise_follow_up(
            caller.pool(),
            &caller.principal,
            &change,
            number,
            &follow_up,
        )
        .await?;
        leptos_axum::redirect(&format!("/incidents/exercises/{number}"));
        Ok(())
    })
    .await
}

#[server(endpoint = "complete_exercise_follow_up")]
pub async fn complete_exercise_follow_up(number: i64, action: Uuid) -> Result<(), AppError> {
    use super::guard::guard;
    use crate::domain::Permission;
    guard(Permission::ManageIncidents, |caller| async move {
        let change = caller.change()?;
        crate::backend::incidents::complete_exercise_follow_up(
            caller.pool(),
            &caller.principal,
            &change,
            number,
            action,
        )
        .await?;
        leptos_axum::redirect(&format!("/incidents/exercises/{number}"));
        Ok(())
    })
    .await
}
