//! The registry side of the approval workflow. A final approval writes the registry entry in
//! the decision's own transaction (through the same audited save a reviewer's edit uses); a
//! reviewer's later change to an approved tool's pinned version, checksum or "trains on data"
//! makes its approval stale and opens a re-review request.

use uuid::Uuid;

use sqlx::PgConnection;

use crate::backend::notifications;
use crate::backend::platform::change::Change;
use crate::backend::registry::editing::save_in;
use crate::backend::registry::tools::detail_in as tool_detail;
use crate::domain::{
    Day, RequirementSetting, Sha256Checksum, Slug, ToolCategory, ToolStatus, ValidTool,
    ACCESS_REQUIREMENTS,
};
use crate::error::{AppError, OrInternal};
use crate::model::{RequestDetail, ToolDetail};

/// What a final approval grants.
pub struct Grant<'a> {
    pub request: &'a RequestDetail,
    pub request_id: Uuid,
    /// The final approval's receipt.
    pub receipt: Uuid,
    /// The approving reviewers' conditions, one per line; empty: none.
    pub conditions: String,
    pub next_review: Day,
}

fn checksum(text: &str) -> Result<Option<Sha256Checksum>, AppError> {
    match text {
        "" => Ok(None),
        text => Sha256Checksum::parse(text)
            .map(Some)
            .or_internal("reading a stored checksum"),
    }
}

fn slug(text: &str) -> Result<Slug, AppError> {
    Slug::parse(text).or_internal("reading a stored identifier")
}

fn status_for(conditions: &str) -> ToolStatus {
    if conditions.is_empty() {
        ToolStatus::Approved
    } else {
        ToolStatus::ApprovedWithConditions
    }
}

/// A free identifier made from `name`: `windsurf`, else `windsurf-2`, `windsurf-3`, …
async fn free_slug(conn: &mut PgConnection, name: &str) -> Result<Slug, AppError> {
    let base = Slug::from_name(name).map_err(|m| AppError::invalid("tool_name", m))?;
    let taken = sqlx::query_scalar!(
        "SELECT slug FROM tools WHERE slug = $1 OR slug LIKE $1 || '-%'",
        base.as_str()
    )
    .fetch_all(&mut *conn)
    .await?;
    let mut candidate = base.as_str().to_owned();
    let mut n = 1;
    while taken.contains(&candidate) || candidate == "new" {
        n += 1;
        candidate = format!("{}-{n}", base.as_str());
    }
    slug(&candidate)
}

/// A new registry entry for the team that asked, with what the request says.
async fn new_entry(conn: &mut PgConnection, grant: &Grant<'_>) -> Result<ValidTool, AppError> {
    let request = grant.request;
    let coding = request.category == ToolCategory::AiCoding;
    Ok(ValidTool {
        name: request.tool_name.clone(),
        slug: free_slug(conn, &request.tool_name).await?,
        vendor: request.vendor.clone(),
        category: request.category,
        description: request.use_case.clone(),
        website: request.website.clone(),
        status: status_for(&grant.conditions),
        status_reason: String::new(),
        conditions: grant.conditions.clone(),
        teams: Some(vec![request.team_slug.clone()]),
        data_classes: request
            .data_classes
            .iter()
            .map(|c| c.slug.clone())
            .collect(),
        // Coding agents get every least-privilege rule; reviewers relax them on the tool page.
        access_requirements: ACCESS_REQUIREMENTS
            .iter()
            .map(|(key, _)| {
                let setting = RequirementSetting {
                    required: coding,
                    note: String::new(),
                };
                ((*key).to_owned(), setting)
            })
            .collect(),
        distribution: request.distribution,
        package_name: request.package_name.clone(),
        pinned_version: request.pinned_version.clone(),
        checksum: checksum(&request.checksum)?,
        vendor_trains_on_data: request.vendor_trains_on_data,
        business_owner: request.requester.clone(),
        next_review: Some(grant.next_review),
        rollback_plan: String::new(),
    })
}

/// The entry `tool` widened: the requesting team and data classes added, the supply chain the
/// request pins, the approval's conditions (or the entry's own when it sets none).
fn widened(tool: ToolDetail, grant: &Grant<'_>) -> Result<ValidTool, AppError> {
    let request = grant.request;
    let conditions = if grant.conditions.is_empty() {
        tool.conditions
    } else {
        grant.conditions.clone()
    };
    let teams = tool.teams.map(|teams| {
        let mut slugs: Vec<String> = teams.into_iter().map(|t| t.slug).collect();
        if !slugs.contains(&request.team_slug) {
            slugs.push(request.team_slug.clone());
        }
        slugs
    });
    let mut data_classes: Vec<String> = tool.data_classes.into_iter().map(|c| c.slug).collect();
    for class in &request.data_classes {
        if !data_classes.contains(&class.slug) {
            data_classes.push(class.slug.clone());
        }
    }
    let or_kept = |asked: &str, kept: String| {
        if asked.is_empty() {
            kept
        } else {
            asked.to_owned()
        }
    };
    Ok(ValidTool {
        slug: slug(&tool.slug)?,
        name: tool.name,
        vendor: tool.vendor,
        category: tool.category,
        description: tool.description,
        website: tool.website,
        status: status_for(&conditions),
        status_reason: String::new(),
        conditions,
        teams,
        data_classes,
        access_requirements: tool
            .access_requirements
            .into_iter()
            .map(|r| {
                let setting = RequirementSetting {
                    required: r.required,
                    note: r.note,
                };
                (r.key, setting)
            })
            .collect(),
        distribution: tool.distribution,
        package_name: or_kept(&request.package_name, tool.package_name),
        pinned_version: or_kept(&request.pinned_version, tool.pinned_version),
        checksum: checksum(&or_kept(&request.checksum, tool.checksum))?,
        vendor_trains_on_data: tool.vendor_trains_on_data || request.vendor_trains_on_data,
        business_owner: tool.business_owner,
        next_review: Some(grant.next_review),
        rollback_plan: tool.rollback_plan,
    })
}

/// Writes what a final approval grants into the registry and returns the tool's identifier.
pub async fn grant(
    conn: &mut PgConnection,
    change: &Change,
    grant: &Grant<'_>,
) -> Result<String, AppError> {
    let (original, tool) = match &grant.request.tool {
        Some(existing) => (
            Some(existing.as_str()),
            widened(tool_detail(conn, existing).await?, grant)?,
        ),
        None => (None, new_entry(conn, grant).await?),
    };
    write_approved(
        conn,
        change,
        original,
        tool,
        grant.request_id,
        grant.receipt,
    )
    .await
}

/// Writes `tool` over `original` (`None`: a new entry) as approved by request `request_id`,
/// whose final approving receipt is `receipt`: the entry carries the request, its approval is
/// current again, and every pair it newly allows is granted under that receipt.
pub async fn write_approved(
    conn: &mut PgConnection,
    change: &Change,
    original: Option<&str>,
    tool: ValidTool,
    request_id: Uuid,
    receipt: Uuid,
) -> Result<String, AppError> {
    let slug = save_in(conn, change, original, tool, Some(receipt)).await?;
    let tool_id = sqlx::query_scalar!(
        "UPDATE tools SET approval_request_id = $2, approval_stale_since = NULL,
           approval_stale_changes = '', re_review_request_id = NULL
         WHERE slug = $1 RETURNING tool_id",
        slug,
        request_id
    )
    .fetch_one(&mut *conn)
    .await?;
    sqlx::query!(
        "UPDATE tool_requests SET granted_tool_id = $2 WHERE request_id = $1",
        request_id,
        tool_id
    )
    .execute(&mut *conn)
    .await?;
    Ok(slug)
}

/// What of an approved tool a re-review must look at again.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SupplyChain {
    pub status: ToolStatus,
    pub pinned_version: String,
    pub checksum: String,
    pub vendor_trains_on_data: bool,
}

impl SupplyChain {
    pub fn of(tool: &ValidTool) -> Self {
        Self {
            status: tool.status,
            pinned_version: tool.pinned_version.clone(),
            checksum: tool
                .checksum
                .as_ref()
                .map(|c| c.as_str().to_owned())
                .unwrap_or_default(),
            vendor_trains_on_data: tool.vendor_trains_on_data,
        }
    }

    /// What changed from `self` to `now` that an approval covered, in words; empty when the
    /// tool was not approved or nothing such changed.
    pub fn stale_changes(&self, now: &Self) -> Vec<String> {
        if !matches!(
            self.status,
            ToolStatus::Approved | ToolStatus::ApprovedWithConditions
        ) {
            return vec![];
        }
        let shown = |text: &str| {
            if text.is_empty() {
                "none".to_owned()
            } else {
                text.to_owned()
            }
        };
        let mut changes = vec![];
        if self.pinned_version != now.pinned_version {
            changes.push(format!(
                "pinned version {} → {}",
                shown(&self.pinned_version),
                shown(&now.pinned_version)
            ));
        }
        if self.checksum != now.checksum {
            changes.push(format!(
                "SHA-256 {} → {}",
                shown(&self.checksum),
                shown(&now.checksum)
            ));
        }
        if self.vendor_trains_on_data != now.vendor_trains_on_data {
            let trains = |on: bool| if on { "yes" } else { "no" };
            changes.push(format!(
                "vendor trains on customer data {} → {}",
                trains(self.vendor_trains_on_data),
                trains(now.vendor_trains_on_data)
            ));
        }
        changes
    }
}

/// Marks the approval of tool `slug` stale and opens a re-review request, filed in the name of
/// `editor` (so someone else must decide it) for the team of the approval it carries — or, for
/// an entry that never went through the workflow, the editor's first team. Returns the
/// request's number.
pub async fn reopen(
    conn: &mut PgConnection,
    change: &Change,
    editor: Uuid,
    slug: &str,
    changes: &[String],
) -> Result<i64, AppError> {
    let tool = tool_detail(conn, slug).await?;
    let row = sqlx::query!(
        r#"SELECT t.tool_id,
             COALESCE(
               (SELECT r.team_id FROM tool_requests r WHERE r.request_id = t.approval_request_id),
               (SELECT m.team_id FROM team_members m JOIN teams tm ON tm.team_id = m.team_id
                WHERE m.user_id = $2 ORDER BY lower(tm.name) LIMIT 1),
               (SELECT team_id FROM teams ORDER BY lower(name) LIMIT 1)) AS team_id
           FROM tools t WHERE t.slug = $1 FOR UPDATE"#,
        slug,
        editor
    )
    .fetch_one(&mut *conn)
    .await?;
    let team_id = row.team_id.ok_or_else(|| {
        AppError::invalid(
            "status",
            "a re-review needs a team; create one before changing an approved tool",
        )
    })?;
    let what = changes.join("; ");
    let opened =
        sqlx::query!(
        "INSERT INTO tool_requests (requester_id, team_id, tool_id, tool_name, vendor, category,
           website, use_case, justification, distribution, package_name, pinned_version,
           checksum, vendor_trains_on_data, state, re_review, created_at, updated_at,
           submitted_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, 'submitted', true,
           $15, $15, $15)
         RETURNING request_id, number",
        editor,
        team_id,
        row.tool_id,
        tool.name,
        tool.vendor,
        tool.category.as_str(),
        tool.website,
        format!("Re-review of {}: its approval no longer covers it ({what}).", tool.name),
        "Opened by the portal: an approved tool's supply chain changed, so its approval is stale \
         until a reviewer signs the new state off.",
        tool.distribution.as_str(),
        tool.package_name,
        tool.pinned_version,
        tool.checksum,
        tool.vendor_trains_on_data,
        change.now
    )
        .fetch_one(&mut *conn)
        .await?;
    let (request_id, number) = (opened.request_id, opened.number);
    sqlx::query!(
        "INSERT INTO tool_request_data_classes (request_id, data_class_id)
         SELECT $1, data_class_id FROM tool_data_classes WHERE tool_id = $2",
        request_id,
        row.tool_id
    )
    .execute(&mut *conn)
    .await?;
    crate::backend::requests::open_for_review(conn, request_id, number, &what, change.now).await?;
    sqlx::query!(
        "UPDATE tools SET approval_stale_since = $2, re_review_request_id = $3,
           approval_stale_changes = $4
         WHERE tool_id = $1",
        row.tool_id,
        change.now,
        request_id,
        what
    )
    .execute(&mut *conn)
    .await?;
    let reviewers = notifications::holders(conn, crate::domain::Role::Reviewer).await?;
    notifications::notify(
        conn,
        crate::domain::notices::NoticeKind::Reviews,
        &reviewers,
        editor,
        &format!(
            "Re-review #{number}: the approval of {} is stale ({what}).",
            tool.name
        ),
        &format!("/requests/{number}"),
        change.now,
    )
    .await?;
    Ok(number)
}
