//! The kill switch: a reviewer stops a tool for the whole organization with a reason and a
//! fresh code. One transaction holds everything: the code's time step used up, the tool
//! suspended (so the policy check answers no with the rollback plan as "instead" the moment it
//! commits, on every instance), every open request for it put on hold, the audit event, the
//! signed receipt, the incident's timeline and the notifications to everyone affected.

use chrono::{NaiveDate, SecondsFormat};
use serde_json::json;
use sqlx::{PgConnection, PgPool};
use uuid::Uuid;

use super::{lock, Step, Stored};
use crate::backend::audit::{self, NewEvent};
use crate::backend::identity::auth::sign_off::{self, Signer};
use crate::backend::identity::users::Principal;
use crate::backend::notifications;
use crate::backend::platform::change::Change;
use crate::backend::platform::signing::SigningKeys;
use crate::backend::registry::editing::{as_valid, save_in};
use crate::backend::registry::tools::detail_in;
use crate::backend::requests::decisions::Keys;
use crate::backend::webhooks::{self, Event};
use crate::domain::incidents::StopForm;
use crate::domain::notices::NoticeKind;
use crate::domain::registry::policy::TeamRef;
use crate::domain::registry::widening::allows;
use crate::domain::requests::receipt::{
    ReceiptReviewer, StopDocument, AUTOMATIC_STOP_KIND, RECEIPT_VERSION, STOP_KIND,
};
use crate::domain::requests::state::RequestState;
use crate::domain::webhooks::WebhookEvent;
use crate::domain::{AuditAction, Permission, Role, ToolStatus, ValidTool};
use crate::error::AppError;
use crate::model::{DryRun, DryRunRequest};

/// What the kill switch did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stopped {
    /// The stop's id, which is its receipt's.
    pub receipt_id: Uuid,
    pub held_requests: Vec<i64>,
}

/// Stops tool `form.tool` for everyone. A refused stop leaves the code usable; a replayed code
/// stops nothing.
#[tracing::instrument(skip_all)]
pub async fn stop_tool(
    pool: &PgPool,
    keys: Keys<'_>,
    principal: &Principal,
    change: &Change,
    form: &StopForm,
) -> Result<Stopped, AppError> {
    if !principal.may(Permission::DecideRequests) {
        return Err(AppError::Forbidden);
    }
    let stop = form.validate()?;
    let signer = Signer {
        principal,
        source: change.source,
        purpose: "kill_switch",
        target: format!("tool:{}", stop.tool),
    };
    sign_off::precheck(pool, &signer, change.now).await?;
    let mut tx = pool.begin().await?;
    let tool_id = sqlx::query_scalar!(
        "SELECT tool_id FROM tools WHERE slug = $1 FOR UPDATE",
        stop.tool
    )
    .fetch_optional(&mut *tx)
    .await?
    .ok_or_else(|| AppError::invalid("tool", "no tool has this identifier"))?;
    let before = as_valid(&detail_in(&mut tx, &stop.tool).await?)?;
    if !allows(before.status) {
        return Err(AppError::Conflict {
            message: format!(
                "{} is {} already: nobody may use it",
                before.name,
                before.status.label().to_lowercase()
            ),
        });
    }
    let incident = match stop.incident {
        Some(number) => {
            let stored = lock(&mut tx, principal, number).await?;
            if stored.status.is_final() {
                return Err(AppError::invalid(
                    "incident",
                    "this incident is closed; stop the tool from the tool page or a new incident",
                ));
            }
            Some(stored)
        }
        None => None,
    };
    let step =
        sign_off::use_code(pool, &mut tx, keys.totp, &signer, &stop.code, change.now).await?;
    let instead = if stop.instead.is_empty() {
        before.rollback_plan.clone()
    } else {
        stop.instead.clone()
    };
    let plan = Plan {
        tool_id,
        before,
        reason: stop.reason.clone(),
        instead,
        incident: incident.as_ref(),
        stopper: Stopper::Reviewer { principal, step },
    };
    let stopped = record(&mut tx, keys.signing, change, plan).await?;
    tx.commit().await?;
    Ok(stopped)
}

/// Who stops a tool.
pub(super) enum Stopper<'a> {
    /// A reviewer, with the TOTP time step their fresh code used up.
    Reviewer { principal: &'a Principal, step: i64 },
    /// The portal itself, the day after the tool's review date passed (the organization's
    /// overdue policy): signed with the receipt key alone.
    Portal { review_due_on: NaiveDate },
}

/// A stop about to be recorded: the tool as it is (allowed, locked), why, what to use instead.
pub(super) struct Plan<'a> {
    pub tool_id: Uuid,
    pub before: ValidTool,
    pub reason: String,
    pub instead: String,
    pub incident: Option<&'a Stored>,
    pub stopper: Stopper<'a>,
}

/// Records stop `plan` in `tx`: the tool suspended (with `instead` as its rollback plan), its
/// open requests held, the audit event, the signed receipt, the incident's timeline, the
/// notifications and the webhook event.
pub(super) async fn record(
    tx: &mut PgConnection,
    signing: &SigningKeys,
    change: &Change,
    plan: Plan<'_>,
) -> Result<Stopped, AppError> {
    let Plan {
        tool_id,
        before,
        reason,
        instead,
        incident,
        stopper,
    } = plan;
    let slug = before.slug.as_str().to_owned();
    let mut stopped = before.clone();
    stopped.status = ToolStatus::Suspended;
    stopped.status_reason = reason.clone();
    stopped.rollback_plan = instead.clone();
    save_in(tx, change, Some(&slug), stopped, None).await?;

    let receipt_id = Uuid::new_v4();
    let held = hold_requests(tx, change, tool_id, &before.name, &reason).await?;
    let held_numbers: Vec<i64> = held.iter().map(|(_, n)| *n).collect();
    let (stopped_by, reviewer, step, review_due_on) = match &stopper {
        Stopper::Reviewer { principal, step } => (
            Some(principal.user_id),
            Some(ReceiptReviewer {
                user_id: principal.user_id.to_string(),
                email: principal.email.to_string(),
                name: principal.display_name.clone(),
            }),
            Some(*step),
            None,
        ),
        Stopper::Portal { review_due_on } => (None, None, None, Some(*review_due_on)),
    };
    let mut after = json!({
        "reason": reason,
        "instead": instead,
        "incident": incident.map(|i| i.number),
        "receipt_id": receipt_id.to_string(),
        "totp_step": step,
        "held_requests": held_numbers,
    });
    if let Some(day) = review_due_on {
        after["review_due_on"] = json!(day);
    }
    let audit_event = NewEvent::new(change.actor.clone(), AuditAction::ToolStopped)
        .target(format!("tool:{slug}"))
        .source(change.source)
        .after(after);
    let audit_seq = audit::append(tx, audit_event, change.now).await?;
    let document = StopDocument {
        receipt_version: RECEIPT_VERSION,
        receipt_kind: if review_due_on.is_some() {
            AUTOMATIC_STOP_KIND
        } else {
            STOP_KIND
        }
        .to_owned(),
        receipt_id: receipt_id.to_string(),
        tool: slug.clone(),
        tool_name: before.name.clone(),
        incident_number: incident.map(|i| i.number),
        reason: reason.clone(),
        instead: instead.clone(),
        reviewer,
        totp_step: step,
        review_due_on: review_due_on.map(|day| day.to_string()),
        stopped_at: change.now.to_rfc3339_opts(SecondsFormat::Secs, true),
        audit_seq,
        held_requests: held_numbers.clone(),
    };
    let receipt = signing.sign_stop(&document)?;
    sqlx::query!(
        "INSERT INTO tool_stops (stop_id, tool_id, incident_id, reason, instead, stopped_by,
           stopped_at, totp_step, key_id, payload, signature, status_before, review_due_on)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
        receipt_id,
        tool_id,
        incident.map(|i| i.incident_id),
        reason,
        instead,
        stopped_by,
        change.now,
        step,
        receipt.key_id,
        receipt.payload,
        receipt.signature,
        before.status.as_str(),
        review_due_on
    )
    .execute(&mut *tx)
    .await?;
    sqlx::query!(
        "UPDATE tool_requests SET held_by = $2 WHERE request_id = ANY($1)",
        &held.iter().map(|(id, _)| *id).collect::<Vec<_>>(),
        receipt_id
    )
    .execute(&mut *tx)
    .await?;
    let link = match incident {
        Some(stored) => {
            sqlx::query!(
                "INSERT INTO incident_tools (incident_id, tool_id) VALUES ($1, $2)
                 ON CONFLICT DO NOTHING",
                stored.incident_id,
                tool_id
            )
            .execute(&mut *tx)
            .await?;
            let body = format!(
                "{} stopped for the whole organization: {reason}{}",
                before.name,
                if held_numbers.is_empty() {
                    String::new()
                } else {
                    format!(" ({} open requests on hold)", held_numbers.len())
                }
            );
            let step = Step::note("tool_stopped", &body);
            super::record(
                tx,
                change,
                stored,
                step,
                AuditAction::IncidentUpdated,
                json!({ "tool_stopped": slug, "receipt_id": receipt_id.to_string() }),
            )
            .await?;
            format!("/incidents/{}", stored.number)
        }
        None => format!("/tools/{slug}"),
    };
    let instead_text = if instead.is_empty() {
        String::new()
    } else {
        format!(" Instead: {instead}")
    };
    let message = format!(
        "{} is stopped for everyone: {reason}.{instead_text}",
        before.name
    );
    let mut affected = affected_people(tx, tool_id).await?;
    if let Some(day) = review_due_on {
        // Nobody pulled it: the reviewers hear, once, that a review is what brings it back
        // (first, as notifications are cut at 500 characters).
        let reviewers = notifications::holders(tx, Role::Reviewer).await?;
        affected.retain(|person| !reviewers.contains(person));
        let for_reviewers = format!(
            "{} was suspended automatically: its review was due on {day}. A reviewer reinstates \
             it from its page with a signed decision that sets its next review.",
            before.name
        );
        notifications::notify(
            tx,
            NoticeKind::Reviews,
            &reviewers,
            Uuid::nil(),
            &for_reviewers,
            &link,
            change.now,
        )
        .await?;
    }
    notifications::notify(
        tx,
        NoticeKind::Incidents,
        &affected,
        change.by.unwrap_or_else(Uuid::nil),
        &message,
        &link,
        change.now,
    )
    .await?;
    let mut data = json!({
        "tool": slug,
        "name": before.name,
        "reason": reason,
        "instead": instead,
        "receipt_id": receipt_id,
        "held_requests": held_numbers,
    });
    match &stopper {
        Stopper::Reviewer { principal, .. } => data["by"] = json!(principal.display_name),
        Stopper::Portal { review_due_on } => {
            data["by"] = json!("the portal (review overdue)");
            data["review_due_on"] = json!(review_due_on);
        }
    }
    let event = Event {
        kind: WebhookEvent::ToolStopped,
        summary: &message,
        link: &link,
        data,
    };
    webhooks::emit(tx, event, change.now).await?;
    Ok(Stopped {
        receipt_id,
        held_requests: held_numbers,
    })
}

/// Puts every open request for `tool_id` on hold, each with a timeline entry; returns their
/// ids and numbers. (`held_by` is set once the stop's row exists.)
async fn hold_requests(
    conn: &mut PgConnection,
    change: &Change,
    tool_id: Uuid,
    tool_name: &str,
    reason: &str,
) -> Result<Vec<(Uuid, i64)>, AppError> {
    let open = sqlx::query!(
        "SELECT request_id, number FROM tool_requests
         WHERE tool_id = $1 AND state IN ('submitted', 'in_review', 'changes_requested')
         ORDER BY number FOR UPDATE",
        tool_id
    )
    .fetch_all(&mut *conn)
    .await?;
    let body = format!(
        "On hold: {tool_name} was stopped for the whole organization ({reason}). No decision \
         until it is reinstated."
    );
    for request in &open {
        crate::backend::requests::event(
            conn,
            request.request_id,
            change.by,
            "held",
            None::<(RequestState, RequestState)>,
            &body,
            change.now,
        )
        .await?;
    }
    Ok(open.into_iter().map(|r| (r.request_id, r.number)).collect())
}

/// Everyone active the stop concerns: the members of the teams the tool is approved for (all
/// active people when it is approved for every team), and the requesters of its open requests.
pub(crate) async fn affected_people(
    conn: &mut PgConnection,
    tool_id: Uuid,
) -> Result<Vec<Uuid>, AppError> {
    Ok(sqlx::query_scalar!(
        r#"SELECT u.user_id AS "user_id!" FROM users u, tools t
           WHERE t.tool_id = $1 AND u.disabled_at IS NULL
             AND (t.all_teams
                  OR EXISTS (SELECT 1 FROM team_members m JOIN tool_teams tt
                               ON tt.team_id = m.team_id
                             WHERE tt.tool_id = t.tool_id AND m.user_id = u.user_id))
           UNION
           SELECT r.requester_id FROM tool_requests r
           WHERE r.tool_id = $1 AND r.state IN ('submitted', 'in_review', 'changes_requested')"#,
        tool_id
    )
    .fetch_all(&mut *conn)
    .await?)
}

/// What stopping tool `slug` would do now — the teams and people told, the requests held, what
/// they would use instead — read without changing anything (a tabletop exercise's dry run).
pub async fn dry_run(pool: &PgPool, principal: &Principal, slug: &str) -> Result<DryRun, AppError> {
    if !principal.may(Permission::ManageIncidents) {
        return Err(AppError::Forbidden);
    }
    let mut conn = pool.acquire().await?;
    let tool = sqlx::query!(
        r#"SELECT tool_id, slug, name, rollback_plan,
             status IN ('approved', 'approved_with_conditions') AS "in_use!"
           FROM tools WHERE slug = $1"#,
        slug
    )
    .fetch_optional(&mut *conn)
    .await?
    .ok_or_else(|| AppError::invalid("tool", "no tool has this identifier"))?;
    let teams = sqlx::query!(
        r#"SELECT tm.slug, tm.name, count(u.user_id) AS "members!"
           FROM teams tm JOIN tools t ON t.tool_id = $1
           LEFT JOIN team_members m ON m.team_id = tm.team_id
           LEFT JOIN users u ON u.user_id = m.user_id AND u.disabled_at IS NULL
           WHERE t.all_teams OR EXISTS (SELECT 1 FROM tool_teams tt
                   WHERE tt.tool_id = t.tool_id AND tt.team_id = tm.team_id)
           GROUP BY tm.team_id, tm.slug, tm.name ORDER BY lower(tm.name)"#,
        tool.tool_id
    )
    .fetch_all(&mut *conn)
    .await?
    .into_iter()
    .map(|row| {
        (
            TeamRef {
                slug: row.slug,
                name: row.name,
            },
            row.members,
        )
    })
    .collect();
    let people = affected_people(&mut conn, tool.tool_id).await?.len();
    let open_requests = sqlx::query_as!(
        DryRunRequest,
        "SELECT r.number, r.tool_name, u.display_name AS requester
         FROM tool_requests r JOIN users u ON u.user_id = r.requester_id
         WHERE r.tool_id = $1 AND r.state IN ('submitted', 'in_review', 'changes_requested')
         ORDER BY r.number",
        tool.tool_id
    )
    .fetch_all(&mut *conn)
    .await?;
    Ok(DryRun {
        tool: TeamRef {
            slug: tool.slug,
            name: tool.name,
        },
        in_use: tool.in_use,
        teams,
        people: i64::try_from(people).unwrap_or(i64::MAX),
        open_requests,
        rollback_plan: tool.rollback_plan,
    })
}
