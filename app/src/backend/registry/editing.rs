//! Reviewers create and change registry entries. Each save is one transaction: the tool row, its
//! teams and data classes, and the audit event holding the tool as it was and as it is now —
//! the event the tool's history shows.

use serde_json::{json, Value};
use sqlx::{PgConnection, PgPool};

use crate::backend::audit::{self, NewEvent};
use crate::backend::platform::change::date;
use crate::backend::platform::change::Change;
use crate::backend::platform::lookups::ids_of;
use crate::backend::registry::approvals::{self, SupplyChain};
use crate::backend::registry::tools::detail_in;
use crate::domain::{AuditAction, ToolForm, ToolStatus, ValidTool};
use crate::error::{AppError, OnConstraint, OrInternal};
use crate::model::ToolDetail;

/// Identifiers that would clash with the registry's own pages.
const RESERVED_SLUGS: &[&str] = &["new"];

/// The tool as its history records it: every field a person can change, in reading order.
pub fn snapshot(tool: &ToolDetail) -> Value {
    let slugs = |items: Vec<&str>| Value::from(items);
    json!({
        "name": tool.name,
        "vendor": tool.vendor,
        "category": tool.category.label(),
        "description": tool.description,
        "website": tool.website,
        "status": tool.status.label(),
        "status_reason": tool.status_reason,
        "conditions": tool.conditions,
        "teams": match &tool.teams {
            None => Value::from("all teams"),
            Some(teams) => slugs(teams.iter().map(|t| t.slug.as_str()).collect()),
        },
        "data_classes": slugs(tool.data_classes.iter().map(|c| c.slug.as_str()).collect()),
        "access_requirements": tool
            .access_requirements
            .iter()
            .filter(|r| r.required || !r.note.is_empty())
            .map(|r| match (r.required, r.note.is_empty()) {
                (true, true) => r.label.clone(),
                (true, false) => format!("{} ({})", r.label, r.note),
                (false, _) => format!("{}: not applicable ({})", r.label, r.note),
            })
            .collect::<Vec<_>>(),
        "distribution": tool.distribution.label(),
        "package_name": tool.package_name,
        "pinned_version": tool.pinned_version,
        "checksum": tool.checksum,
        "vendor_trains_on_data": if tool.vendor_trains_on_data { "yes" } else { "no" },
        "business_owner": tool.business_owner,
        "next_review": tool.next_review.map(|d| d.to_string()),
        "rollback_plan": tool.rollback_plan,
    })
}

/// Creates a tool (`original` is `None`) or changes the tool `original`, and returns its
/// identifier. The identifier of an existing tool never changes: links and API clients keep
/// working.
pub async fn save(
    pool: &PgPool,
    change: &Change,
    original: Option<&str>,
    form: &ToolForm,
) -> Result<String, AppError> {
    let tool = form.validate()?;
    let mut tx = pool.begin().await?;
    let before = match original {
        Some(original) => Some(supply_chain(&mut tx, original).await?),
        None => None,
    };
    let after = SupplyChain::of(&tool);
    let slug = save_in(&mut tx, change, original, tool).await?;
    let stale = before.map(|b| b.stale_changes(&after)).unwrap_or_default();
    if let (false, Some(editor)) = (stale.is_empty(), change.by) {
        let number = approvals::reopen(&mut tx, change, editor, &slug, &stale).await?;
        let event = NewEvent::new(change.actor.clone(), AuditAction::ApprovalStale)
            .target(format!("tool:{slug}"))
            .source(change.source)
            .after(json!({ "changes": stale, "re_review": number }));
        audit::append(&mut tx, event, change.now).await?;
    }
    tx.commit().await?;
    Ok(slug)
}

/// What an approval of tool `slug` covers, as stored (locked for the save).
async fn supply_chain(conn: &mut PgConnection, slug: &str) -> Result<SupplyChain, AppError> {
    let row = sqlx::query!(
        r#"SELECT status AS "status: ToolStatus", pinned_version, checksum, vendor_trains_on_data
           FROM tools WHERE slug = $1 FOR UPDATE"#,
        slug
    )
    .fetch_optional(&mut *conn)
    .await?
    .ok_or(AppError::NotFound)?;
    Ok(SupplyChain {
        status: row.status,
        pinned_version: row.pinned_version,
        checksum: row.checksum,
        vendor_trains_on_data: row.vendor_trains_on_data,
    })
}

/// [`save`] inside the caller's transaction (the demo loads its registry this way).
pub async fn save_in(
    conn: &mut PgConnection,
    change: &Change,
    original: Option<&str>,
    tool: ValidTool,
) -> Result<String, AppError> {
    let team_ids = match &tool.teams {
        Some(teams) => ids_of(conn, "teams", teams, true).await?,
        None => vec![],
    };
    let class_ids = ids_of(conn, "data_classes", &tool.data_classes, false).await?;
    let access = serde_json::to_value(&tool.access_requirements)
        .or_internal("serializing access requirements")?;
    let next_review = tool.next_review.map(date).transpose()?;
    let checksum = tool
        .checksum
        .as_ref()
        .map(|c| c.as_str().to_owned())
        .unwrap_or_default();
    let (tool_id, slug, before, status_changed) = match original {
        Some(original) => {
            let existing = sqlx::query!(
                "SELECT tool_id, status FROM tools WHERE slug = $1 FOR UPDATE",
                original
            )
            .fetch_optional(&mut *conn)
            .await?
            .ok_or(AppError::NotFound)?;
            let before = snapshot(&detail_in(conn, original).await?);
            let status_changed = existing.status != tool.status.as_str();
            (
                existing.tool_id,
                original.to_owned(),
                Some(before),
                status_changed,
            )
        }
        None => {
            if RESERVED_SLUGS.contains(&tool.slug.as_str()) {
                return Err(AppError::invalid("slug", "is reserved; choose another"));
            }
            // The identity first; every other field is written below, as for a change.
            let tool_id = sqlx::query_scalar!(
                "INSERT INTO tools (slug, name, vendor, category, status, status_reason,
                   status_since, distribution, created_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
                 RETURNING tool_id",
                tool.slug.as_str(),
                tool.name,
                tool.vendor,
                tool.category.as_str(),
                tool.status.as_str(),
                tool.status_reason,
                date(change.today)?,
                tool.distribution.as_str(),
                change.now
            )
            .fetch_one(&mut *conn)
            .await
            .on_constraint(
                "tools_slug_key",
                "slug",
                "is already used by another tool",
            )?;
            (tool_id, tool.slug.as_str().to_owned(), None, true)
        }
    };
    sqlx::query!(
        "UPDATE tools SET name = $2, vendor = $3, category = $4, description = $5,
           website = $6, status = $7, status_reason = $8,
           status_since = CASE WHEN $9 THEN $10 ELSE status_since END,
           conditions = $11, all_teams = $12, access_requirements = $13,
           distribution = $14, package_name = $15, pinned_version = $16, checksum = $17,
           business_owner = $18, next_review = $19, rollback_plan = $20, updated_at = $21,
           vendor_trains_on_data = $22
         WHERE tool_id = $1",
        tool_id,
        tool.name,
        tool.vendor,
        tool.category.as_str(),
        tool.description,
        tool.website,
        tool.status.as_str(),
        tool.status_reason,
        status_changed,
        date(change.today)?,
        tool.conditions,
        tool.teams.is_none(),
        access,
        tool.distribution.as_str(),
        tool.package_name,
        tool.pinned_version,
        checksum,
        tool.business_owner,
        next_review,
        tool.rollback_plan,
        change.now,
        tool.vendor_trains_on_data
    )
    .execute(&mut *conn)
    .await?;
    sqlx::query!("DELETE FROM tool_teams WHERE tool_id = $1", tool_id)
        .execute(&mut *conn)
        .await?;
    sqlx::query!(
        "INSERT INTO tool_teams (tool_id, team_id) SELECT $1, unnest($2::uuid[])",
        tool_id,
        &team_ids
    )
    .execute(&mut *conn)
    .await?;
    sqlx::query!("DELETE FROM tool_data_classes WHERE tool_id = $1", tool_id)
        .execute(&mut *conn)
        .await?;
    sqlx::query!(
        "INSERT INTO tool_data_classes (tool_id, data_class_id) SELECT $1, unnest($2::uuid[])",
        tool_id,
        &class_ids
    )
    .execute(&mut *conn)
    .await?;
    let after = snapshot(&detail_in(conn, &slug).await?);
    if before.as_ref() == Some(&after) {
        // Saved without a change: nothing to record.
        return Ok(slug);
    }
    let action = if before.is_some() {
        AuditAction::ToolUpdated
    } else {
        AuditAction::ToolCreated
    };
    let mut event = NewEvent::new(change.actor.clone(), action)
        .target(format!("tool:{slug}"))
        .source(change.source)
        .after(after);
    if let Some(before) = before {
        event = event.before(before);
    }
    audit::append(conn, event, change.now).await?;
    Ok(slug)
}
