//! Drafts: a new request, or changes to one the requester may still edit.

use super::access::{lock, refused};
use super::lifecycle::event;
use crate::backend::identity::users::Principal;
use crate::backend::platform::lookups::{ids_of, Named};
use crate::backend::platform::rate;
use crate::domain::requests::state::{self, RequestAction, RequestKind};
use crate::domain::{Permission, RequestForm};
use crate::error::AppError;
use chrono::{DateTime, Utc};
use sqlx::{PgConnection, PgPool};

/// Saves a draft: a new request (`number` is `None`) or changes to one the requester may still
/// edit (a draft, or one with changes requested). Returns its number. Filing new requests is
/// rate-limited per person (`rate::REQUESTS_FILED`), attempts included.
pub async fn save_draft(
    pool: &PgPool,
    principal: &Principal,
    number: Option<i64>,
    form: &RequestForm,
    now: DateTime<Utc>,
) -> Result<i64, AppError> {
    if number.is_none() {
        rate::take(
            &mut *pool.acquire().await?,
            rate::REQUESTS_FILED,
            principal.user_id,
            now,
        )
        .await?;
    }
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
    if !team.is_member && !principal.may(Permission::RequestForAnyTeam) {
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
    let class_ids = ids_of(
        &mut *tx,
        "data_classes",
        &request.data_classes,
        Named::DataClasses,
    )
    .await?;
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
            if stored.kind == RequestKind::RegistryChange {
                return Err(AppError::Conflict {
                    message: "A registry change is edited on the tool's page: withdraw this one and propose the change again.".into(),
                });
            }
            state::next(stored.state, RequestAction::Edit, party)
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
