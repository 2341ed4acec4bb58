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

/// The kill switch: stops a tool for the whole organization, signed with a fresh code. The
/// session gets a new id afterwards (a step-up, like a decision).
#[server(endpoint = "stop_tool")]
pub async fn stop_tool(stop: crate::domain::incidents::StopForm) -> Result<String, AppError> {
    use super::guard::guard;
    use crate::backend::requests::decisions::Keys;
    use crate::domain::Permission;
    guard(Permission::DecideRequests, |caller| async move {
        let change = caller.change()?;
        let services = &caller.services;
        let keys = Keys {
            totp: &services.totp_key,
            signing: &services.signing_keys,
        };
        let stopped = crate::backend::incidents::stop_tool(
            &services.pool,
            keys,
            &caller.principal,
            &change,
            &stop,
        )
        .await?;
        caller.session.renew().await?;
        let held = match stopped.held_requests.len() {
            0 => String::new(),
            1 => " One open request is on hold.".to_owned(),
            n => format!(" {n} open requests are on hold."),
        };
        caller
            .session
            .notice(&format!(
                "Stopped for everyone; the policy check answers no from now on.{held} Receipt {}.",
                stopped.receipt_id
            ))
            .await?;
        let back = match stop.incident.trim() {
            "" => format!("/tools/{}", stop.tool.trim()),
            number => format!("/incidents/{number}"),
        };
        leptos_axum::redirect(&back);
        Ok(stopped.receipt_id.to_string())
    })
    .await
}

/// The signed-in person has read the banner of stop `stop`; the page they were on comes back
/// without it.
#[server(endpoint = "acknowledge_stop")]
pub async fn acknowledge_stop(stop: Uuid) -> Result<(), AppError> {
    use super::guard::guard;
    use crate::domain::Permission;
    guard(Permission::ReportIncidents, |caller| async move {
        let change = caller.change()?;
        crate::backend::incidents::acknowledge(caller.pool(), &caller.principal, &change, stop)
            .await
    })
    .await
}

/// Files the reinstatement of a stopped tool (justification, the facts that changed) as a
/// registry change request; two other reviewers decide it with fresh codes.
#[server(endpoint = "reinstate_tool")]
pub async fn reinstate_tool(
    tool: String,
    reinstate: crate::domain::incidents::ReinstateForm,
) -> Result<i64, AppError> {
    use super::guard::guard;
    use crate::domain::Permission;
    guard(Permission::ManageRegistry, |caller| async move {
        let change = caller.change()?;
        let number = crate::backend::incidents::propose_reinstatement(
            &caller.services.pool,
            &caller.principal,
            &change,
            tool.trim(),
            &reinstate,
        )
        .await?;
        caller
            .session
            .notice(&format!(
                "Reinstatement filed as request #{number}: two other reviewers decide it, each \
                 with a fresh code."
            ))
            .await?;
        leptos_axum::redirect(&format!("/requests/{number}"));
        Ok(number)
    })
    .await
}

/// A triager ticks a step of an incident's checklist (or unticks it).
#[server(endpoint = "tick_incident_step")]
pub async fn tick_incident_step(number: i64, step: i32, done: bool) -> Result<(), AppError> {
    use super::guard::guard;
    use crate::domain::Permission;
    guard(Permission::ManageIncidents, |caller| async move {
        let change = caller.change()?;
        crate::backend::incidents::tick_step(
            caller.pool(),
            &caller.principal,
            &change,
            number,
            step,
            done,
        )
        .await?;
        leptos_axum::redirect(&format!("/incidents/{number}#checklist"));
        Ok(())
    })
    .await
}
