//! Tool requests: drafts, the steps of their life cycle (each one transaction with its timeline
//! event and audit event, conditional on the state it expects), what each person may see.
//!
//! Visibility: the requester, managers of the request's team, reviewers and admins. Anyone else
//! gets `NotFound` — the same as for a number that does not exist — so guessing numbers
//! reveals nothing.

use chrono::{DateTime, Utc};
use sqlx::{PgConnection, PgPool};
use uuid::Uuid;

use super::access::{lock, refused, Stored};
use super::risk::store_risk;
use crate::backend::audit::{self, NewEvent};
use crate::backend::identity::users::Principal;
use crate::backend::notifications;
use crate::backend::webhooks::{self, Event};
use crate::domain::requests::state::{self, RequestAction, RequestState};
use crate::domain::webhooks::WebhookEvent;
use crate::domain::{Actor, AuditAction};
use crate::error::AppError;

pub(crate) async fn event(
    conn: &mut PgConnection,
    request_id: Uuid,
    actor: Option<Uuid>,
    kind: &str,
    states: Option<(RequestState, RequestState)>,
    body: &str,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    sqlx::query!(
        "INSERT INTO tool_request_events (request_id, at, actor_id, kind, from_state, to_state, body)
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
        request_id,
        now,
        actor,
        kind,
        states.map(|(from, _)| from.as_str()),
        states.map(|(_, to)| to.as_str()),
        body
    )
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// A request the portal itself opened (a re-review), already in the queue: its risk, its
/// timeline entry and audit event.
pub(crate) async fn open_for_review(
    conn: &mut PgConnection,
    request_id: Uuid,
    number: i64,
    why: &str,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    store_risk(conn, request_id, false, now).await?;
    let states = Some((RequestState::Draft, RequestState::Submitted));
    event(conn, request_id, None, "reopened", states, why, now).await?;
    let audit_event = NewEvent::new(Actor::System, AuditAction::RequestReopened)
        .target(format!("request:{number}"))
        .after(serde_json::json!({ "why": why }));
    audit::append(conn, audit_event, now).await?;
    Ok(())
}

/// A step of the life cycle other than a decision: submit, assign (to oneself), request
/// changes, resubmit, withdraw, comment. Returns the state it leaves the request in.
pub async fn act(
    pool: &PgPool,
    principal: &Principal,
    number: i64,
    action: RequestAction,
    body: &str,
    now: DateTime<Utc>,
) -> Result<RequestState, AppError> {
    let mut tx = pool.begin().await?;
    let state = act_in(&mut tx, principal, number, action, body, now).await?;
    tx.commit().await?;
    Ok(state)
}

/// [`act`] inside the caller's transaction.
pub async fn act_in(
    tx: &mut PgConnection,
    principal: &Principal,
    number: i64,
    action: RequestAction,
    body: &str,
    now: DateTime<Utc>,
) -> Result<RequestState, AppError> {
    let body = body.trim();
    if body.chars().count() > 4000 {
        return Err(AppError::invalid("body", "must be at most 4000 characters"));
    }
    let needs_text = matches!(
        action,
        RequestAction::Comment | RequestAction::RequestChanges
    );
    if needs_text && body.is_empty() {
        return Err(AppError::invalid(
            "body",
            if action == RequestAction::Comment {
                "write the comment first"
            } else {
                "say what should change"
            },
        ));
    }
    let (kind, audit_action) = match action {
        RequestAction::Submit => ("submitted", Some(AuditAction::RequestSubmitted)),
        RequestAction::Assign => ("assigned", Some(AuditAction::RequestAssigned)),
        RequestAction::RequestChanges => (
            "changes_requested",
            Some(AuditAction::RequestChangesRequested),
        ),
        RequestAction::Resubmit => ("resubmitted", Some(AuditAction::RequestResubmitted)),
        RequestAction::Withdraw => ("withdrawn", Some(AuditAction::RequestWithdrawn)),
        RequestAction::Comment => ("commented", None),
        RequestAction::Edit | RequestAction::Decide(_) => {
            return Err(AppError::BadRequest {
                message: "edits and decisions have their own forms".into(),
            })
        }
    };
    let (stored, party) = lock(&mut *tx, principal, number).await?;
    let to = state::next(stored.state, action, party)
        .map_err(|refusal| refused(refusal, stored.state))?;
    if matches!(action, RequestAction::Submit | RequestAction::Resubmit) {
        store_risk(&mut *tx, stored.request_id, true, now).await?;
    }
    let assignee = (action == RequestAction::Assign).then_some(principal.user_id);
    let updated = sqlx::query!(
        "UPDATE tool_requests SET state = $3, assignee_id = COALESCE($4, assignee_id),
           updated_at = $5
         WHERE request_id = $1 AND state = $2",
        stored.request_id,
        stored.state.as_str(),
        to.as_str(),
        assignee,
        now
    )
    .execute(&mut *tx)
    .await?;
    if updated.rows_affected() != 1 {
        return Err(AppError::Conflict {
            message: "the request changed meanwhile; reload it".into(),
        });
    }
    let states = (stored.state != to).then_some((stored.state, to));
    event(
        &mut *tx,
        stored.request_id,
        Some(principal.user_id),
        kind,
        states,
        body,
        now,
    )
    .await?;
    if let Some(audit_action) = audit_action {
        let audit_event = NewEvent::new(principal.actor(), audit_action)
            .target(format!("request:{}", stored.number))
            .after(serde_json::json!({ "from": stored.state, "to": to }));
        audit::append(&mut *tx, audit_event, now).await?;
    }
    announce(&mut *tx, principal, &stored, action).await?;
    Ok(to)
}

/// Tells whoever a step concerns: reviewers of new work, the requester of what reviewers do,
/// the assigned reviewer of what the requester does.
async fn announce(
    conn: &mut PgConnection,
    principal: &Principal,
    stored: &Stored,
    action: RequestAction,
) -> Result<(), AppError> {
    let row = sqlx::query!(
        "SELECT tool_name, assignee_id, updated_at FROM tool_requests WHERE request_id = $1",
        stored.request_id
    )
    .fetch_one(&mut *conn)
    .await?;
    let who = &principal.display_name;
    let subject = format!("Request #{} for {}", stored.number, row.tool_name);
    let yours = format!("your request #{} for {}", stored.number, row.tool_name);
    let assignee: Vec<Uuid> = row.assignee_id.into_iter().collect();
    let (recipients, message) = match action {
        RequestAction::Submit => (
            notifications::holders(conn, crate::domain::Role::Reviewer).await?,
            format!("{subject} is waiting for review."),
        ),
        RequestAction::Resubmit => (
            // The reviewer who asked for the changes, or every reviewer when nobody took it.
            if assignee.is_empty() {
                notifications::holders(conn, crate::domain::Role::Reviewer).await?
            } else {
                assignee
            },
            format!("{subject} was changed as asked and is back in review."),
        ),
        RequestAction::Assign => (
            vec![stored.requester_id],
            format!("{who} is reviewing {yours}."),
        ),
        RequestAction::RequestChanges => (
            vec![stored.requester_id],
            format!("{who} asked for changes to {yours}."),
        ),
        RequestAction::Withdraw => (assignee, format!("{subject} was withdrawn.")),
        RequestAction::Comment => {
            let mut told = assignee;
            told.push(stored.requester_id);
            let on = format!("request #{} for {}", stored.number, row.tool_name);
            (told, format!("{who} commented on {on}."))
        }
        RequestAction::Edit | RequestAction::Decide(_) => return Ok(()),
    };
    let link = format!("/requests/{}", stored.number);
    notifications::notify(
        conn,
        crate::domain::notices::NoticeKind::Requests,
        &recipients,
        principal.user_id,
        &message,
        &link,
        row.updated_at,
    )
    .await?;
    if matches!(action, RequestAction::Submit | RequestAction::Resubmit) {
        let event = Event {
            kind: WebhookEvent::RequestSubmitted,
            summary: &message,
            link: &link,
            data: serde_json::json!({
                "number": stored.number,
                "tool": row.tool_name,
                "resubmitted": action == RequestAction::Resubmit,
                "by": who,
            }),
        };
        webhooks::emit(conn, event, row.updated_at).await?;
    }
    Ok(())
}
