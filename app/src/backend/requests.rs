//! Tool requests: drafts, the steps of their life cycle (each one transaction with its timeline
//! event and audit event, conditional on the state it expects), what each person may see.
//!
//! Visibility: the requester, managers of the request's team, reviewers and admins. Anyone else
//! gets `NotFound` — the same as for a number that does not exist — so guessing numbers
//! reveals nothing.

use chrono::{DateTime, Utc};
use sqlx::{PgConnection, PgPool};
use uuid::Uuid;

use super::audit::{self, NewEvent};
use super::notifications;
use super::tool_editing::ids_of;
use super::users::Principal;
use crate::api::{
    DataClassRef, RequestDetail, RequestQuery, RequestSummary, SignoffView, TimelineEntry,
};
use crate::domain::request_input::ready_to_submit;
use crate::domain::request_state::{self, Decision, Party, Refusal, RequestAction, RequestState};
use crate::domain::risk::{self, RiskAssessment, RiskInput, TouchedClass};
use crate::domain::{
    Actor, AuditAction, ClassificationLevel, Distribution, RequestForm, Role, ToolCategory,
};
use crate::error::AppError;

/// What one request holds, as stored.
pub(crate) struct Stored {
    pub request_id: Uuid,
    pub number: i64,
    pub requester_id: Uuid,
    pub state: RequestState,
    is_team_manager: bool,
}

fn stored_state(state: &str) -> Result<RequestState, AppError> {
    RequestState::parse(state).map_err(|error| {
        tracing::error!(%error, "unknown request state stored");
        AppError::Internal
    })
}

/// How `principal` stands to a request; `None`: they may not see it.
pub(crate) fn party_of(
    principal: &Principal,
    requester_id: Uuid,
    is_team_manager: bool,
) -> Option<Party> {
    if principal.user_id == requester_id {
        Some(Party::Requester)
    } else if principal.roles.contains(&Role::Reviewer) {
        Some(Party::Reviewer)
    } else if principal.roles.contains(&Role::Admin) || is_team_manager {
        Some(Party::Observer)
    } else {
        None
    }
}

/// Request `number` locked for a change, with `principal`'s party; `NotFound` when they may
/// not see it.
pub(crate) async fn lock(
    conn: &mut PgConnection,
    principal: &Principal,
    number: i64,
) -> Result<(Stored, Party), AppError> {
    let row = sqlx::query!(
        r#"SELECT r.request_id, r.number, r.requester_id, r.state,
             EXISTS (SELECT 1 FROM team_members m WHERE m.team_id = r.team_id
                     AND m.user_id = $2 AND m.membership = 'manager') AS "is_team_manager!"
           FROM tool_requests r WHERE r.number = $1 FOR UPDATE OF r"#,
        number,
        principal.user_id
    )
    .fetch_optional(&mut *conn)
    .await?
    .ok_or(AppError::NotFound)?;
    let stored = Stored {
        request_id: row.request_id,
        number: row.number,
        requester_id: row.requester_id,
        state: stored_state(&row.state)?,
        is_team_manager: row.is_team_manager,
    };
    let party = party_of(principal, stored.requester_id, stored.is_team_manager)
        .ok_or(AppError::NotFound)?;
    Ok((stored, party))
}

pub(crate) fn refused(refusal: Refusal, state: RequestState) -> AppError {
    match refusal {
        Refusal::WrongParty => AppError::Forbidden,
        Refusal::Final | Refusal::WrongState => AppError::Conflict {
            message: refusal.message(state),
        },
    }
}

/// Saves a draft: a new request (`number` is `None`) or changes to one the requester may still
/// edit (a draft, or one with changes requested). Returns its number.
pub async fn save_draft(
    pool: &PgPool,
    principal: &Principal,
    number: Option<i64>,
    form: &RequestForm,
    now: DateTime<Utc>,
) -> Result<i64, AppError> {
    let mut tx = pool.begin().await?;
    let number = save_draft_in(&mut tx, principal, number, form, now).await?;
    tx.commit().await?;
    Ok(number)
}

/// [`save_draft`] inside the caller's transaction (the demo files its requests this way).
pub async fn save_draft_in(
    tx: &mut PgConnection,
    principal: &Principal,
    number: Option<i64>,
    form: &RequestForm,
    now: DateTime<Utc>,
) -> Result<i64, AppError> {
    let request = form.validate()?;
    let team = sqlx::query!(
        r#"SELECT t.team_id,
             EXISTS (SELECT 1 FROM team_members m WHERE m.team_id = t.team_id AND m.user_id = $2)
               AS "is_member!"
           FROM teams t WHERE t.slug = $1"#,
        request.team,
        principal.user_id
    )
    .fetch_optional(&mut *tx)
    .await?
    .ok_or_else(|| AppError::invalid("team", "no team has this identifier"))?;
    if !team.is_member && !principal.roles.contains(&Role::Admin) {
        return Err(AppError::invalid(
            "team",
            "you can only request tools for a team you belong to",
        ));
    }
    let tool_id = match &request.tool {
        Some(slug) => Some(
            sqlx::query_scalar!("SELECT tool_id FROM tools WHERE slug = $1", slug)
                .fetch_optional(&mut *tx)
                .await?
                .ok_or_else(|| {
                    AppError::invalid("tool", "no tool in the registry has this identifier")
                })?,
        ),
        None => None,
    };
    let class_ids = ids_of(&mut *tx, "data_classes", &request.data_classes, false).await?;
    let checksum = request
        .checksum
        .as_ref()
        .map(|c| c.as_str().to_owned())
        .unwrap_or_default();
    let users = i32::try_from(request.users).map_err(|_| AppError::invalid("users", "too many"))?;
    let (request_id, number, kind) = match number {
        None => {
            let row = sqlx::query!(
                "INSERT INTO tool_requests (requester_id, team_id, tool_id, tool_name, category,
                   distribution, created_at, updated_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $7)
                 RETURNING request_id, number",
                principal.user_id,
                team.team_id,
                tool_id,
                request.tool_name,
                request.category.as_str(),
                request.distribution.as_str(),
                now
            )
            .fetch_one(&mut *tx)
            .await?;
            (row.request_id, row.number, "created")
        }
        Some(number) => {
            let (stored, party) = lock(&mut *tx, principal, number).await?;
            request_state::next(stored.state, RequestAction::Edit, party)
                .map_err(|refusal| refused(refusal, stored.state))?;
            (stored.request_id, stored.number, "edited")
        }
    };
    sqlx::query!(
        "UPDATE tool_requests SET team_id = $2, tool_id = $3, tool_name = $4, vendor = $5,
           category = $6, website = $7, use_case = $8, justification = $9, users_count = $10,
           access_file_system = $11, access_terminal = $12, access_git = $13,
           access_internet = $14, access_production = $15, distribution = $16,
           package_name = $17, pinned_version = $18, checksum = $19,
           vendor_trains_on_data = $20, alternatives = $21, updated_at = $22
         WHERE request_id = $1",
        request_id,
        team.team_id,
        tool_id,
        request.tool_name,
        request.vendor,
        request.category.as_str(),
        request.website,
        request.use_case,
        request.justification,
        users,
        request.access.file_system,
        request.access.terminal,
        request.access.git,
        request.access.internet,
        request.access.production,
        request.distribution.as_str(),
        request.package_name,
        request.pinned_version,
        checksum,
        request.vendor_trains_on_data,
        request.alternatives,
        now
    )
    .execute(&mut *tx)
    .await?;
    sqlx::query!(
        "DELETE FROM tool_request_data_classes WHERE request_id = $1",
        request_id
    )
    .execute(&mut *tx)
    .await?;
    sqlx::query!(
        "INSERT INTO tool_request_data_classes (request_id, data_class_id)
         SELECT $1, unnest($2::uuid[])",
        request_id,
        &class_ids
    )
    .execute(&mut *tx)
    .await?;
    event(
        &mut *tx,
        request_id,
        Some(principal.user_id),
        kind,
        None,
        "",
        now,
    )
    .await?;
    Ok(number)
}

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

/// The risk of the request as stored, for submission (`ready`: it must also be complete enough
/// to submit).
async fn assess(
    conn: &mut PgConnection,
    request_id: Uuid,
    ready: bool,
) -> Result<RiskAssessment, AppError> {
    let row = sqlx::query!(
        "SELECT vendor, use_case, justification, users_count, access_file_system,
           access_terminal, access_git, access_internet, access_production, distribution,
           pinned_version, checksum, vendor_trains_on_data
         FROM tool_requests WHERE request_id = $1",
        request_id
    )
    .fetch_one(&mut *conn)
    .await?;
    let classes = sqlx::query!(
        "SELECT d.name, d.level, d.prohibited_by_default FROM tool_request_data_classes r
         JOIN data_classes d ON d.data_class_id = r.data_class_id
         WHERE r.request_id = $1 ORDER BY lower(d.name)",
        request_id
    )
    .fetch_all(&mut *conn)
    .await?;
    if ready {
        ready_to_submit(
            &row.vendor,
            &row.use_case,
            &row.justification,
            classes.len(),
        )?;
    }
    let data_classes = classes
        .into_iter()
        .map(|c| {
            Ok(TouchedClass {
                name: c.name,
                level: ClassificationLevel::parse(&c.level).map_err(|_| AppError::Internal)?,
                prohibited_by_default: c.prohibited_by_default,
            })
        })
        .collect::<Result<Vec<_>, AppError>>()?;
    Ok(risk::assess(&RiskInput {
        data_classes,
        access: risk::AccessNeeds {
            file_system: row.access_file_system,
            terminal: row.access_terminal,
            git: row.access_git,
            internet: row.access_internet,
            production: row.access_production,
        },
        distribution: Distribution::parse(&row.distribution).map_err(|_| AppError::Internal)?,
        pinned_version: !row.pinned_version.is_empty(),
        checksum: !row.checksum.is_empty(),
        vendor_trains_on_data: row.vendor_trains_on_data,
        users: u32::try_from(row.users_count).unwrap_or(1),
    }))
}

/// Assesses the request's risk and stores it with the number of approvals it needs.
async fn store_risk(
    conn: &mut PgConnection,
    request_id: Uuid,
    ready: bool,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    let assessment = assess(conn, request_id, ready).await?;
    let risk = serde_json::to_value(&assessment).map_err(|_| AppError::Internal)?;
    let required = i16::try_from(assessment.required_approvals).unwrap_or(2);
    sqlx::query!(
        "UPDATE tool_requests SET risk = $2, required_approvals = $3,
           submitted_at = COALESCE(submitted_at, $4)
         WHERE request_id = $1",
        request_id,
        risk,
        required,
        now
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
    let to = request_state::next(stored.state, action, party)
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
            notifications::reviewers(conn).await?,
            format!("{subject} is waiting for review."),
        ),
        RequestAction::Resubmit => (
            // The reviewer who asked for the changes, or every reviewer when nobody took it.
            if assignee.is_empty() {
                notifications::reviewers(conn).await?
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
        &recipients,
        principal.user_id,
        &message,
        &link,
        row.updated_at,
    )
    .await
}

fn shown(at: DateTime<Utc>) -> String {
    at.format("%Y-%m-%d %H:%M UTC").to_string()
}

/// Request `number` for `principal`; `NotFound` when it does not exist or they may not see it.
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
        r#"SELECT r.request_id, r.number, r.state, r.requester_id,
             u.display_name AS requester, t.slug AS team_slug, t.name AS team_name,
             tool.slug AS "tool?", r.tool_name, r.vendor, r.category, r.website, r.use_case,
             r.justification, r.users_count, r.access_file_system, r.access_terminal,
             r.access_git, r.access_internet, r.access_production, r.distribution,
             r.package_name, r.pinned_version, r.checksum, r.vendor_trains_on_data,
             r.alternatives, a.display_name AS "assignee?", r.assignee_id, r.risk,
             r.required_approvals,
             r.created_at, r.re_review,
             (SELECT g.slug FROM tools g WHERE g.tool_id = r.granted_tool_id) AS "granted_tool?",
             EXISTS (SELECT 1 FROM team_members m WHERE m.team_id = r.team_id
                     AND m.user_id = $2 AND m.membership = 'manager') AS "is_team_manager!"
           FROM tool_requests r
           JOIN users u ON u.user_id = r.requester_id
           JOIN teams t ON t.team_id = r.team_id
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
        party_of(principal, row.requester_id, row.is_team_manager).ok_or(AppError::NotFound)?;
    let data_classes = sqlx::query!(
        "SELECT d.slug, d.name FROM tool_request_data_classes r
         JOIN data_classes d ON d.data_class_id = r.data_class_id
         WHERE r.request_id = $1 ORDER BY lower(d.name)",
        row.request_id
    )
    .fetch_all(&mut *conn)
    .await?
    .into_iter()
    .map(|c| DataClassRef {
        slug: c.slug,
        name: c.name,
    })
    .collect();
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
        at: shown(e.at),
        actor: e.actor.unwrap_or_else(|| "the portal".into()),
        kind: e.kind,
        from_state: e.from_state,
        to_state: e.to_state,
        body: e.body,
    })
    .collect();
    let access = [
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
    let signoffs = sqlx::query!(
        r#"SELECT s.receipt_id, u.display_name AS reviewer, s.reviewer_id, s.decision,
             s.decided_at, s.conditions, s.request_sha256
           FROM request_signoffs s JOIN users u ON u.user_id = s.reviewer_id
           WHERE s.request_id = $1 ORDER BY s.decided_at"#,
        row.request_id
    )
    .fetch_all(&mut *conn)
    .await?;
    let mut detail = RequestDetail {
        request_id: row.request_id.to_string(),
        number: row.number,
        state: stored_state(&row.state)?,
        party,
        requester: row.requester,
        team_slug: row.team_slug,
        team_name: row.team_name,
        tool: row.tool,
        tool_name: row.tool_name,
        vendor: row.vendor,
        category: ToolCategory::parse(&row.category).map_err(|_| AppError::Internal)?,
        website: row.website,
        use_case: row.use_case,
        justification: row.justification,
        users: row.users_count,
        access,
        data_classes,
        distribution: Distribution::parse(&row.distribution).map_err(|_| AppError::Internal)?,
        package_name: row.package_name,
        pinned_version: row.pinned_version,
        checksum: row.checksum,
        vendor_trains_on_data: row.vendor_trains_on_data,
        alternatives: row.alternatives,
        assignee: row.assignee,
        assigned_to_me: row.assignee_id == Some(principal.user_id),
        risk: row.risk.and_then(|risk| serde_json::from_value(risk).ok()),
        required_approvals: row.required_approvals,
        created_at: shown(row.created_at),
        re_review: row.re_review,
        granted_tool: row.granted_tool,
        timeline,
        version: String::new(),
        signoffs: Vec::new(),
        approvals: 0,
        signed_by_me: false,
    };
    detail.version = fingerprint(&detail)?;
    for signoff in signoffs {
        let current = signoff.request_sha256 == detail.version;
        let decision = Decision::parse(&signoff.decision).map_err(|_| AppError::Internal)?;
        if current && decision != Decision::Reject {
            detail.approvals += 1;
        }
        detail.signed_by_me |= current && signoff.reviewer_id == principal.user_id;
        detail.signoffs.push(SignoffView {
            receipt_id: signoff.receipt_id.to_string(),
            reviewer: signoff.reviewer,
            decision,
            decided_at: shown(signoff.decided_at),
            conditions: signoff.conditions,
            current,
        });
    }
    Ok(detail)
}

/// SHA-256 (hex) of the canonical JSON of what is asked — everything a reviewer judges, nothing
/// that changes while they do (state, assignee, timeline). A decision signs this.
pub fn fingerprint(request: &RequestDetail) -> Result<String, AppError> {
    use sha2::{Digest, Sha256};
    let mut access = request.access.clone();
    access.sort();
    let mut classes: Vec<&str> = request
        .data_classes
        .iter()
        .map(|c| c.slug.as_str())
        .collect();
    classes.sort_unstable();
    let asked = serde_json::json!({
        "request_id": request.request_id,
        "number": request.number,
        "team": request.team_slug,
        "tool": request.tool,
        "tool_name": request.tool_name,
        "vendor": request.vendor,
        "category": request.category,
        "website": request.website,
        "use_case": request.use_case,
        "justification": request.justification,
        "users": request.users,
        "access": access,
        "data_classes": classes,
        "distribution": request.distribution,
        "package_name": request.package_name,
        "pinned_version": request.pinned_version,
        "checksum": request.checksum,
        "vendor_trains_on_data": request.vendor_trains_on_data,
        "alternatives": request.alternatives,
    });
    let canonical = crate::domain::canonical::to_canonical(&asked).map_err(|error| {
        tracing::error!(error = %error.0, "a request has no canonical form");
        AppError::Internal
    })?;
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
        "queue"
            if principal.roles.contains(&Role::Reviewer)
                || principal.roles.contains(&Role::Admin) =>
        {
            "queue"
        }
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
            crate::api::AGE_FILTERS
                .iter()
                .find(|(days, _)| *days == age)
                .and_then(|(days, _)| days.parse::<i32>().ok())
                .ok_or_else(|| AppError::invalid("age", "must be 1, 3, 7 or 30 (days)"))?,
        ),
    };
    let rows = sqlx::query!(
        r#"SELECT r.number, r.tool_name, t.name AS team_name, u.display_name AS requester,
             r.state, r.risk->>'level' AS "risk_level?", a.display_name AS "assignee?",
             COALESCE(r.submitted_at, r.created_at) AS "since!"
           FROM tool_requests r
           JOIN teams t ON t.team_id = r.team_id
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
    rows.into_iter()
        .map(|row| {
            Ok(RequestSummary {
                number: row.number,
                tool_name: row.tool_name,
                team_name: row.team_name,
                requester: row.requester,
                state: stored_state(&row.state)?,
                risk_level: row.risk_level,
                assignee: row.assignee,
                age_days: (now - row.since).num_days(),
            })
        })
        .collect()
}
