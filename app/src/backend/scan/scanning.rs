//! Scanning a text for the page and the API: the findings, and for a tool and team the policy
//! check applied to every class found. The text is never stored, logged or traced: the record
//! (`records`) holds who scanned, when, the size and the counts per class, nothing of the text.

use std::collections::BTreeMap;

use serde::Deserialize;

use super::records::ScanRecord;
use crate::backend::identity::users::Principal;
use crate::backend::platform::access::authorize;
use crate::backend::platform::change::Change;
use crate::backend::platform::services::Services;
use crate::backend::registry::policy;
use crate::domain::scan::engine::{excerpt, Locator, Scanner};
use crate::domain::Permission;
use crate::error::AppError;
use crate::model::{BlockedClass, ClassCount, ScanFinding, ScanReport, ScanVerdict};

/// The largest text scanned (the API's body limit is the same).
pub const MAX_TEXT: usize = 1024 * 1024;
/// The most findings a report lists; the counts per class cover them all.
pub const MAX_FINDINGS: usize = 1000;

/// A text to scan, and optionally the tool and team to check it against.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ScanRequest {
    pub text: String,
    /// A tool's identifier: with `team`, the answer says whether the text may go into it.
    #[serde(default)]
    pub tool: Option<String>,
    #[serde(default)]
    pub team: Option<String>,
}

/// Where a scan came from (recorded in the audit event).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScanVia {
    Page,
    Api,
}

impl ScanVia {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Page => "page",
            Self::Api => "api",
        }
    }
}

fn given(value: &Option<String>) -> Option<&str> {
    value.as_deref().map(str::trim).filter(|v| !v.is_empty())
}

/// Every finding of `text`, located and redacted, and the counts per class.
pub fn findings(scanner: &Scanner, text: &str) -> (Vec<ScanFinding>, Vec<ClassCount>) {
    let haystack = text.as_bytes();
    let specs = scanner.specs();
    let mut locator = Locator::default();
    let mut listed = vec![];
    let mut counts: BTreeMap<usize, usize> = BTreeMap::new();
    scanner.scan(haystack, |hit| {
        let spec = &specs[hit.detector];
        // Counted per class: the first detector of a class stands for it.
        let first = specs
            .iter()
            .position(|s| s.class == spec.class)
            .unwrap_or(hit.detector);
        *counts.entry(first).or_default() += 1;
        if listed.len() < MAX_FINDINGS {
            let (line, column) = locator.locate(haystack, hit.start);
            let width = crate::domain::scan::engine::column(&haystack[hit.start..hit.end]) - 1;
            listed.push(ScanFinding {
                class: spec.class.clone(),
                class_name: spec.class_name.clone(),
                detector: spec.id.clone(),
                detector_name: spec.name.clone(),
                line,
                column,
                end_column: column + width,
                start: hit.start,
                end: hit.end,
                excerpt: excerpt(&haystack[hit.start..hit.end]),
                prohibited: spec.prohibited,
            });
        }
    });
    let classes = counts
        .into_iter()
        .map(|(first, count)| ClassCount {
            class: specs[first].class.clone(),
            class_name: specs[first].class_name.clone(),
            count,
            prohibited: specs[first].prohibited,
        })
        .collect();
    (listed, classes)
}

/// Whether the text with `classes` may go into `tool` for `team`.
async fn verdict(
    services: &Services,
    tool: &str,
    team: &str,
    classes: &[ClassCount],
) -> Result<ScanVerdict, AppError> {
    let mut blocked = vec![];
    let mut reasons = vec![];
    // One statement either way; unknown identifiers name their field.
    let (tool_name, tool_only) = if classes.is_empty() {
        let (name, decision) = policy::tool_check(&services.pool, tool, team).await?;
        (name, Some(decision))
    } else {
        let asked: Vec<&str> = classes.iter().map(|c| c.class.as_str()).collect();
        let (name, answers) =
            policy::ask_many(services, tool, &asked, team, services.clock.now()).await?;
        for (class, answer) in classes.iter().zip(answers) {
            if answer.allowed {
                reasons.push(format!("{}: {}", class.class_name, answer.reason));
            } else {
                blocked.push(BlockedClass {
                    class: class.class.clone(),
                    class_name: class.class_name.clone(),
                    reason: answer.reason,
                });
            }
        }
        (name, None)
    };
    let (allowed, reason) = match (blocked.as_slice(), tool_only) {
        (_, Some(decision)) if !decision.allowed => (false, decision.reason),
        (_, Some(decision)) => (
            true,
            format!(
                "Nothing the organization's detectors look for was found. {}",
                decision.reason
            ),
        ),
        ([], None) => (
            true,
            format!(
                "Every class found may go into {tool_name}. {}",
                reasons.join(" ")
            ),
        ),
        ([first, rest @ ..], None) => (
            false,
            match rest.len() {
                0 => format!("{}: {}", first.class_name, first.reason),
                more => format!(
                    "{}: {} ({more} more class{} blocked.)",
                    first.class_name,
                    first.reason,
                    if more == 1 { "" } else { "es" }
                ),
            },
        ),
    };
    Ok(ScanVerdict {
        allowed,
        reason,
        tool: tool.to_owned(),
        tool_name,
        team: team.to_owned(),
        blocked_classes: blocked,
    })
}

/// Scans `request.text` for `principal` with the organization's rules in force.
#[tracing::instrument(skip_all)]
pub async fn scan_text(
    services: &Services,
    principal: &Principal,
    change: &Change,
    request: &ScanRequest,
    via: ScanVia,
) -> Result<ScanReport, AppError> {
    authorize(principal, Permission::ViewRegistry)?;
    if request.text.len() > MAX_TEXT {
        return Err(AppError::invalid(
            "text",
            "is larger than 1 MiB: scan it in parts, or with `server scan`",
        ));
    }
    if request.text.trim().is_empty() {
        return Err(AppError::invalid("text", "must not be empty"));
    }
    let target = match (given(&request.tool), given(&request.team)) {
        (Some(tool), Some(team)) => Some((tool, team)),
        (None, None) => None,
        (Some(_), None) => return Err(AppError::invalid("team", "choose a team with the tool")),
        (None, Some(_)) => return Err(AppError::invalid("tool", "choose a tool with the team")),
    };
    let (scanner, rules_version) = services.scanners.current(&services.pool).await?;
    let (findings, classes) = findings(&scanner, &request.text);
    let verdict = match target {
        Some((tool, team)) => Some(verdict(services, tool, team, &classes).await?),
        None => None,
    };
    services
        .scan_records
        .record(
            &services.pool,
            change,
            ScanRecord {
                via,
                size: request.text.len(),
                rules_version,
                classes: &classes,
                verdict: verdict.as_ref(),
            },
        )
        .await?;
    Ok(ScanReport {
        size: request.text.len(),
        rules_version,
        findings,
        classes,
        verdict,
    })
}

/// What the scan page offers: tools still in the registry, teams, and the person's own team.
pub async fn choices(
    pool: &sqlx::PgPool,
    principal: &Principal,
) -> Result<crate::model::ScanChoices, AppError> {
    authorize(principal, Permission::ViewRegistry)?;
    let tools =
        sqlx::query!("SELECT slug, name FROM tools WHERE status <> 'retired' ORDER BY lower(name)")
            .fetch_all(pool)
            .await?
            .into_iter()
            .map(|row| (row.slug, row.name))
            .collect();
    let teams = sqlx::query!("SELECT slug, name FROM teams ORDER BY lower(name)")
        .fetch_all(pool)
        .await?
        .into_iter()
        .map(|row| (row.slug, row.name))
        .collect();
    let my_team = sqlx::query_scalar!(
        "SELECT t.slug FROM team_members m JOIN teams t ON t.team_id = m.team_id
         WHERE m.user_id = $1 ORDER BY lower(t.name) LIMIT 1",
        principal.user_id
    )
    .fetch_optional(pool)
    .await?;
    let detectors = sqlx::query_scalar!(
        r#"SELECT count(*) AS "count!" FROM scan_detectors WHERE retired_at IS NULL"#
    )
    .fetch_one(pool)
    .await?;
    Ok(crate::model::ScanChoices {
        tools,
        teams,
        my_team,
        detectors: usize::try_from(detectors).unwrap_or_default(),
    })
}
