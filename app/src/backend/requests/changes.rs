//! Registry change requests: a reviewer's edit that widens what a tool allows, filed as a
//! request of its own kind and decided like a tool request — the same risk rules, a fresh code
//! at each sign-off, never by the reviewer who proposed it, a signed receipt — with the
//! proposed entry written into the registry in the final decision's transaction.

use chrono::{DateTime, Utc};
use serde_json::Value;
use sqlx::PgConnection;
use uuid::Uuid;

use super::lifecycle::event;
use super::risk::store_risk;
use crate::backend::audit::{self, NewEvent};
use crate::backend::identity::users::Principal;
use crate::backend::notifications;
use crate::backend::platform::change::Change;
use crate::backend::platform::lookups::{ids_of, Named};
use crate::backend::registry::approvals;
use crate::backend::registry::editing::{as_valid, snapshot};
use crate::backend::registry::tools::detail_in;
use crate::domain::requests::state::RequestState;
use crate::domain::{
    field_changes, AuditAction, Day, FieldChange, Role, ToolForm, ToolStatus, ValidTool,
};
use crate::error::{AppError, OrInternal};

/// A registry change as proposed.
pub struct NewProposal<'a> {
    /// The entry as it is (`None`: a new tool).
    pub before: Option<&'a ValidTool>,
    /// The proposed entry, and the form it came from.
    pub form: &'a ToolForm,
    pub tool: &'a ValidTool,
    /// What the change widens, in words.
    pub widened: &'a [String],
    /// A reinstatement after the kill switch: the stop it ends and its use case (justification
    /// and the facts that changed).
    pub reinstates: Option<(Uuid, String)>,
}

/// Files `proposal` as a registry change request of `proposer`, in review at once. Returns its
/// number.
pub async fn propose(
    conn: &mut PgConnection,
    proposer: &Principal,
    proposal: &NewProposal<'_>,
    now: DateTime<Utc>,
) -> Result<i64, AppError> {
    let NewProposal {
        before,
        form,
        tool,
        widened,
        ..
    } = *proposal;
    let tool_id = match before {
        Some(before) => Some(
            sqlx::query_scalar!(
                "SELECT tool_id FROM tools WHERE slug = $1",
                before.slug.as_str()
            )
            .fetch_one(&mut *conn)
            .await?,
        ),
        None => None,
    };
    let proposed = serde_json::to_value(form).or_internal("serializing a proposed tool")?;
    let what = widened.join("; ");
    let (reinstates, use_case) = match &proposal.reinstates {
        Some((stop_id, use_case)) => (Some(*stop_id), use_case.clone()),
        None => (None, format!("Registry change to {}: {what}.", tool.name)),
    };
    let row =
        sqlx::query!(
        "INSERT INTO tool_requests (requester_id, team_id, tool_id, tool_name, vendor, category,
           website, use_case, distribution, package_name, pinned_version, checksum,
           vendor_trains_on_data, state, kind, proposal, proposal_before, created_at,
           updated_at, submitted_at, reinstates)
         VALUES ($1, NULL, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, 'submitted',
           'registry_change', $13, $14, $15, $15, $15, $16)
         RETURNING request_id, number",
        proposer.user_id,
        tool_id,
        tool.name,
        tool.vendor,
        tool.category.as_str(),
        tool.website,
        use_case,
        tool.distribution.as_str(),
        tool.package_name,
        tool.pinned_version,
        tool.checksum.as_ref().map(|c| c.as_str()).unwrap_or_default(),
        tool.vendor_trains_on_data,
        proposed,
        before.map(snapshot),
        now,
        reinstates
    )
        .fetch_one(&mut *conn)
        .await?;
    let class_ids = ids_of(
        &mut *conn,
        "data_classes",
        &tool.data_classes,
        Named::DataClasses,
    )
    .await?;
    sqlx::query!(
        "INSERT INTO tool_request_data_classes (request_id, data_class_id)
         SELECT $1, unnest($2::uuid[])",
        row.request_id,
        &class_ids
    )
    .execute(&mut *conn)
    .await?;
    store_risk(&mut *conn, row.request_id, false, now).await?;
    let states = Some((RequestState::Draft, RequestState::Submitted));
    event(
        &mut *conn,
        row.request_id,
        Some(proposer.user_id),
        "submitted",
        states,
        &format!("Proposed registry change: {what}."),
        now,
    )
    .await?;
    let audit_event = NewEvent::new(proposer.actor(), AuditAction::RegistryChangeProposed)
        .target(format!("request:{}", row.number))
        .after(serde_json::json!({
            "tool": tool.slug.as_str(),
            "widens": widened,
            "reinstates_stop": reinstates.map(|id| id.to_string()),
        }));
    audit::append(&mut *conn, audit_event, now).await?;
    let reviewers = notifications::holders(&mut *conn, Role::Reviewer).await?;
    notifications::notify(
        &mut *conn,
        crate::domain::notices::NoticeKind::Requests,
        &reviewers,
        proposer.user_id,
        &format!(
            "Registry change #{} to {} is waiting for review: {what}.",
            row.number, tool.name
        ),
        &format!("/requests/{}", row.number),
        now,
    )
    .await?;
    Ok(row.number)
}

/// What a registry change request proposes, read back for its page and its decision.
pub struct Proposal {
    pub form: ToolForm,
    /// The entry as it was when proposed (`None`: a new tool).
    pub before: Option<Value>,
    /// The tool it changes, if it exists.
    pub tool_slug: Option<String>,
}

impl Proposal {
    /// The proposed entry, checked by the same rules as any edit.
    pub fn tool(&self) -> Result<ValidTool, AppError> {
        self.form.validate().map_err(|error| AppError::Conflict {
            message: format!(
                "The proposed entry no longer passes the rules ({error}): file it again."
            ),
        })
    }

    /// Field by field, what the change makes of the entry.
    pub fn changes(&self) -> Result<Vec<FieldChange>, AppError> {
        Ok(field_changes(
            self.before.as_ref(),
            &snapshot(&self.tool()?),
        ))
    }
}

pub async fn proposal(conn: &mut PgConnection, request_id: Uuid) -> Result<Proposal, AppError> {
    let row = sqlx::query!(
        r#"SELECT r.proposal AS "proposal!", r.proposal_before,
             (SELECT t.slug FROM tools t WHERE t.tool_id = r.tool_id) AS tool_slug
           FROM tool_requests r WHERE r.request_id = $1 AND r.kind = 'registry_change'"#,
        request_id
    )
    .fetch_one(&mut *conn)
    .await?;
    Ok(Proposal {
        form: serde_json::from_value(row.proposal).or_internal("reading a proposed tool")?,
        before: row.proposal_before,
        tool_slug: row.tool_slug,
    })
}

/// Writes an approved change into the registry under `receipt`: the proposed entry, with the
/// approving reviewers' conditions added and the decision's next review when the proposal set
/// none. Returns the tool's identifier. `Conflict` when the tool changed after the proposal
/// (a suspension, say): writing the proposal would silently undo that change.
pub async fn apply(
    conn: &mut PgConnection,
    change: &Change,
    request_id: Uuid,
    receipt: Uuid,
    conditions: &str,
    next_review: Day,
) -> Result<String, AppError> {
    let proposal = proposal(&mut *conn, request_id).await?;
    if let Some(slug) = proposal.tool_slug.as_deref() {
        sqlx::query_scalar!("SELECT tool_id FROM tools WHERE slug = $1 FOR UPDATE", slug)
            .fetch_one(&mut *conn)
            .await?;
        let now = snapshot(&as_valid(&detail_in(&mut *conn, slug).await?)?);
        if proposal.before.as_ref() != Some(&now) {
            return Err(AppError::Conflict {
                message: "The tool was changed after this change was proposed, and approving \
                          it would undo that change. Reject it and propose it again from the \
                          tool as it is now."
                    .into(),
            });
        }
    }
    let mut tool = proposal.tool()?;
    if !conditions.is_empty() {
        tool.conditions = [tool.conditions.trim(), conditions]
            .into_iter()
            .filter(|c| !c.is_empty())
            .collect::<Vec<_>>()
            .join("\n");
        if tool.status == ToolStatus::Approved {
            tool.status = ToolStatus::ApprovedWithConditions;
        }
    }
    tool.next_review = tool.next_review.or(Some(next_review));
    approvals::write_approved(
        conn,
        change,
        proposal.tool_slug.as_deref(),
        tool,
        request_id,
        receipt,
    )
    .await
}
