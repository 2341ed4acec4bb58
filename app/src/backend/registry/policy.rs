//! The policy check against stored facts: "may this team use this tool with this data today?"
//! One statement reads everything the answer needs — the tool, the class, the team, whether
//! the approval lists them, the receipt that granted the pair and an open re-review — so the
//! check stays cheap enough for a gateway to ask before every prompt.

use std::sync::Arc;
use std::time::{Duration, Instant};

use sqlx::PgPool;

use crate::backend::platform::change::{day, today};
use crate::backend::platform::notified::Cache;
use crate::backend::platform::services::Services;
use crate::domain::registry::policy::{
    self, ApprovalFacts, DataClassFacts, Stale, StalePolicy, TeamRef, TeamScope, ToolFacts,
};
use crate::domain::{Day, ToolStatus};
use crate::error::AppError;
use crate::model::PolicyAnswer;

/// The teams a tool is approved for, as the statement lists them (`slug|name`).
fn team_refs(entries: &[String]) -> Vec<TeamRef> {
    entries
        .iter()
        .filter_map(|entry| entry.split_once('|'))
        .map(|(slug, name)| TeamRef {
            slug: slug.to_owned(),
            name: name.to_owned(),
        })
        .collect()
}

fn some(text: String) -> Option<String> {
    (!text.trim().is_empty()).then_some(text)
}

/// What was asked: the tool, the classes in the order asked, the team and the day.
type Question = (String, Vec<String>, String, Day);

/// The policy check's answers, kept in memory by each instance for at most a second and
/// forgotten whenever anything the statement reads changes (triggers notify `portal_policy`,
/// migration `cache_notifications`; a change through this instance clears it before its answer
/// leaves). A gateway asking the same question before every prompt costs no statement.
pub type PolicyCache = Cache<Question, Arc<Answers>>;

/// The channel the triggers notify.
pub const POLICY_CHANNEL: &str = "portal_policy";
/// Questions kept at most (tool × class × team combinations a gateway asks).
const POLICY_CAPACITY: usize = 10_000;

/// An empty policy cache whose answers are used for at most `ttl`.
pub fn new_cache(ttl: Duration) -> Arc<PolicyCache> {
    Cache::new(ttl, POLICY_CAPACITY)
}

/// The policy check as people and gateways ask it, at `now`: [`check`], and when the answer is
/// no because a kill switch stopped the tool, the first such "no" goes on the incident's
/// timeline (`incidents::note_first_no`; after the first, one UPDATE that matches nothing).
pub async fn ask(
    services: &Services,
    tool: &str,
    data_class: &str,
    team: &str,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<PolicyAnswer, AppError> {
    let (_, mut answers) = ask_many(services, tool, &[data_class], team, now).await?;
    answers.pop().ok_or(AppError::Internal)
}

/// [`ask`] for several data classes in one statement (or none, when the answer is kept); the
/// first "no" after a stop is noted once. Returns the tool's name too.
pub async fn ask_many(
    services: &Services,
    tool: &str,
    data_classes: &[&str],
    team: &str,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<(String, Vec<PolicyAnswer>), AppError> {
    let today = today(now)?;
    let question: Question = (
        tool.to_owned(),
        data_classes.iter().map(|c| (*c).to_owned()).collect(),
        team.to_owned(),
        today,
    );
    let found = services
        .policies
        .get_or_load(
            question,
            Instant::now(),
            |_| true,
            || async {
                check_many(&services.pool, tool, data_classes, team, today)
                    .await
                    .map(Arc::new)
            },
        )
        .await?;
    // Only a stopped tool's incident waits for its first "no".
    if let Some(refused) = found
        .answers
        .iter()
        .find(|answer| found.stopped && !answer.allowed)
    {
        // Bookkeeping for the incident's timeline: never worth failing the answer over.
        if let Err(error) =
            crate::backend::incidents::note_first_no(&services.pool, &refused.tool, now).await
        {
            tracing::warn!(?error, "could not note the first no after a stop");
        }
    }
    Ok((found.tool_name.clone(), found.answers.clone()))
}

/// "May `team` use `tool` with `data_class` on `today`?" — the stored facts through the one
/// policy function. Unknown identifiers name their field.
pub async fn check(
    pool: &PgPool,
    tool: &str,
    data_class: &str,
    team: &str,
    today: Day,
) -> Result<PolicyAnswer, AppError> {
    check_many(pool, tool, &[data_class], team, today)
        .await?
        .answers
        .pop()
        .ok_or(AppError::Internal)
}

/// What [`check_many`] found: the tool's name, whether it refuses everything (suspended by a
/// kill switch or otherwise, retired, prohibited), and one answer per class asked.
#[derive(Debug, Clone)]
pub struct Answers {
    pub tool_name: String,
    pub stopped: bool,
    pub answers: Vec<PolicyAnswer>,
}

/// [`check`] for several data classes at once, in one statement (the scanner asks for every
/// class it found): one answer per class, in the order asked.
pub async fn check_many(
    pool: &PgPool,
    tool: &str,
    data_classes: &[&str],
    team: &str,
    today: Day,
) -> Result<Answers, AppError> {
    let wanted: Vec<String> = data_classes.iter().map(|c| (*c).to_owned()).collect();
    let rows = sqlx::query!(
        r#"SELECT t.slug AS "tool_slug?", t.name AS "tool_name?",
             t.status AS "status?: ToolStatus", t.status_reason AS "status_reason?",
             t.status_since AS "status_since?", t.rollback_plan AS "rollback_plan?",
             t.conditions AS "conditions?", t.all_teams AS "all_teams?",
             t.next_review, t.approval_stale_since, t.approval_stale_changes AS "stale_changes?",
             (SELECT r.number FROM tool_requests r WHERE r.request_id = t.re_review_request_id)
               AS re_review,
             ARRAY(SELECT s.slug || '|' || s.name FROM tool_teams tt
                   JOIN teams s ON s.team_id = tt.team_id
                   WHERE tt.tool_id = t.tool_id ORDER BY lower(s.name)) AS "teams!: Vec<String>",
             d.slug AS "class_slug?", d.name AS "class_name?",
             d.prohibited_by_default AS "prohibited_by_default?",
             EXISTS (SELECT 1 FROM tool_data_classes td
                     WHERE td.tool_id = t.tool_id AND td.data_class_id = d.data_class_id)
               AS "class_listed!",
             tm.team_id AS "team_id?",
             (SELECT g.receipt_id FROM tool_grants g
              WHERE g.tool_id = t.tool_id AND g.data_class_id = d.data_class_id
                AND (g.team_id = tm.team_id OR g.team_id IS NULL)
              ORDER BY g.team_id NULLS LAST LIMIT 1) AS receipt_id,
             COALESCE((SELECT o.stale_policy FROM organization o), 'deny')
               AS "stale_policy!: StalePolicy"
           FROM (SELECT 1) one
           LEFT JOIN tools t ON t.slug = $1
           LEFT JOIN data_classes d ON d.slug = ANY($2)
           LEFT JOIN teams tm ON tm.slug = $3"#,
        tool,
        &wanted,
        team
    )
    .fetch_all(pool)
    .await?;
    let mut answers = Vec::with_capacity(data_classes.len());
    let mut tool_name = String::new();
    let mut stopped = false;
    for asked in data_classes {
        let Some(row) = rows
            .iter()
            .find(|row| row.class_slug.as_deref() == Some(*asked))
            .or_else(|| rows.first().filter(|row| row.tool_slug.is_none()))
        else {
            return Err(AppError::invalid(
                "data_class",
                "no data class has this identifier",
            ));
        };
        let (Some(tool_slug), Some(name), Some(status), Some(all_teams)) = (
            row.tool_slug.clone(),
            row.tool_name.clone(),
            row.status,
            row.all_teams,
        ) else {
            return Err(AppError::invalid("tool", "no tool has this identifier"));
        };
        tool_name.clone_from(&name);
        // A kill switch suspends; a stop still open may since have been narrowed further.
        stopped = !matches!(
            status,
            ToolStatus::Approved | ToolStatus::ApprovedWithConditions
        );
        let (Some(class_slug), Some(class_name), Some(prohibited_by_default)) = (
            row.class_slug.clone(),
            row.class_name.clone(),
            row.prohibited_by_default,
        ) else {
            return Err(AppError::invalid(
                "data_class",
                "no data class has this identifier",
            ));
        };
        if row.team_id.is_none() {
            return Err(AppError::invalid("team", "no team has this identifier"));
        }
        let teams = team_refs(&row.teams);
        let facts = ToolFacts {
            name,
            status,
            status_reason: row.status_reason.clone().and_then(some),
            status_since: row.status_since.map(day).transpose()?,
            rollback_plan: row.rollback_plan.clone().and_then(some),
            conditions: row.conditions.clone().and_then(some),
            teams: if all_teams {
                TeamScope::All
            } else {
                TeamScope::Only(teams)
            },
            data_classes: if row.class_listed {
                vec![class_slug.clone()]
            } else {
                vec![]
            },
            next_review: row.next_review.map(day).transpose()?,
        };
        let class = DataClassFacts {
            slug: class_slug,
            name: class_name,
            prohibited_by_default,
        };
        let approval = ApprovalFacts {
            receipt: row.receipt_id.map(|id| id.to_string()),
            stale: row
                .approval_stale_since
                .map(|since| {
                    Ok::<_, AppError>(Stale {
                        since: day(since.date_naive())?,
                        changes: row.stale_changes.clone().unwrap_or_default(),
                        re_review: row.re_review,
                    })
                })
                .transpose()?,
        };
        let decision = policy::with_approval(
            policy::check(&facts, &class, team, today),
            &approval,
            row.stale_policy,
        );
        answers.push(PolicyAnswer {
            receipt_id: decision.allowed.then_some(approval.receipt).flatten(),
            re_review_request: approval.stale.and_then(|stale| stale.re_review),
            allowed: decision.allowed,
            reason: decision.reason,
            tool: tool_slug,
            data_class: class.slug,
            team: team.to_owned(),
        });
    }
    Ok(Answers {
        tool_name,
        stopped,
        answers,
    })
}

/// "May `team` use `tool` at all?" — the refusals that hold whatever the data (status, team
/// scope), for a text in which nothing classified was found. Returns the tool's name too.
pub async fn tool_check(
    pool: &PgPool,
    tool: &str,
    team: &str,
) -> Result<(String, policy::Decision), AppError> {
    let row = sqlx::query!(
        r#"SELECT t.name, t.status AS "status: ToolStatus", t.status_reason, t.status_since,
             t.rollback_plan, t.all_teams,
             ARRAY(SELECT s.slug || '|' || s.name FROM tool_teams tt
                   JOIN teams s ON s.team_id = tt.team_id
                   WHERE tt.tool_id = t.tool_id ORDER BY lower(s.name)) AS "teams!: Vec<String>",
             EXISTS (SELECT 1 FROM teams WHERE slug = $2) AS "team_known!"
           FROM tools t WHERE t.slug = $1"#,
        tool,
        team
    )
    .fetch_optional(pool)
    .await?
    .ok_or_else(|| AppError::invalid("tool", "no tool has this identifier"))?;
    if !row.team_known {
        return Err(AppError::invalid("team", "no team has this identifier"));
    }
    let teams = team_refs(&row.teams);
    let facts = ToolFacts {
        name: row.name.clone(),
        status: row.status,
        status_reason: some(row.status_reason),
        status_since: Some(day(row.status_since)?),
        rollback_plan: some(row.rollback_plan),
        conditions: None,
        teams: if row.all_teams {
            TeamScope::All
        } else {
            TeamScope::Only(teams)
        },
        data_classes: vec![],
        next_review: None,
    };
    let decision = policy::refusal(&facts, team).unwrap_or(policy::Decision {
        allowed: true,
        reason: format!("{} is approved for this team.", row.name),
    });
    Ok((row.name, decision))
}
