//! Reading requests: one request as its reader may see it, and the lists.

use chrono::{DateTime, Utc};
use sqlx::types::Json;
use sqlx::{PgConnection, PgPool};

use super::access::party_of;
use super::changes;
use crate::backend::identity::users::Principal;
use crate::domain::requests::asked::AskedRequest;
use crate::domain::requests::review_target;
use crate::domain::requests::risk::{self, RiskAssessment};
use crate::domain::requests::state::{Decision, RequestKind, RequestState};
use crate::domain::{Distribution, Permission, ToolCategory};
use crate::error::{AppError, OrInternal};
use crate::model::{
    DataClassRef, RequestDetail, RequestQuery, RequestSummary, SignoffView, TimelineEntry,
    AGE_FILTERS,
};

/// Request `number` for `principal`; `NotFound` when it does not exist, `Hidden` when they may
/// not see it.
pub async fn detail(
    pool: &PgPool,
    principal: &Principal,
    number: i64,
) -> Result<RequestDetail, AppError> {
    detail_in(&mut *pool.acquire().await?, principal, number).await
}

/// [`detail`] inside the caller's transaction (a decision reads what it signs there).
pub async fn detail_in(
    conn: &mut PgConnection,
    principal: &Principal,
    number: i64,
) -> Result<RequestDetail, AppError> {
    let row = sqlx::query!(
        r#"SELECT r.request_id, r.number, r.state AS "state: RequestState", r.requester_id,
             r.kind AS "kind: RequestKind",
             u.display_name AS requester, t.slug AS "team_slug?", t.name AS "team_name?",
             tool.slug AS "tool?", r.tool_name, r.vendor, r.category AS "category: ToolCategory",
             r.website, r.use_case, r.justification, r.users_count, r.access_file_system,
             r.access_terminal, r.access_git, r.access_internet, r.access_production,
             r.distribution AS "distribution: Distribution",
             r.package_name, r.pinned_version, r.checksum, r.vendor_trains_on_data,
             r.alternatives, a.display_name AS "assignee?", r.assignee_id,
             r.risk AS "risk: Json<RiskAssessment>", r.required_approvals,
             r.created_at, r.re_review, r.held_by IS NOT NULL AS "on_hold!",
             (SELECT g.slug FROM tools g WHERE g.tool_id = r.granted_tool_id) AS "granted_tool?",
             EXISTS (SELECT 1 FROM team_members m WHERE m.team_id = r.team_id
                     AND m.user_id = $2 AND m.membership = 'manager') AS "is_team_manager!"
           FROM tool_requests r
           JOIN users u ON u.user_id = r.requester_id
           LEFT JOIN teams t ON t.team_id = r.team_id
           LEFT JOIN tools tool ON tool.tool_id = r.tool_id
           LEFT JOIN users a ON a.user_id = r.assignee_id
           WHERE r.number = $1"#,
        number,
        principal.user_id
    )
    .fetch_optional(&mut *conn)
    .await?
    .ok_or(AppError::NotFound)?;
    let party =
        party_of(principal, row.requester_id, row.is_team_manager).ok_or(AppError::Hidden)?;
    let data_classes: Vec<DataClassRef> = sqlx::query_as!(
        DataClassRef,
        "SELECT d.slug, d.name FROM tool_request_data_classes r
         JOIN data_classes d ON d.data_class_id = r.data_class_id
         WHERE r.request_id = $1 ORDER BY lower(d.name)",
        row.request_id
    )
    .fetch_all(&mut *conn)
    .await?;
    let timeline = sqlx::query!(
        r#"SELECT e.at, u.display_name AS "actor?", e.kind, e.from_state, e.to_state, e.body
           FROM tool_request_events e LEFT JOIN users u ON u.user_id = e.actor_id
           WHERE e.request_id = $1 ORDER BY e.event_id"#,
        row.request_id
    )
    .fetch_all(&mut *conn)
    .await?
    .into_iter()
    .map(|e| TimelineEntry {
        at: e.at,
        actor: e.actor.unwrap_or_else(|| "the portal".into()),
        kind: e.kind,
        from_state: e.from_state,
        to_state: e.to_state,
        body: e.body,
    })
    .collect();
    let access: Vec<String> = [
        ("file_system", row.access_file_system),
        ("terminal", row.access_terminal),
        ("git", row.access_git),
        ("internet", row.access_internet),
        ("production", row.access_production),
    ]
    .into_iter()
    .filter(|(_, on)| *on)
    .map(|(key, _)| key.to_owned())
    .collect();
    let proposal = match row.kind {
        RequestKind::Tool => None,
        RequestKind::RegistryChange => Some(changes::proposal(&mut *conn, row.request_id).await?),
    };
    let team_slug = row.team_slug.unwrap_or_default();
    let asked = AskedRequest {
        request_id: row.request_id.to_string(),
        number: row.number,
        team: team_slug.clone(),
        tool: row.tool.clone(),
        tool_name: row.tool_name.clone(),
        vendor: row.vendor.clone(),
        category: row.category,
        website: row.website.clone(),
        use_case: row.use_case.clone(),
        justification: row.justification.clone(),
        users: row.users_count,
        access: access.clone(),
        data_classes: data_classes.iter().map(|c| c.slug.clone()).collect(),
        distribution: row.distribution,
        package_name: row.package_name.clone(),
        pinned_version: row.pinned_version.clone(),
        checksum: row.checksum.clone(),
        vendor_trains_on_data: row.vendor_trains_on_data,
        alternatives: row.alternatives.clone(),
        proposal: proposal
            .as_ref()
            .map(|p| serde_json::to_value(&p.form))
            .transpose()
            .or_internal("serializing a proposed tool")?,
    };
    let version = fingerprint(&asked)?;
    let signoffs = sqlx::query!(
        r#"SELECT s.receipt_id, u.display_name AS reviewer, s.reviewer_id,
             s.decision AS "decision: Decision", s.decided_at, s.conditions, s.request_sha256
           FROM request_signoffs s JOIN users u ON u.user_id = s.reviewer_id
           WHERE s.request_id = $1 ORDER BY s.decided_at"#,
        row.request_id
    )
    .fetch_all(&mut *conn)
    .await?;
    let mut approvals = 0;
    let mut signed_by_me = false;
    let signoffs = signoffs
        .into_iter()
        .map(|signoff| {
            let current = signoff.request_sha256 == version;
            if current && signoff.decision != Decision::Reject {
                approvals += 1;
            }
            signed_by_me |= current && signoff.reviewer_id == principal.user_id;
            SignoffView {
                receipt_id: signoff.receipt_id.to_string(),
                reviewer: signoff.reviewer,
                decision: signoff.decision,
                decided_at: signoff.decided_at,
                conditions: signoff.conditions,
                current,
            }
        })
        .collect();
    Ok(RequestDetail {
        request_id: row.request_id.to_string(),
        number: row.number,
        kind: row.kind,
        state: row.state,
        party,
        requester: row.requester,
        team_slug,
        team_name: row.team_name.unwrap_or_default(),
        tool: row.tool,
        tool_name: row.tool_name,
        vendor: row.vendor,
        category: row.category,
        website: row.website,
        use_case: row.use_case,
        justification: row.justification,
        users: row.users_count,
        access,
        data_classes,
        distribution: row.distribution,
        package_name: row.package_name,
        pinned_version: row.pinned_version,
        checksum: row.checksum,
        vendor_trains_on_data: row.vendor_trains_on_data,
        alternatives: row.alternatives,
        assignee: row.assignee,
        assigned_to_me: row.assignee_id == Some(principal.user_id),
        risk: row.risk.map(|risk| risk.0),
        required_approvals: row.required_approvals,
        created_at: row.created_at,
        re_review: row.re_review,
        on_hold: row.on_hold,
        granted_tool: row.granted_tool,
        changes: match &proposal {
            Some(proposal) => proposal.changes()?,
            None => vec![],
        },
        timeline,
        version,
        signoffs,
        approvals,
        signed_by_me,
    })
}

/// SHA-256 (hex) of the canonical JSON of what is asked: what a decision signs.
pub fn fingerprint(asked: &AskedRequest) -> Result<String, AppError> {
    use sha2::{Digest, Sha256};
    let canonical = asked
        .canonical()
        .or_internal("the canonical form of a request")?;
    Ok(Sha256::digest(canonical.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect())
}

/// The requests `principal` asked for, oldest first in the queue, newest first otherwise.
pub async fn list(
    pool: &PgPool,
    principal: &Principal,
    query: &RequestQuery,
    now: DateTime<Utc>,
) -> Result<Vec<RequestSummary>, AppError> {
    let scope = match query.scope.as_str() {
        "" | "mine" => "mine",
        "queue" if principal.may(Permission::ViewReviewQueue) => "queue",
        "queue" => return Err(AppError::Forbidden),
        "teams" => "teams",
        _ => return Err(AppError::invalid("scope", "must be mine, queue or teams")),
    };
    let state = match query.state.trim() {
        "" => None,
        state => Some(
            RequestState::parse(state)
                .map_err(|m| AppError::invalid("state", m))?
                .as_str(),
        ),
    };
    let risk = match query.risk.trim() {
        "" => None,
        risk => Some(
            risk::RiskLevel::parse(risk)
                .map_err(|m| AppError::invalid("risk", m))?
                .as_str(),
        ),
    };
    let team = Some(query.team.trim()).filter(|t| !t.is_empty());
    let age = match query.age.trim() {
        "" => None,
        age => Some(
            AGE_FILTERS
                .iter()
                .find(|(days, _)| *days == age)
                .and_then(|(days, _)| days.parse::<i32>().ok())
                .ok_or_else(|| AppError::invalid("age", "must be 1, 3, 7 or 30 (days)"))?,
        ),
    };
    let rows = sqlx::query!(
        r#"SELECT r.number, r.tool_name, t.name AS "team_name?", u.display_name AS requester,
             r.state AS "state: RequestState", r.risk->>'level' AS "risk_level?", a.display_name AS "assignee?",
             COALESCE(r.submitted_at, r.created_at) AS "since!"
           FROM tool_requests r
           LEFT JOIN teams t ON t.team_id = r.team_id
           JOIN users u ON u.user_id = r.requester_id
           LEFT JOIN users a ON a.user_id = r.assignee_id
           WHERE CASE $1::text
                   WHEN 'mine' THEN r.requester_id = $2
                   WHEN 'queue' THEN r.state IN ('submitted', 'in_review', 'changes_requested')
                   ELSE EXISTS (SELECT 1 FROM team_members m WHERE m.team_id = r.team_id
                                AND m.user_id = $2 AND m.membership = 'manager')
                 END
             AND ($3::text IS NULL OR r.state = $3)
             AND ($4::text IS NULL OR r.risk->>'level' = $4)
             AND ($5::text IS NULL OR t.slug = $5)
             AND (NOT $6 OR r.assignee_id = $2)
             AND ($7::int IS NULL
                  OR COALESCE(r.submitted_at, r.created_at) <= $8::timestamptz - make_interval(days => $7))
           ORDER BY CASE WHEN $1 = 'queue' THEN COALESCE(r.submitted_at, r.created_at) END ASC,
                    r.number DESC
           LIMIT 200"#,
        scope,
        principal.user_id,
        state,
        risk,
        team,
        query.assigned_to_me,
        age,
        now
    )
    .fetch_all(pool)
    .await?;
    let target = crate::backend::org::settings::review_target_days(pool).await?;
    let today = now.date_naive();
    rows.into_iter()
        .map(|row| {
            let waiting = matches!(row.state, RequestState::Submitted | RequestState::InReview);
            Ok(RequestSummary {
                late: waiting && review_target::late(row.since.date_naive(), today, target),
                number: row.number,
                tool_name: row.tool_name,
                team_name: row
                    .team_name
                    .unwrap_or_else(|| "Registry change".to_owned()),
                requester: row.requester,
                state: row.state,
                risk_level: row.risk_level,
                assignee: row.assignee,
                age_days: (now - row.since).num_days(),
            })
        })
        .collect()
}
