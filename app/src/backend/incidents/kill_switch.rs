//! The kill switch: a reviewer stops a tool for the whole organization with a reason and a
//! fresh code. One transaction holds everything: the code's time step used up, the tool
//! suspended (so the policy check answers no with the rollback plan as "instead" the moment it
//! commits, on every instance), every open request for it put on hold, the audit event, the
//! signed receipt, the incident's timeline and the notifications to everyone affected.

use chrono::SecondsFormat;
use serde_json::json;
use sqlx::{PgConnection, PgPool};
use uuid::Uuid;

use super::{lock, Step};
use crate::backend::audit::{self, NewEvent};
use crate::backend::identity::auth::sign_off::{self, Signer};
use crate::backend::identity::users::Principal;
use crate::backend::notifications;
use crate::backend::platform::change::Change;
use crate::backend::registry::editing::{as_valid, save_in};
use crate::backend::registry::tools::detail_in;
use crate::backend::requests::decisions::Keys;
use crate::backend::webhooks::{self, Event};
use crate::domain::incidents::StopForm;
use crate::domain::registry::policy::TeamRef;
use crate::domain::registry::widening::allows;
use crate::domain::requests::receipt::{ReceiptReviewer, StopDocument, RECEIPT_VERSION, STOP_KIND};
use crate::domain::requests::state::RequestState;
use crate::domain::webhooks::WebhookEvent;
use crate::domain::{AuditAction, Permission, ToolStatus};
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
    let mut stopped = before.clone();
    stopped.status = ToolStatus::Suspended;
    stopped.status_reason = stop.reason.clone();
    stopped.rollback_plan = instead.clone();
    save_in(&mut tx, change, Some(&stop.tool), stopped, None).await?;

    let receipt_id = Uuid::new_v4();
    let held = hold_requests(&mut tx, change, tool_id, &before.name, &stop.reason).await?;
    let audit_event = NewEvent::new(change.actor.clone(), AuditAction::ToolStopped)
        .target(format!("tool:{}", stop.tool))
        .source(change.source)
        .after(json!({
            "reason": stop.reason,
            "instead": instead,
            "incident": stop.incident,
            "receipt_id": receipt_id.to_string(),
            "totp_step": step,
            "held_requests": held.iter().map(|(_, n)| n).collect::<Vec<_>>(),
        }));
    let audit_seq = audit::append(&mut tx, audit_event, change.now).await?;
    let held_numbers: Vec<i64> = held.iter().map(|(_, n)| *n).collect();
    let document = StopDocument {
        receipt_version: RECEIPT_VERSION,
        receipt_kind: STOP_KIND.to_owned(),
        receipt_id: receipt_id.to_string(),
        tool: stop.tool.clone(),
        tool_name: before.name.clone(),
        incident_number: stop.incident,
        reason: stop.reason.clone(),
        instead: instead.clone(),
        reviewer: ReceiptReviewer {
            user_id: principal.user_id.to_string(),
            email: principal.email.to_string(),
            name: principal.display_name.clone(),
        },
        totp_step: step,
        stopped_at: change.now.to_rfc3339_opts(SecondsFormat::Secs, true),
        audit_seq,
        held_requests: held_numbers.clone(),
    };
    let receipt = keys.signing.sign_stop(&document)?;
    sqlx::query!(
        "INSERT INTO tool_stops (stop_id, tool_id, incident_id, reason, instead, stopped_by,
           stopped_at, totp_step, key_id, payload, signature, status_before)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
        receipt_id,
        tool_id,
        incident.as_ref().map(|i| i.incident_id),
        stop.reason,
        instead,
        principal.user_id,
        change.now,
        step,
        receipt.key_id,
        receipt.payload,
        receipt.signature,
        before.status.as_str()
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
    let link = match &incident {
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
                "{} stopped for the whole organization: {}{}",
                before.name,
                stop.reason,
                if held_numbers.is_empty() {
                    String::new()
                } else {
                    format!(" ({} open requests on hold)", held_numbers.len())
                }
            );
            let step = Step::note("tool_stopped", &body);
            super::record(
                &mut tx,
                change,
                stored,
                step,
                AuditAction::IncidentUpdated,
                json!({ "tool_stopped": stop.tool, "receipt_id": receipt_id.to_string() }),
            )
            .await?;
            format!("/incidents/{}", stored.number)
        }
        None => format!("/tools/{}", stop.tool),
    };
    let affected = affected_people(&mut tx, tool_id).await?;
    let instead_text = if instead.is_empty() {
        String::new()
    } else {
        format!(" Instead: {instead}")
    };
    let message = format!(
        "{} is stopped for everyone: {}.{instead_text}",
        before.name, stop.reason
    );
    notifications::notify(
        &mut tx,
        crate::domain::notices::NoticeKind::Incidents,
        &affected,
        principal.user_id,
        &message,
        &link,
        change.now,
    )
    .await?;
    let event = Event {
        kind: WebhookEvent::ToolStopped,
        summary: &message,
        link: &link,
        data: json!({
            "tool": stop.tool,
            "name": before.name,
            "reason": stop.reason,
            "instead": instead,
            "receipt_id": receipt_id,
            "held_requests": held_numbers,
            "by": principal.display_name,
        }),
    };
    webhooks::emit(&mut tx, event, change.now).await?;
    tx.commit().await?;
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
