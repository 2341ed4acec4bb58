//! Data classes: what may and may not be sent to AI tools.

use serde_json::json;
use sqlx::PgPool;

use crate::backend::audit::{self, NewEvent};
use crate::backend::identity::auth::sign_off::{self, Signer};
use crate::backend::identity::auth::totp::SealingKey;
use crate::backend::identity::users::Principal;
use crate::backend::notifications;
use crate::backend::platform::change::Change;
use crate::domain::registry::widening::class_loosenings;
use crate::domain::{AuditAction, ClassificationLevel, DataClassForm, Role, TotpCode};
use crate::error::{AppError, OnConstraint};
use crate::model::DataClassView;

/// Every data class, most sensitive first, then by name.
pub async fn list(pool: &PgPool) -> Result<Vec<DataClassView>, AppError> {
    Ok(sqlx::query_as!(
        DataClassView,
        r#"SELECT slug, name, level AS "level: ClassificationLevel", prohibited_by_default,
             description, examples
           FROM data_classes
           ORDER BY array_position(ARRAY['restricted', 'confidential', 'internal', 'public'], level),
                    lower(name)"#
    )
    .fetch_all(pool)
    .await?)
}

/// One data class.
pub async fn get(pool: &PgPool, slug: &str) -> Result<DataClassView, AppError> {
    sqlx::query_as!(
        DataClassView,
        r#"SELECT slug, name, level AS "level: ClassificationLevel", prohibited_by_default,
             description, examples
           FROM data_classes WHERE slug = $1"#,
        slug
    )
    .fetch_optional(pool)
    .await?
    .ok_or(AppError::NotFound)
}

fn snapshot(class: &DataClassView) -> serde_json::Value {
    json!({
        "name": class.name,
        "level": class.level.label(),
        "prohibited_by_default": class.prohibited_by_default,
        "description": class.description,
        "examples": class.examples,
    })
}

/// Who edits a data class, and the code that signs a loosening (empty otherwise).
pub struct ClassEditor<'a> {
    pub principal: &'a Principal,
    pub totp_key: &'a SealingKey,
    pub code: &'a str,
}

/// Creates a data class (`original` is `None`) or changes the class `original` (its identifier
/// stays), audited in the same transaction; returns the identifier. Loosening a class (a lower
/// classification, or no longer prohibited by default) lowers the risk of every request that
/// touches it, so it is signed with the editor's fresh code and every reviewer and admin is told.
pub async fn save(
    pool: &PgPool,
    change: &Change,
    editor: &ClassEditor<'_>,
    original: Option<&str>,
    form: &DataClassForm,
) -> Result<String, AppError> {
    let class = form.validate()?;
    let signer = |slug: &str| Signer {
        principal: editor.principal,
        source: change.source,
        purpose: "data class loosening",
        target: format!("data_class:{slug}"),
    };
    // A code comes only to sign a loosening: refused at once, before any row is locked, while
    // the address is throttled or the editor's second factor is locked.
    if let (Some(original), false) = (original, editor.code.trim().is_empty()) {
        sign_off::precheck(pool, &signer(original), change.now).await?;
    }
    let mut tx = pool.begin().await?;
    let mut before = None;
    let slug = match original {
        Some(original) => {
            before = Some(
                sqlx::query_as!(
                    DataClassView,
                    r#"SELECT slug, name, level AS "level: ClassificationLevel",
                         prohibited_by_default, description, examples
                       FROM data_classes WHERE slug = $1 FOR UPDATE"#,
                    original
                )
                .fetch_optional(&mut *tx)
                .await?
                .ok_or(AppError::NotFound)?,
            );
            sqlx::query!(
                "UPDATE data_classes SET name = $2, level = $3, prohibited_by_default = $4,
                   description = $5, examples = $6, updated_at = $7
                 WHERE slug = $1",
                original,
                class.name,
                class.level.as_str(),
                class.prohibited_by_default,
                class.description,
                class.examples,
                change.now
            )
            .execute(&mut *tx)
            .await?;
            original.to_owned()
        }
        None => {
            sqlx::query!(
                "INSERT INTO data_classes (slug, name, level, prohibited_by_default, description,
                   examples, created_at, updated_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $7)",
                class.slug.as_str(),
                class.name,
                class.level.as_str(),
                class.prohibited_by_default,
                class.description,
                class.examples,
                change.now
            )
            .execute(&mut *tx)
            .await
            .on_constraint(
                "data_classes_slug_key",
                "slug",
                "is already used by another data class",
            )?;
            class.slug.as_str().to_owned()
        }
    };
    let after = snapshot(&DataClassView {
        slug: slug.clone(),
        name: class.name.clone(),
        level: class.level,
        prohibited_by_default: class.prohibited_by_default,
        description: class.description,
        examples: class.examples,
    });
    let loosened = before
        .as_ref()
        .map(|b| {
            class_loosenings(
                (b.level, b.prohibited_by_default),
                (class.level, class.prohibited_by_default),
            )
        })
        .filter(|loosened| !loosened.is_empty())
        .map(|loosened| loosened.join("; "));
    if let Some(loosened) = &loosened {
        let code = TotpCode::parse(editor.code).map_err(|m| AppError::invalid("code", m))?;
        sign_off::use_code(
            pool,
            &mut tx,
            editor.totp_key,
            &signer(&slug),
            &code,
            change.now,
        )
        .await?;
        let mut told = notifications::holders(&mut tx, Role::Reviewer).await?;
        told.extend(notifications::holders(&mut tx, Role::Admin).await?);
        let message = format!(
            "{} loosened the data class {}: {loosened}.",
            editor.principal.display_name, class.name,
        );
        let link = format!("/data-classes/{slug}");
        notifications::notify(
            &mut tx,
            crate::domain::notices::NoticeKind::Reviews,
            &told,
            editor.principal.user_id,
            &message,
            &link,
            change.now,
        )
        .await?;
    }
    let before = before.as_ref().map(snapshot);
    if before.as_ref() != Some(&after) {
        let action = if before.is_some() {
            AuditAction::DataClassUpdated
        } else {
            AuditAction::DataClassCreated
        };
        let mut after = after;
        if let (Some(loosened), Some(fields)) = (&loosened, after.as_object_mut()) {
            // Signed with a fresh code: the history says what was loosened.
            fields.insert("loosened".into(), json!(loosened));
        }
        let mut event = NewEvent::new(change.actor.clone(), action)
            .target(format!("data_class:{slug}"))
            .source(change.source)
            .after(after);
        if let Some(before) = before {
            event = event.before(before);
        }

        audit::append(&mut tx, event, change.now).await?;
    }
    tx.commit().await?;
    Ok(slug)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[sqlx::test(migrations = "../migrations")]
    async fn the_defaults_from_the_article_exist_from_the_start(pool: PgPool) {
        let classes = list(&pool).await.expect("listed");
        let slugs: Vec<&str> = classes.iter().map(|c| c.slug.as_str()).collect();
        for slug in [
            "customer-data",
            "credentials-secrets",
            "core-source-code",
            "personal-data",
            "financial-records",
            "health-data",
            "internal-documents",
        ] {
            assert!(slugs.contains(&slug), "{slug} missing from {slugs:?}");
        }
        let credentials = classes
            .iter()
            .find(|c| c.slug == "credentials-secrets")
            .expect("credentials");
        assert!(credentials.prohibited_by_default);
        assert_eq!(credentials.level, ClassificationLevel::Restricted);
        assert_eq!(
            classes[0].level,
            ClassificationLevel::Restricted,
            "most sensitive first"
        );
        assert_eq!(
            classes.last().map(|c| c.level),
            Some(ClassificationLevel::Public)
        );
    }
}
