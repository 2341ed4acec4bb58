//! Reading incidents: the list a person may see, one incident in full, and what the report
//! form offers.

use chrono::{DateTime, Utc};
use sqlx::PgPool;

use crate::backend::identity::users::Principal;
use crate::backend::platform::change::day;
use crate::backend::registry::data_classes;
use crate::backend::{org::teams, registry::tools};
use crate::domain::incidents::{IncidentKind, IncidentStatus, Severity};
use crate::domain::registry::policy::TeamRef;
use crate::domain::Permission;
use crate::error::AppError;
use crate::model::{
    DataClassRef, FollowUp, IncidentDetail, IncidentEvent, IncidentQuery, IncidentReportForm,
    IncidentSummary, LinkedRequest, PersonRef,
};

/// How many incidents a list shows.
const SHOWN: i64 = 200;

/// The incidents `principal` may see, newest first, filtered by `query`.
pub async fn list(
    pool: &PgPool,
    principal: &Principal,
    query: &IncidentQuery,
) -> Result<Vec<IncidentSummary>, AppError> {
    let (status, open_only) = match query.status.trim() {
        "" => (None, false),
        "open" => (None, true),
        status => (
            Some(
                IncidentStatus::parse(status)
                    .map_err(|m| AppError::invalid("status", format!("{m}, or open")))?
                    .as_str(),
            ),
            false,
        ),
    };
    let tool = Some(query.tool.trim()).filter(|t| !t.is_empty());
    let rows = sqlx::query!(
        r#"SELECT i.number, i.title, i.kind AS "kind: IncidentKind",
             i.severity AS "severity?: Severity", i.status AS "status: IncidentStatus",
             r.display_name AS reporter, o.display_name AS "owner?", i.reported_at,
             ARRAY(SELECT t.name FROM incident_tools it JOIN tools t ON t.tool_id = it.tool_id
                   WHERE it.incident_id = i.incident_id ORDER BY lower(t.name))
               AS "tools!: Vec<String>"
           FROM incidents i
           JOIN users r ON r.user_id = i.reporter_id
           LEFT JOIN users o ON o.user_id = i.owner_id
           WHERE ($1 OR i.reporter_id = $2 OR i.owner_id = $2
                  OR EXISTS (SELECT 1 FROM incident_teams it
                             JOIN team_members m ON m.team_id = it.team_id
                             WHERE it.incident_id = i.incident_id AND m.user_id = $2
                               AND m.membership = 'manager'))
             AND ($3::text IS NULL OR i.status = $3)
             AND (NOT $4 OR i.status IN ('reported', 'triaged', 'contained'))
             AND ($5::text IS NULL OR EXISTS (
                   SELECT 1 FROM incident_tools it JOIN tools t ON t.tool_id = it.tool_id
                   WHERE it.incident_id = i.incident_id AND t.slug = $5))
           ORDER BY i.number DESC
           LIMIT $6"#,
        principal.may(Permission::ManageIncidents),
        principal.user_id,
        status,
        open_only,
        tool,
        SHOWN
    )
    .fetch_all(pool)
    .await?;
    Ok(rows
        .into_iter()
        .map(|row| IncidentSummary {
            number: row.number,
            title: row.title,
            kind: row.kind,
            severity: row.severity,
            status: row.status,
            reporter: row.reporter,
            owner: row.owner,
            tools: row.tools,
            reported_at: row.reported_at,
        })
        .collect())
}

/// Incident `number` in full; `Hidden` when `principal` may not see it.
pub async fn detail(
    pool: &PgPool,
    principal: &Principal,
    number: i64,
    now: DateTime<Utc>,
) -> Result<IncidentDetail, AppError> {
    let may_triage = principal.may(Permission::ManageIncidents);
    let row = sqlx::query!(
        r#"SELECT i.incident_id, i.number, i.title, i.kind AS "kind: IncidentKind", i.description,
             i.occurred_at, i.reported_at, i.updated_at, i.reporter_id, i.owner_id,
             r.display_name AS reporter, o.display_name AS "owner_name?",
             i.severity AS "severity?: Severity", i.status AS "status: IncidentStatus",
             i.dismissed_reason, i.review_summary, i.root_cause, i.playbook_version,
             EXISTS (SELECT 1 FROM incident_teams it
                     JOIN team_members m ON m.team_id = it.team_id
                     WHERE it.incident_id = i.incident_id AND m.user_id = $2
                       AND m.membership = 'manager') AS "manages_team!"
           FROM incidents i
           JOIN users r ON r.user_id = i.reporter_id
           LEFT JOIN users o ON o.user_id = i.owner_id
           WHERE i.number = $1"#,
        number,
        principal.user_id
    )
    .fetch_optional(pool)
    .await?
    .ok_or(AppError::NotFound)?;
    if !super::sees(principal, row.reporter_id, row.owner_id, row.manages_team) {
        return Err(AppError::Hidden);
    }
    let id = row.incident_id;
    let tools = sqlx::query_as!(
        TeamRef,
        "SELECT t.slug, t.name FROM incident_tools it JOIN tools t ON t.tool_id = it.tool_id
         WHERE it.incident_id = $1 ORDER BY lower(t.name)",
        id
    )
    .fetch_all(pool)
    .await?;
    let data_classes = sqlx::query_as!(
        DataClassRef,
        "SELECT d.slug, d.name FROM incident_data_classes ic
         JOIN data_classes d ON d.data_class_id = ic.data_class_id
         WHERE ic.incident_id = $1 ORDER BY lower(d.name)",
        id
    )
    .fetch_all(pool)
    .await?;
    let teams = sqlx::query_as!(
        TeamRef,
        "SELECT t.slug, t.name FROM incident_teams it JOIN teams t ON t.team_id = it.team_id
         WHERE it.incident_id = $1 ORDER BY lower(t.name)",
        id
    )
    .fetch_all(pool)
    .await?;
    let requests = sqlx::query_as!(
        LinkedRequest,
        "SELECT r.number, r.tool_name FROM incident_requests ir
         JOIN tool_requests r ON r.request_id = ir.request_id
         WHERE ir.incident_id = $1 ORDER BY r.number",
        id
    )
    .fetch_all(pool)
    .await?;
    let timeline = sqlx::query!(
        r#"SELECT e.at, u.display_name AS "actor?", e.kind,
             e.from_status AS "from_status?: IncidentStatus",
             e.to_status AS "to_status?: IncidentStatus", e.body
           FROM incident_events e LEFT JOIN users u ON u.user_id = e.actor_id
           WHERE e.incident_id = $1 ORDER BY e.event_id"#,
        id
    )
    .fetch_all(pool)
    .await?
    .into_iter()
    .map(|e| IncidentEvent {
        at: e.at,
        actor: e.actor.unwrap_or_default(),
        kind: e.kind,
        from_status: e.from_status,
        to_status: e.to_status,
        body: e.body,
    })
    .collect();
    let today = now.date_naive();
    let follow_ups = sqlx::query_as!(
        FollowUpRow,
        "SELECT a.action_id, a.what, a.owner_id, u.display_name, a.due_on, a.done_at
         FROM incident_actions a JOIN users u ON u.user_id = a.owner_id
         WHERE a.incident_id = $1 ORDER BY a.due_on, a.created_at",
        id
    )
    .fetch_all(pool)
    .await?
    .into_iter()
    .map(|row| row.follow_up(today))
    .collect::<Result<Vec<_>, AppError>>()?;
    let owners = if may_triage {
        owners(pool).await?
    } else {
        vec![]
    };
    let stoppable = if principal.may(Permission::DecideRequests) && !row.status.is_final() {
        sqlx::query_as!(
            TeamRef,
            "SELECT t.slug, t.name FROM incident_tools it JOIN tools t ON t.tool_id = it.tool_id
             WHERE it.incident_id = $1 AND t.status IN ('approved', 'approved_with_conditions')
             ORDER BY lower(t.name)",
            id
        )
        .fetch_all(pool)
        .await?
    } else {
        vec![]
    };
    let mut stops = super::banners::tallies(pool, id).await?;
    if !may_triage {
        // Who has not read the banner yet is for those who chase it: others see the counts.
        for team in stops.iter_mut().flat_map(|stop| stop.teams.iter_mut()) {
            team.waiting.clear();
        }
    }
    let (steps, channels) = super::playbooks::checklist(pool, id).await?;
    Ok(IncidentDetail {
        number: row.number,
        title: row.title,
        kind: row.kind,
        description: row.description,
        occurred_at: row.occurred_at,
        reported_at: row.reported_at,
        updated_at: row.updated_at,
        reporter: row.reporter,
        severity: row.severity,
        status: row.status,
        owner: row
            .owner_id
            .zip(row.owner_name)
            .map(|(id, name)| PersonRef {
                user_id: id.to_string(),
                name,
            }),
        dismissed_reason: row.dismissed_reason,
        tools,
        data_classes,
        teams,
        requests,
        review_summary: row.review_summary,
        root_cause: row.root_cause,
        follow_ups,
        timeline,
        may_triage,
        owners,
        stops,
        stoppable,
        steps,
        playbook_version: row.playbook_version,
        channels,
    })
}

/// Who may own an incident or a follow-up: active reviewers and admins, by name.
pub(super) async fn owners(pool: &PgPool) -> Result<Vec<PersonRef>, AppError> {
    Ok(sqlx::query!(
        "SELECT DISTINCT u.user_id, u.display_name FROM users u
         JOIN user_roles r ON r.user_id = u.user_id
         WHERE r.role IN ('reviewer', 'admin') AND u.disabled_at IS NULL
         ORDER BY u.display_name, u.user_id"
    )
    .fetch_all(pool)
    .await?
    .into_iter()
    .map(|row| PersonRef {
        user_id: row.user_id.to_string(),
        name: row.display_name,
    })
    .collect())
}

/// What the report form offers `principal`: every tool, data class and team, with their own
/// teams ticked.
pub async fn report_form(
    pool: &PgPool,
    principal: &Principal,
) -> Result<IncidentReportForm, AppError> {
    Ok(IncidentReportForm {
        tools: tools::names(pool).await?,
        data_classes: data_classes::list(pool).await?,
        teams: teams::names(pool).await?,
        my_teams: teams::of_user(pool, principal.user_id).await?,
    })
}

/// A follow-up action as stored, an incident's or an exercise's.
pub(super) struct FollowUpRow {
    pub action_id: uuid::Uuid,
    pub what: String,
    pub owner_id: uuid::Uuid,
    pub display_name: String,
    pub due_on: chrono::NaiveDate,
    pub done_at: Option<DateTime<Utc>>,
}

impl FollowUpRow {
    /// As the page shows it on `today`: overdue past its due day while not done.
    pub(super) fn follow_up(self, today: chrono::NaiveDate) -> Result<FollowUp, AppError> {
        Ok(FollowUp {
            id: self.action_id.to_string(),
            what: self.what,
            owner: PersonRef {
                user_id: self.owner_id.to_string(),
                name: self.display_name,
            },
            due: day(self.due_on)?,
            overdue: self.done_at.is_none() && self.due_on < today,
            done_at: self.done_at,
        })
    }
}
