//! The incident register: reporting, the list, one incident, and working it. Who may see or
//! change which incident is decided per incident in `backend::incidents`.

use leptos::prelude::*;
use uuid::Uuid;

use crate::domain::incidents::{
    FollowUpForm, IncidentForm, IncidentStatus, ReviewForm, TriageForm,
};
use crate::error::AppError;
use crate::model::{IncidentDetail, IncidentList, IncidentQuery, IncidentReportForm};

#[server(endpoint = "incidents")]
pub async fn get_incidents(query: IncidentQuery) -> Result<IncidentList, AppError> {
    use super::guard::guard;
    use crate::domain::Permission;
    guard(Permission::ReportIncidents, |caller| async move {
        let pool = caller.pool();
        Ok(IncidentList {
            incidents: crate::backend::incidents::list(pool, &caller.principal, &query).await?,
            sees_all: caller.principal.may(Permission::ManageIncidents),
            tools: crate::backend::registry::tools::names(pool).await?,
        })
    })
    .await
}

#[server(endpoint = "incident")]
pub async fn get_incident(number: i64) -> Result<IncidentDetail, AppError> {
    use super::guard::guard;
    use crate::domain::Permission;
    guard(Permission::ReportIncidents, |caller| async move {
        crate::backend::incidents::detail(caller.pool(), &caller.principal, number, caller.now)
            .await
    })
    .await
}

#[server(endpoint = "incident_report_form")]
pub async fn get_incident_report_form() -> Result<IncidentReportForm, AppError> {
    use super::guard::guard;
    use crate::domain::Permission;
    guard(Permission::ReportIncidents, |caller| async move {
        crate::backend::incidents::report_form(caller.pool(), &caller.principal).await
    })
    .await
}

/// Reports an incident and shows it.
#[server(endpoint = "report_incident")]
pub async fn report_incident(incident: IncidentForm) -> Result<i64, AppError> {
    use super::guard::guard;
    use crate::domain::Permission;
    guard(Permission::ReportIncidents, |caller| async move {
        let change = caller.change()?;
        let number =
            crate::backend::incidents::report(caller.pool(), &caller.principal, &change, &incident)
                .await?;
        caller
            .session
            .notice(&format!(
                "Incident #{number} reported. IT security has been told."
            ))
            .await?;
        leptos_axum::redirect(&format!("/incidents/{number}"));
        Ok(number)
    })
    .await
}

/// Triage: severity, owner and status of incident `number`, with a note.
#[server(endpoint = "triage_incident")]
pub async fn triage_incident(number: i64, triage: TriageForm) -> Result<IncidentStatus, AppError> {
    use super::guard::guard;
    use crate::domain::Permission;
    guard(Permission::ManageIncidents, |caller| async move {
        let change = caller.change()?;
        let status = crate::backend::incidents::triage(
            caller.pool(),
            &caller.principal,
            &change,
            number,
            &triage,
        )
        .await?;
        caller.session.notice("Incident updated.").await?;
        leptos_axum::redirect(&format!("/incidents/{number}"));
        Ok(status)
    })
    .await
}

#[server(endpoint = "comment_on_incident")]
pub async fn comment_on_incident(number: i64, body: String) -> Result<(), AppError> {
    use super::guard::guard;
    use crate::domain::Permission;
    guard(Permission::ReportIncidents, |caller| async move {
        let change = caller.change()?;
        crate::backend::incidents::comment(
            caller.pool(),
            &caller.principal,
            &change,
            number,
            &body,
        )
        .await?;
        leptos_axum::redirect(&format!("/incidents/{number}"));
        Ok(())
    })
    .await
}

#[server(endpoint = "review_incident")]
pub async fn review_incident(number: i64, review: ReviewForm) -> Result<(), AppError> {
    use super::guard::guard;
    use crate::domain::Permission;
    guard(Permission::ManageIncidents, |caller| async move {
        let change = caller.change()?;
        crate::backend::incidents::review(
            caller.pool(),
            &caller.principal,
            &change,
            number,
            &review,
        )
        .await?;
        caller.session.notice("Post-incident review saved.").await?;
        leptos_axum::redirect(&format!("/incidents/{number}"));
        Ok(())
    })
    .await
}

#[server(endpoint = "add_incident_follow_up")]
pub async fn add_incident_follow_up(number: i64, follow_up: FollowUpForm) -> Result<(), AppError> {
    use super::guard::guard;
    use crate::domain::Permission;
    guard(Permission::ManageIncidents, |caller| async move {
        let change = caller.change()?;
        crate::backend::incidents::add_follow_up(
            caller.pool(),
            &caller.principal,
            &change,
            number,
            &follow_up,
        )
        .await?;
        caller.session.notice("Follow-up added.").await?;
        leptos_axum::redirect(&format!("/incidents/{number}"));
        Ok(())
    })
    .await
}

#[server(endpoint = "complete_incident_follow_up")]
pub async fn complete_incident_follow_up(number: i64, action: Uuid) -> Result<(), AppError> {
    use super::guard::guard;
    use crate::domain::Permission;
    guard(Permission::ReportIncidents, |caller| async move {
        let change = caller.change()?;
        crate::backend::incidents::complete_follow_up(
            caller.pool(),
            &caller.principal,
            &change,
            number,
            action,
        )
        .await?;
        leptos_axum::redirect(&format!("/incidents/{number}"));
        Ok(())
    })
    .await
}
