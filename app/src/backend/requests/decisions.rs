//! Decisions: a reviewer approves, approves with conditions or rejects a request, signing off
//! with a fresh TOTP code. One transaction holds everything a decision changes — the code's
//! time step used up, the request's state (conditional on the state read), the timeline, the
//! audit event, the signed receipt, the registry entry on a final approval and the
//! notifications — so a decision happens completely or not at all, and of twenty decisions
//! racing on one request exactly one wins.

use chrono::{DateTime, SecondsFormat, Utc};
use sqlx::{PgConnection, PgPool};
use uuid::Uuid;

use crate::backend::audit::{self, NewEvent};
use crate::backend::identity::auth::sign_off::{self, Signer};
use crate::backend::identity::auth::totp::SealingKey;
use crate::backend::identity::users::Principal;
use crate::backend::notifications;
use crate::backend::platform::change::Change;
use crate::backend::platform::change::{date, today};
use crate::backend::platform::signing::SigningKeys;
use crate::backend::registry::approvals::{self, Grant};
use crate::backend::requests::{self, changes, detail_in, event, lock, refused};
use crate::backend::webhooks::{self, Event};
use crate::domain::requests::decision::{DecisionForm, ValidDecision};
use crate::domain::requests::receipt::{
    ReceiptDocument, ReceiptReviewer, SignedReceipt, AUTOMATIC_STOP_KIND, RECEIPT_VERSION,
};
use crate::domain::requests::state::RequestKind;
use crate::domain::requests::state::{self, after_decision, Decision, RequestAction, RequestState};
use crate::domain::webhooks::WebhookEvent;
use crate::domain::AuditAction;
use crate::error::AppError;
use crate::model::RequestDetail;

/// The keys a decision needs: the reviewer's sealed TOTP secret is opened with one, the
/// receipt signed with the other.
pub struct Keys<'a> {
    pub totp: &'a SealingKey,
    pub signing: &'a SigningKeys,
}

/// What a decision did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decided {
    pub state: RequestState,
    pub receipt_id: Uuid,
    /// The registry entry a final approval wrote.
    pub tool: Option<String>,
}

/// Decides on request `number` as `principal`. The code is checked and used up inside the
/// transaction, so a refused decision leaves the code usable and a replayed code decides
/// nothing.
#[tracing::instrument(skip_all, fields(number))]
pub async fn decide(
    pool: &PgPool,
    keys: Keys<'_>,
    principal: &Principal,
    number: i64,
    form: &DecisionForm,
    source: Option<std::net::IpAddr>,
    now: DateTime<Utc>,
) -> Result<Decided, AppError> {
    let today = today(now)?;
    let decision = form.validate(today)?;
    let signer = Signer {
        principal,
        source,
        purpose: "decision",
        target: format!("request:{number}"),
    };
    sign_off::precheck(pool, &signer, now).await?;
    let mut tx = pool.begin().await?;
    // The tool before the request, the order the kill switch takes them in: a decision racing
    // a stop waits for it instead of deadlocking with it.
    sqlx::query_scalar!(
        "SELECT t.tool_id FROM tools t JOIN tool_requests r ON r.tool_id = t.tool_id
         WHERE r.number = $1 FOR UPDATE OF t",
        number
    )
    .fetch_optional(&mut *tx)
    .await?;
    let (stored, party) = lock(&mut tx, principal, number).await?;
    state::next(
        stored.state,
        RequestAction::Decide(decision.decision),
        party,
    )
    .map_err(|refusal| refused(refusal, stored.state))?;
    let request = detail_in(&mut tx, principal, number).await?;
    if request.version != decision.version {
        return Err(AppError::Conflict {
            message: "the request changed since you read it; reload it and review it again".into(),
        });
    }
    if request.signed_by_me {
        return Err(AppError::Conflict {
            message: "you have signed this request off already; another reviewer must sign next"
                .into(),
        });
    }
    let step = sign_off::use_code(pool, &mut tx, keys.totp, &signer, &decision.code, now).await?;
    let outcome = record(
        &mut tx,
        keys.signing,
        principal,
        &stored,
        &request,
        &decision,
        step,
        source,
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(outcome)
}

/// A demo reviewer's sign-off, recorded as a real one (receipt signed, registry written) with
/// the time step of `now` marked used — the demo has no authenticator to type a code from.
pub async fn demo_sign_off(
    conn: &mut PgConnection,
    signing: &SigningKeys,
    principal: &Principal,
    number: i64,
    decision: &ValidDecision,
    now: DateTime<Utc>,
) -> Result<Decided, AppError> {
    let (stored, party) = lock(conn, principal, number).await?;
    state::next(
        stored.state,
        RequestAction::Decide(decision.decision),
        party,
    )
    .map_err(|refusal| refused(refusal, stored.state))?;
    let request = detail_in(conn, principal, number).await?;
    let step = now.timestamp() / 30;
    crate::backend::identity::auth::totp::use_step(conn, principal.user_id, step, now).await?;
    record(
        conn, signing, principal, &stored, &request, decision, step, None, now,
    )
    .await
}

/// Everything a verified decision changes, inside the caller's transaction.
#[allow(clippy::too_many_arguments)]
async fn record(
    conn: &mut PgConnection,
    signing: &SigningKeys,
    principal: &Principal,
    stored: &requests::Stored,
    request: &RequestDetail,
    decision: &ValidDecision,
    step: i64,
    source: Option<std::net::IpAddr>,
    now: DateTime<Utc>,
) -> Result<Decided, AppError> {
    if request.on_hold {
        return Err(AppError::Conflict {
            message: "this request is on hold: its tool is stopped for everyone; decide it \
                      once the tool is reinstated"
                .into(),
        });
    }
    let approving = |d: Decision| d != Decision::Reject;
    let current: Vec<_> = request.signoffs.iter().filter(|s| s.current).collect();
    let approvals =
        usize::try_from(request.approvals).unwrap_or(0) + usize::from(approving(decision.decision));
    let any_conditions = decision.decision == Decision::ApproveWithConditions
        || current
            .iter()
            .any(|s| s.decision == Decision::ApproveWithConditions);
    // A tool stopped by the kill switch is reinstated only through its reinstatement request
    // (a justification, what changed) and by two reviewers, whatever risk the request was
    // assessed at when it was submitted; one the portal suspended for an overdue review, by
    // the approvals its risk needs (the reinstatement is that review) — read from the stop's
    // signed receipt, not a column anyone with the database could change. Any other request
    // for it (filed perhaps just before the stop) may be rejected but not approved while the
    // stop is in force.
    let stop = sqlx::query!(
        r#"SELECT COALESCE(r.reinstates = s.stop_id, false) AS "reinstates!",
             s.key_id, s.payload, s.signature
           FROM tool_requests r
           JOIN tool_stops s ON s.tool_id = r.tool_id
           WHERE r.request_id = $1 AND s.lifted_at IS NULL"#,
        stored.request_id
    )
    .fetch_optional(&mut *conn)
    .await?;
    if stop.as_ref().is_some_and(|s| !s.reinstates) && approving(decision.decision) {
        return Err(AppError::Conflict {
            message: "its tool is stopped for everyone: only the tool's reinstatement \
                      request can allow it again; this one may be rejected, or decided once the \
                      tool is reinstated"
                .into(),
        });
    }
    let killed = stop.is_some_and(|s| {
        let receipt = SignedReceipt {
            algorithm: "Ed25519".to_owned(),
            key_id: s.key_id,
            payload: s.payload,
            signature: s.signature,
        };
        // A receipt that does not verify counts as the stricter kind.
        signing
            .verify_stop(&receipt)
            .map_or(true, |stop| stop.receipt_kind != AUTOMATIC_STOP_KIND)
    });
    let required = usize::try_from(request.required_approvals).unwrap_or(1);
    let required = if killed { required.max(2) } else { required };
    let to = after_decision(decision.decision, approvals, required, any_conditions);
    let updated = sqlx::query!(
        "UPDATE tool_requests SET state = $3, updated_at = $4,
           decided_at = CASE WHEN $5 THEN $4 ELSE decided_at END
         WHERE request_id = $1 AND state = $2",
        stored.request_id,
        stored.state.as_str(),
        to.as_str(),
        now,
        to.is_final()
    )
    .execute(&mut *conn)
    .await?;
    if updated.rows_affected() != 1 {
        return Err(AppError::Conflict {
            message: "the request changed meanwhile; reload it".into(),
        });
    }
    let mut body = decision.rationale.clone();
    if !decision.conditions.is_empty() {
        body = format!("{body}\n\nConditions: {}", decision.conditions);
    }
    let (kind, action) = if to.is_final() {
        ("decided", AuditAction::RequestDecided)
    } else {
        ("signed_off", AuditAction::RequestSignedOff)
    };
    let states = (stored.state != to).then_some((stored.state, to));
    event(
        conn,
        stored.request_id,
        Some(principal.user_id),
        kind,
        states,
        &body,
        now,
    )
    .await?;
    let receipt_id = Uuid::new_v4();
    let audit_event = NewEvent::new(principal.actor(), action)
        .target(format!("request:{}", stored.number))
        .source(source)
        .after(serde_json::json!({
            "decision": decision.decision,
            "receipt_id": receipt_id.to_string(),
            "request_sha256": request.version,
            "totp_step": step,
            "state": to,
        }));
    let audit_seq = audit::append(conn, audit_event, now).await?;
    let document = ReceiptDocument {
        receipt_version: RECEIPT_VERSION,
        receipt_id: receipt_id.to_string(),
        request_id: stored.request_id.to_string(),
        request_number: stored.number,
        request_sha256: request.version.clone(),
        decision: decision.decision.as_str().to_owned(),
        rationale: decision.rationale.clone(),
        conditions: decision.conditions.clone(),
        reviewer: ReceiptReviewer {
            user_id: principal.user_id.to_string(),
            email: principal.email.to_string(),
            name: principal.display_name.clone(),
        },
        totp_step: step,
        decided_at: now.to_rfc3339_opts(SecondsFormat::Secs, true),
        audit_seq,
        request_state: to.as_str().to_owned(),
    };
    let receipt = signing.sign_receipt(&document)?;
    let next_review = decision.next_review.map(date).transpose()?;
    sqlx::query!(
        "INSERT INTO request_signoffs (receipt_id, request_id, reviewer_id, decision,
           request_sha256, conditions, next_review, decided_at, key_id, payload, signature)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
        receipt_id,
        stored.request_id,
        principal.user_id,
        decision.decision.as_str(),
        request.version,
        decision.conditions,
        next_review,
        now,
        receipt.key_id,
        receipt.payload,
        receipt.signature
    )
    .execute(&mut *conn)
    .await?;
    let tool = match (to, decision.next_review) {
        (RequestState::Approved | RequestState::ApprovedWithConditions, Some(next_review)) => {
            let mut conditions: Vec<&str> = current
                .iter()
                .map(|s| s.conditions.as_str())
                .chain([decision.conditions.as_str()])
                .filter(|c| !c.is_empty())
                .collect();
            conditions.dedup();
            let change = Change {
                actor: principal.actor(),
                by: Some(principal.user_id),
                source,
                now,
                today: today(now)?,
            };
            let conditions = conditions.join("\n");
            Some(match request.kind {
                RequestKind::Tool => {
                    let grant = Grant {
                        request,
                        request_id: stored.request_id,
                        receipt: receipt_id,
                        conditions,
                        next_review,
                    };
                    approvals::grant(conn, &change, &grant).await?
                }
                RequestKind::RegistryChange => {
                    changes::apply(
                        conn,
                        &change,
                        stored.request_id,
                        receipt_id,
                        &conditions,
                        next_review,
                    )
                    .await?
                }
            })
        }
        _ => None,
    };
    let link = format!("/requests/{}", stored.number);
    let what = match (to, &tool) {
        (RequestState::Rejected, _) => format!("was rejected by {}", principal.display_name),
        (_, Some(_)) => format!(
            "was {} by {}; the registry is updated",
            to.label().to_lowercase(),
            principal.display_name
        ),
        _ => format!(
            "was signed off by {} ({approvals} of {required} approvals)",
            principal.display_name
        ),
    };
    let message = format!(
        "Request #{} for {} {what}.",
        stored.number, request.tool_name
    );
    let mut told = vec![stored.requester_id];
    if !to.is_final() {
        // The next sign-off must come from another reviewer: tell them all.
        told.extend(notifications::holders(conn, crate::domain::Role::Reviewer).await?);
    }
    notifications::notify(
        conn,
        crate::domain::notices::NoticeKind::Requests,
        &told,
        principal.user_id,
        &message,
        &link,
        now,
    )
    .await?;
    if to.is_final() {
        let event = Event {
            kind: WebhookEvent::RequestDecided,
            summary: &message,
            link: &link,
            data: serde_json::json!({
                "number": stored.number,
                "tool": request.tool_name,
                "outcome": to,
                "receipt_id": receipt_id,
                "by": principal.display_name,
            }),
        };
        webhooks::emit(conn, event, now).await?;
    }
    Ok(Decided {
        state: to,
        receipt_id,
        tool,
    })
}
