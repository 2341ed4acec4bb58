//! Reviewers create and change registry entries. Each save is one transaction: the tool row, its
//! teams and data classes, and the audit event holding the tool as it was and as it is now —
//! the event the tool's history shows.

use serde_json::{json, Value};
use sqlx::{PgConnection, PgPool};
use uuid::Uuid;

use crate::backend::audit::{self, NewEvent};
use crate::backend::identity::auth::sign_off::{self, Signer};
use crate::backend::identity::auth::totp::SealingKey;
use crate::backend::identity::users::Principal;
use crate::backend::org::settings;
use crate::backend::platform::change::date;
use crate::backend::platform::change::Change;
use crate::backend::platform::lookups::{ids_of, Named};
use crate::backend::platform::rate;
use crate::backend::registry::approvals::{self, SupplyChain};
use crate::backend::registry::grants;
use crate::backend::registry::tools::detail_in;
use crate::backend::requests::changes;
use crate::domain::registry::widening::{frozen_while_stopped, stops, widenings, Allowance};
use crate::domain::{
    AuditAction, RequirementSetting, Sha256Checksum, Slug, ToolForm, TotpCode, ValidTool,
    ACCESS_REQUIREMENTS,
};
use crate::error::{AppError, OnConstraint, OrInternal};
use crate::model::ToolDetail;

/// Identifiers that would clash with the registry's own pages.
const RESERVED_SLUGS: &[&str] = &["new"];

/// The tool as its history records it: every field a person can change, in reading order.
pub fn snapshot(tool: &ValidTool) -> Value {
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
            Some(teams) => Value::from(teams.clone()),
        },
        "data_classes": tool.data_classes,
        "access_requirements": ACCESS_REQUIREMENTS
            .iter()
            .filter_map(|(key, label)| {
                let setting = tool.access_requirements.get(*key)?;
                match (setting.required, setting.note.is_empty()) {
                    (true, true) => Some((*label).to_owned()),
                    (true, false) => Some(format!("{label} ({})", setting.note)),
                    (false, false) => Some(format!("{label}: not applicable ({})", setting.note)),
                    (false, true) => None,
                }
            })
            .collect::<Vec<_>>(),
        "distribution": tool.distribution.label(),
        "package_name": tool.package_name,
        "pinned_version": tool.pinned_version,
        "checksum": tool.checksum.as_ref().map(|c| c.as_str()).unwrap_or_default(),
        "vendor_trains_on_data": if tool.vendor_trains_on_data { "yes" } else { "no" },
        "business_owner": tool.business_owner,
        "next_review": tool.next_review.map(|d| d.to_string()),
        "rollback_plan": tool.rollback_plan,
    })
}

/// A stored entry as the editor holds one: what a change starts from.
pub fn as_valid(tool: &ToolDetail) -> Result<ValidTool, AppError> {
    Ok(ValidTool {
        name: tool.name.clone(),
        slug: Slug::parse(&tool.slug).or_internal("reading a stored identifier")?,
        vendor: tool.vendor.clone(),
        category: tool.category,
        description: tool.description.clone(),
        website: tool.website.clone(),
        status: tool.status,
        status_reason: tool.status_reason.clone(),
        conditions: tool.conditions.clone(),
        teams: tool
            .teams
            .as_ref()
            .map(|teams| teams.iter().map(|t| t.slug.clone()).collect()),
        data_classes: tool.data_classes.iter().map(|c| c.slug.clone()).collect(),
        access_requirements: tool
            .access_requirements
            .iter()
            .map(|r| {
                let setting = RequirementSetting {
                    required: r.required,
                    note: r.note.clone(),
                };
                (r.key.clone(), setting)
            })
            .collect(),
        distribution: tool.distribution,
        package_name: tool.package_name.clone(),
        pinned_version: tool.pinned_version.clone(),
        checksum: match tool.checksum.as_str() {
            "" => None,
            text => Some(Sha256Checksum::parse(text).or_internal("reading a stored checksum")?),
        },
        vendor_trains_on_data: tool.vendor_trains_on_data,
        business_owner: tool.business_owner.clone(),
        next_review: tool.next_review,
        rollback_plan: tool.rollback_plan.clone(),
    })
}

/// What a save did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Saved {
    /// In the registry now: the tool's identifier.
    Applied(String),
    /// It widens what is allowed: filed as registry change request `number` for reviewers.
    Proposed(i64),
}

/// A reviewer's edit of tool `original` (`None`: a new tool). What only describes the tool or
/// narrows what it allows is saved at once, audited; suspending or prohibiting it also needs a
/// fresh `code` from the editor's authenticator app. What widens what it allows is filed as a
/// registry change request instead, and nothing is saved until reviewers decide it. The
/// identifier of an existing tool never changes: links and API clients keep working.
pub async fn save(
    pool: &PgPool,
    change: &Change,
    editor: &Principal,
    totp_key: &SealingKey,
    original: Option<&str>,
    form: &ToolForm,
    code: &str,
) -> Result<Saved, AppError> {
    let tool = form.validate()?;
    let mut tx = pool.begin().await?;
    let before = match original {
        Some(original) => {
            lock_tool(&mut tx, original).await?;
            Some(as_valid(&detail_in(&mut tx, original).await?)?)
        }
        None => {
            free(&mut tx, tool.slug.as_str()).await?;
            None
        }
    };
    // Unknown teams or data classes name their field before anything is filed or saved.
    if let Some(teams) = &tool.teams {
        ids_of(&mut tx, "teams", teams, Named::Teams).await?;
    }
    ids_of(
        &mut tx,
        "data_classes",
        &tool.data_classes,
        Named::DataClasses,
    )
    .await?;
    let max_months = settings::max_review_months(&mut tx).await?;
    let widened = widenings(
        before.as_ref().map(Allowance::of).as_ref(),
        &Allowance::of(&tool),
        change.today,
        max_months,
    );
    if let (Some(original), Some(before)) = (original, &before) {
        // While the kill switch's stop is in force, what the tool allows waits for its
        // reinstatement, which two reviewers approve against the entry as it was.
        if let Some(field) = frozen_while_stopped(before, &tool) {
            if crate::backend::incidents::stop_in_force(&mut tx, original)
                .await?
                .is_some()
            {
                return Err(AppError::invalid(
                    field,
                    "the kill switch stopped this tool: this changes when it is reinstated \
                     (from its page, with a justification and what changed)",
                ));
            }
        }
    }
    if !widened.is_empty() {
        // A proposal is a request filed: it counts against the same per-person limit.
        rate::take(&mut tx, rate::REQUESTS_FILED, editor.user_id, change.now).await?;
        let proposal = changes::NewProposal {
            before: before.as_ref(),
            form,
            tool: &tool,
            widened: &widened,
            reinstates: None,
        };
        let number = changes::propose(&mut tx, editor, &proposal, change.now).await?;
        tx.commit().await?;
        return Ok(Saved::Proposed(number));
    }
    if stops(before.as_ref().map(|b| b.status), tool.status) {
        let code = TotpCode::parse(code).map_err(|m| AppError::invalid("code", m))?;
        let signer = Signer {
            principal: editor,
            source: change.source,
            purpose: "suspension",
            target: format!("tool:{}", tool.slug),
        };
        sign_off::precheck(pool, &signer, change.now).await?;
        sign_off::use_code(pool, &mut tx, totp_key, &signer, &code, change.now).await?;
    }
    let stale = before
        .as_ref()
        .map(|b| SupplyChain::of(b).stale_changes(&SupplyChain::of(&tool)))
        .unwrap_or_default();
    let slug = save_in(&mut tx, change, original, tool, None).await?;
    if !stale.is_empty() {
        let number = approvals::reopen(&mut tx, change, editor.user_id, &slug, &stale).await?;
        let event = NewEvent::new(change.actor.clone(), AuditAction::ApprovalStale)
            .target(format!("tool:{slug}"))
            .source(change.source)
            .after(json!({ "changes": stale, "re_review": number }));
        audit::append(&mut tx, event, change.now).await?;
    }
    tx.commit().await?;
    Ok(Saved::Applied(slug))
}

/// Locks tool `slug` for a change; `NotFound` when there is none.
pub(crate) async fn lock_tool(conn: &mut PgConnection, slug: &str) -> Result<(), AppError> {
    sqlx::query_scalar!("SELECT tool_id FROM tools WHERE slug = $1 FOR UPDATE", slug)
        .fetch_optional(&mut *conn)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(())
}

/// Refuses an identifier that is reserved or taken (checked again when the tool is written).
async fn free(conn: &mut PgConnection, slug: &str) -> Result<(), AppError> {
    if RESERVED_SLUGS.contains(&slug) {
        return Err(AppError::invalid("slug", "is reserved; choose another"));
    }
    let taken = sqlx::query_scalar!(
        r#"SELECT EXISTS (SELECT 1 FROM tools WHERE slug = $1) AS "taken!""#,
        slug
    )
    .fetch_one(&mut *conn)
    .await?;
    if taken {
        return Err(AppError::invalid("slug", "is already used by another tool"));
    }
    Ok(())
}

/// Writes `tool` over `original` (`None`: a new entry) inside the caller's transaction, with its
/// audit event, and brings the tool's grants in line (see `grants`): `receipt` is the final
/// approval writing it, when it is one. Nothing here decides whether the write may widen what
/// is allowed — `save` and the decisions do, and `grants::sync` refuses a widening without a
/// receipt.
pub async fn save_in(
    conn: &mut PgConnection,
    change: &Change,
    original: Option<&str>,
    tool: ValidTool,
    receipt: Option<Uuid>,
) -> Result<String, AppError> {
    let team_ids = match &tool.teams {
        Some(teams) => ids_of(conn, "teams", teams, Named::Teams).await?,
        None => vec![],
    };
    let class_ids = ids_of(conn, "data_classes", &tool.data_classes, Named::DataClasses).await?;
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
            let before = snapshot(&as_valid(&detail_in(conn, original).await?)?);
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
    grants::sync(conn, tool_id, receipt, change.now).await?;
    if crate::domain::registry::widening::allows(tool.status) {
        // Allowed again: a kill switch's stop in force is over.
        crate::backend::incidents::lift_stops(conn, tool_id, change).await?;
    }
    let after = snapshot(&as_valid(&detail_in(conn, &slug).await?)?);
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
