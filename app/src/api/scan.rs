//! The scanner in the browser's reach: the scan page (its form posts to `/scan`, which renders
//! the page with what was found; see `server::scan_page`), and reviewers' detector editing.

use leptos::prelude::*;

use crate::domain::scan::DetectorForm;
use crate::error::AppError;
use crate::model::{ClassDetectors, ScanChoices, ScanPosted};

/// The form the scan page posts (`/scan`), handed to this request's rendering only.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PostedScanForm {
    pub text: String,
    pub tool: String,
    pub team: String,
}

#[server(endpoint = "scan_choices")]
pub async fn get_scan_choices() -> Result<ScanChoices, AppError> {
    use super::guard::guard;
    use crate::domain::Permission;
    guard(Permission::ViewRegistry, |caller| async move {
        crate::backend::scan::scanning::choices(caller.pool(), &caller.principal).await
    })
    .await
}

/// What the posted scan form found, while rendering the page that answers the post; `None`
/// on any other request (a plain load of `/scan`, or a call from outside).
#[server(endpoint = "scan_posted")]
pub async fn get_scan_posted() -> Result<Option<ScanPosted>, AppError> {
    use super::guard::guard;
    use crate::backend::scan::{scan_text, ScanRequest, ScanVia};
    use crate::domain::Permission;
    // Read before the first await, while the rendering's context is at hand.
    let posted = use_context::<PostedScanForm>();
    guard(Permission::ViewRegistry, |caller| async move {
        let Some(form) = posted else {
            return Ok(None);
        };
        let change = caller.change()?;
        // The page preselects the person's team: without a tool it decides nothing.
        let tool = Some(form.tool.clone()).filter(|tool| !tool.trim().is_empty());
        let request = ScanRequest {
            text: form.text.clone(),
            team: tool.as_ref().map(|_| form.team.clone()),
            tool,
        };
        let outcome = scan_text(
            &caller.services,
            &caller.principal,
            &change,
            &request,
            ScanVia::Page,
        )
        .await;
        // Refusals are shown beside their field; anything else is the page's error.
        let outcome = match outcome {
            Err(error @ (AppError::Invalid { .. } | AppError::Forbidden)) => Err(error),
            Err(other) => return Err(other),
            Ok(report) => Ok(report),
        };
        Ok(Some(ScanPosted {
            text: form.text,
            tool: form.tool,
            team: form.team,
            outcome,
        }))
    })
    .await
}

#[server(endpoint = "class_detectors")]
pub async fn get_class_detectors(class: String) -> Result<ClassDetectors, AppError> {
    use super::guard::guard;
    use crate::domain::Permission;
    guard(Permission::ManageRegistry, |caller| async move {
        crate::backend::scan::detectors::for_class(caller.pool(), &caller.principal, &class).await
    })
    .await
}

/// A reviewer adds a detector to `class` (`id` empty) or changes detector `id`.
#[server(endpoint = "save_detector")]
pub async fn save_detector(
    class: String,
    id: String,
    detector: DetectorForm,
) -> Result<String, AppError> {
    use super::guard::guard;
    use crate::domain::Permission;
    guard(Permission::ManageRegistry, |caller| async move {
        let change = caller.change()?;
        let id = (!id.trim().is_empty()).then_some(id.trim());
        let saved = crate::backend::scan::detectors::save(
            caller.pool(),
            &caller.principal,
            &change,
            &class,
            id,
            &detector,
        )
        .await?;
        caller
            .session
            .notice("Detector saved; its examples pass. Scans use it from now on.")
            .await?;
        leptos_axum::redirect(&format!("/data-classes/{}#detectors", class.trim()));
        Ok(saved)
    })
    .await
}

/// A reviewer retires detector `id` of `class`.
#[server(endpoint = "retire_detector")]
pub async fn retire_detector(class: String, id: String) -> Result<(), AppError> {
    use super::guard::guard;
    use crate::domain::Permission;
    guard(Permission::ManageRegistry, |caller| async move {
        let change = caller.change()?;
        crate::backend::scan::detectors::retire(
            caller.pool(),
            &caller.principal,
            &change,
            &class,
            &id,
        )
        .await?;
        caller
            .session
            .notice("Detector retired. Its versions stay in the audit log.")
            .await?;
        leptos_axum::redirect(&format!("/data-classes/{}#detectors", class.trim()));
        Ok(())
    })
    .await
}
