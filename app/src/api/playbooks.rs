//! Incident playbooks: everyone signed in reads them; admins edit them, each save a version.

use leptos::prelude::*;

use crate::domain::incidents::PlaybookForm;
use crate::error::AppError;
use crate::model::{PlaybookPage, PlaybookSummary};

#[server(endpoint = "playbooks")]
pub async fn get_playbooks() -> Result<Vec<PlaybookSummary>, AppError> {
    use super::guard::guard;
    use crate::domain::Permission;
    guard(Permission::ReportIncidents, |caller| async move {
        crate::backend::incidents::playbooks(caller.pool()).await
    })
    .await
}

#[server(endpoint = "playbook")]
pub async fn get_playbook(kind: String) -> Result<PlaybookPage, AppError> {
    use super::guard::guard;
    use crate::domain::incidents::IncidentKind;
    use crate::domain::Permission;
    guard(Permission::ReportIncidents, |caller| async move {
        // An unknown kind names no playbook.
        let kind = IncidentKind::parse(kind.trim()).map_err(|_| AppError::NotFound)?;
        crate::backend::incidents::playbook(caller.pool(), &caller.principal, kind).await
    })
    .await
}

/// An admin saves a playbook; it becomes the version in force for incidents reported from now.
#[server(endpoint = "save_playbook")]
pub async fn save_playbook(playbook: PlaybookForm) -> Result<i32, AppError> {
    use super::guard::guard;
    use crate::domain::Permission;
    guard(Permission::ManageSettings, |caller| async move {
        let change = caller.change()?;
        let version = crate::backend::incidents::save_playbook(
            caller.pool(),
            &caller.principal,
            &change,
            &playbook,
        )
        .await?;
        caller
            .session
            .notice(&format!(
                "Saved. Version {version} is in force for incidents reported from now."
            ))
            .await?;
        leptos_axum::redirect(&format!("/incidents/playbooks/{}", playbook.kind.trim()));
        Ok(version)
    })
    .await
}
