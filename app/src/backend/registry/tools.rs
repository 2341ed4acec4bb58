//! Registry entries: search, detail, and the policy check against stored facts.

use sqlx::{PgConnection, PgPool};

use crate::backend::platform::change::day;
use crate::domain::registry::policy::TeamRef;
use crate::domain::{Day, Distribution, ToolCategory, ToolStatus, ACCESS_REQUIREMENTS};
use crate::error::AppError;
use crate::model::{
    AccessRequirement, ApprovalState, DataClassRef, ToolDetail, ToolPage, ToolSummary,
};

pub const PER_PAGE: i64 = 25;
const QUERY_MAX: usize = 100;

/// What a search asks for, as a form or query string sends it (all optional).
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ToolQuery {
    /// Words to find in the name, vendor or description (case-insensitive, parts of words too).
    #[serde(default)]
    pub q: Option<String>,
    /// Only tools with this status (`approved`, `approved_with_conditions`, `suspended`,
    /// `retired`, `prohibited`).
    #[serde(default)]
    pub status: Option<String>,
    /// Only tools of this category (`ai_coding`, `ai_chatbot`, `ai_document`, `other`).
    #[serde(default)]
    pub category: Option<String>,
    /// Only tools whose approval names this data class.
    #[serde(default)]
    pub data_class: Option<String>,
    /// Only tools approved for this team (or for all teams).
    #[serde(default)]
    pub team: Option<String>,
    /// Page number, from 1; 25 tools per page.
    #[serde(default)]
    pub page: Option<i64>,
}

/// Tools matching `query`, best matches first: a name starting with the words, then a name
/// containing them, then the vendor, then the description (case-insensitive, partial words).
pub async fn search(pool: &PgPool, query: &ToolQuery, today: Day) -> Result<ToolPage, AppError> {
    let q = query.q.as_deref().map(str::trim).unwrap_or("");
    if q.chars().count() > QUERY_MAX {
        return Err(AppError::invalid(
            "q",
            format!("must be at most {QUERY_MAX} characters"),
        ));
    }
    let status = match query.status.as_deref().filter(|s| !s.is_empty()) {
        Some(status) => {
            Some(ToolStatus::parse(status).map_err(|m| AppError::invalid("status", m))?)
        }
        None => None,
    };
    let category = match query.category.as_deref().filter(|s| !s.is_empty()) {
        Some(category) => {
            Some(ToolCategory::parse(category).map_err(|m| AppError::invalid("category", m))?)
        }
        None => None,
    };
    let data_class = query
        .data_class
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty());
    let team = query
        .team
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty());
    let page = query.page.unwrap_or(1);
    if !(1..=10_000).contains(&page) {
        return Err(AppError::invalid("page", "must be between 1 and 10000"));
    }
    // The text is matched literally: escape LIKE's wildcards.
    let pattern = (!q.is_empty()).then(|| {
        q.replace('\\', "\\\\")
            .replace('%', "\\%")
            .replace('_', "\\_")
    });
    let rows = sqlx::query!(
        r#"SELECT slug, name, vendor, category AS "category: ToolCategory",
                  status AS "status: ToolStatus", description, next_review,
                  count(*) OVER () AS "total!"
           FROM tools
           WHERE ($1::text IS NULL
                  OR name ILIKE '%' || $1 || '%' OR vendor ILIKE '%' || $1 || '%'
                  OR description ILIKE '%' || $1 || '%')
             AND ($2::text IS NULL OR status = $2)
             AND ($3::text IS NULL OR category = $3)
             AND ($6::text IS NULL OR EXISTS (
                   SELECT 1 FROM tool_data_classes td
                   JOIN data_classes d ON d.data_class_id = td.data_class_id
                   WHERE td.tool_id = tools.tool_id AND d.slug = $6))
             AND ($7::text IS NULL OR all_teams OR EXISTS (
                   SELECT 1 FROM tool_teams tt JOIN teams t ON t.team_id = tt.team_id
                   WHERE tt.tool_id = tools.tool_id AND t.slug = $7))
           ORDER BY CASE
                      WHEN $1::text IS NULL THEN 0
                      WHEN name ILIKE $1 || '%' THEN 0
                      WHEN name ILIKE '%' || $1 || '%' THEN 1
                      WHEN vendor ILIKE '%' || $1 || '%' THEN 2
                      ELSE 3
                    END,
                    lower(name), slug
           LIMIT $4 OFFSET $5"#,
        pattern,
        status.map(ToolStatus::as_str),
        category.map(ToolCategory::as_str),
        PER_PAGE,
        (page - 1) * PER_PAGE,
        data_class,
        team
    )
    .fetch_all(pool)
    .await?;
    let total = rows.first().map_or(0, |row| row.total);
    let tools = rows
        .into_iter()
        .map(|row| {
            let next_review = row.next_review.map(day).transpose()?;
            Ok(ToolSummary {
                slug: row.slug,
                name: row.name,
                vendor: row.vendor,
                category: row.category,
                status: row.status,
                description: row.description,
                next_review,
                review_overdue: next_review.is_some_and(|review| review < today),
            })
        })
        .collect::<Result<Vec<_>, AppError>>()?;
    Ok(ToolPage {
        tools,
        total,
        page,
        per_page: PER_PAGE,
    })
}

/// Every tool's identifier and name, by name (for choosing one).
pub async fn names(pool: &PgPool) -> Result<Vec<TeamRef>, AppError> {
    Ok(sqlx::query_as!(
        TeamRef,
        "SELECT slug, name FROM tools ORDER BY lower(name), slug"
    )
    .fetch_all(pool)
    .await?)
}

/// Everything about the tool `slug`.
pub async fn detail(pool: &PgPool, slug: &str) -> Result<ToolDetail, AppError> {
    let mut conn = pool.acquire().await?;
    detail_in(&mut conn, slug).await
}

/// [`detail`] inside the caller's transaction (an edit reads the tool before and after).
pub async fn detail_in(conn: &mut PgConnection, slug: &str) -> Result<ToolDetail, AppError> {
    let row = sqlx::query!(
        r#"SELECT tool_id, slug, name, vendor, category AS "category: ToolCategory", description,
                  website, status AS "status: ToolStatus", status_reason, status_since,
                  conditions, all_teams, access_requirements,
                  distribution AS "distribution: Distribution", package_name, pinned_version, checksum, business_owner,
                  next_review, rollback_plan, vendor_trains_on_data, approval_stale_since,
                  approval_stale_changes,
                  (SELECT number FROM tool_requests r WHERE r.request_id = tools.approval_request_id)
                    AS approval_request,
                  (SELECT number FROM tool_requests r WHERE r.request_id = tools.re_review_request_id)
                    AS re_review_request,
                  ARRAY(SELECT t.slug || '|' || t.name FROM tool_teams tt
                        JOIN teams t ON t.team_id = tt.team_id
                        WHERE tt.tool_id = tools.tool_id ORDER BY lower(t.name))
                    AS "teams!: Vec<String>",
                  ARRAY(SELECT d.slug || '|' || d.name FROM tool_data_classes td
                        JOIN data_classes d ON d.data_class_id = td.data_class_id
                        WHERE td.tool_id = tools.tool_id ORDER BY lower(d.name))
                    AS "data_classes!: Vec<String>"
           FROM tools WHERE slug = $1"#,
        slug
    )
    .fetch_optional(&mut *conn)
    .await?
    .ok_or(AppError::NotFound)?;
    let pairs = |entries: &[String]| -> Vec<(String, String)> {
        entries
            .iter()
            .filter_map(|entry| {
                let (slug, name) = entry.split_once('|')?;
                Some((slug.to_owned(), name.to_owned()))
            })
            .collect()
    };
    let requirements = ACCESS_REQUIREMENTS
        .iter()
        .map(|(key, label)| {
            let entry = row.access_requirements.get(key);
            AccessRequirement {
                key: (*key).to_owned(),
                label: (*label).to_owned(),
                required: entry
                    .and_then(|e| e.get("required"))
                    .and_then(serde_json::Value::as_bool)
                    .unwrap_or(false),
                note: entry
                    .and_then(|e| e.get("note"))
                    .and_then(serde_json::Value::as_str)
                    .unwrap_or("")
                    .to_owned(),
            }
        })
        .collect();
    Ok(ToolDetail {
        slug: row.slug,
        name: row.name,
        vendor: row.vendor,
        category: row.category,
        description: row.description,
        website: row.website,
        status: row.status,
        status_reason: row.status_reason,
        status_since: day(row.status_since)?,
        conditions: row.conditions,
        teams: (!row.all_teams).then(|| {
            pairs(&row.teams)
                .into_iter()
                .map(|(slug, name)| TeamRef { slug, name })
                .collect()
        }),
        data_classes: pairs(&row.data_classes)
            .into_iter()
            .map(|(slug, name)| DataClassRef { slug, name })
            .collect(),
        access_requirements: requirements,
        distribution: row.distribution,
        package_name: row.package_name,
        pinned_version: row.pinned_version,
        checksum: row.checksum,
        vendor_trains_on_data: row.vendor_trains_on_data,
        business_owner: row.business_owner,
        next_review: row.next_review.map(day).transpose()?,
        rollback_plan: row.rollback_plan,
        approval: ApprovalState {
            request: row.approval_request,
            stale_since: row.approval_stale_since,
            stale_changes: row.approval_stale_changes,
            re_review_request: row.re_review_request,
        },
    })
}
