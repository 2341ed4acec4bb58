//! Reviewers add, edit and retire a data class's detectors. Saving compiles the detector within
//! the size limits and runs its own examples first; every save is a version and an audit event.

use serde_json::{json, Value};
use sqlx::{PgConnection, PgPool};
use uuid::Uuid;

use crate::backend::audit::{self, NewEvent};
use crate::backend::identity::users::Principal;
use crate::backend::platform::access::authorize;
use crate::backend::platform::change::Change;
use crate::domain::scan::builtins::Builtin;
use crate::domain::scan::engine::{check_detector, pattern_field, spec_of, Scanner};
use crate::domain::scan::{DetectorForm, DetectorKind, ValidDetector};
use crate::domain::{AuditAction, Permission};
use crate::error::{AppError, OnConstraint, OrInternal};
use crate::model::{BuiltinOption, ClassDetectors, DetectorView};

/// A class's detectors, in force first, and what the editor offers.
pub async fn for_class(
    pool: &PgPool,
    principal: &Principal,
    class: &str,
) -> Result<ClassDetectors, AppError> {
    authorize(principal, Permission::ViewRegistry)?;
    let rows = sqlx::query!(
        r#"SELECT s.detector_id, s.name, s.kind, s.pattern, s.keywords, s.case_sensitive,
             s.must_match, s.must_not_match, s.version, s.retired_at, s.updated_at,
             u.display_name AS "updated_by?"
           FROM scan_detectors s
           JOIN data_classes d ON d.data_class_id = s.data_class_id
           LEFT JOIN users u ON u.user_id = s.updated_by
           WHERE d.slug = $1
           ORDER BY s.retired_at IS NOT NULL, s.kind = 'builtin' DESC, lower(s.name)"#,
        class
    )
    .fetch_all(pool)
    .await?;
    let detectors = rows
        .into_iter()
        .map(|row| {
            let kind = DetectorKind::parse(&row.kind).or_internal("reading a detector's kind")?;
            Ok(DetectorView {
                id: row.detector_id.to_string(),
                name: row.name,
                kind,
                pattern: row.pattern,
                keywords: row.keywords,
                case_sensitive: row.case_sensitive,
                must_match: row.must_match,
                must_not_match: row.must_not_match,
                version: row.version,
                retired_at: row.retired_at,
                updated_at: row.updated_at,
                updated_by: row.updated_by,
            })
        })
        .collect::<Result<Vec<_>, AppError>>()?;
    Ok(ClassDetectors {
        detectors,
        builtins: Builtin::ALL
            .iter()
            .map(|b| BuiltinOption {
                slug: b.slug().to_owned(),
                label: b.label().to_owned(),
            })
            .collect(),
        can_edit: principal.may(Permission::ManageRegistry),
    })
}

fn snapshot(detector: &ValidDetector, retired: bool) -> Value {
    json!({
        "name": detector.name,
        "kind": detector.kind.as_str(),
        "pattern": detector.pattern,
        "keywords": detector.keywords,
        "case_sensitive": detector.case_sensitive,
        "must_match": detector.must_match,
        "must_not_match": detector.must_not_match,
        "retired": retired,
    })
}

/// Keeps version `version` of a detector and audits it, in the caller's transaction.
async fn record(
    conn: &mut PgConnection,
    change: &Change,
    action: AuditAction,
    class: &str,
    detector_id: Uuid,
    version: i32,
    (before, after): (Option<Value>, Value),
) -> Result<(), AppError> {
    sqlx::query!(
        "INSERT INTO scan_detector_versions (detector_id, version, snapshot, saved_by, saved_at)
         VALUES ($1, $2, $3, $4, $5)",
        detector_id,
        version,
        after,
        change.by,
        change.now
    )
    .execute(&mut *conn)
    .await?;
    let mut event = NewEvent::new(change.actor.clone(), action)
        .target(format!("detector:{class}/{detector_id}"))
        .source(change.source)
        .after(json!({ "version": version, "detector": after }));
    if let Some(before) = before {
        event = event.before(before);
    }
    audit::append(conn, event, change.now).await?;
    Ok(())
}

/// The stored detector `id` of class `class`, locked for a change; retired ones are final.
async fn lock(
    conn: &mut PgConnection,
    class: &str,
    id: &str,
) -> Result<(Uuid, i32, Value), AppError> {
    let id = Uuid::parse_str(id.trim()).map_err(|_| AppError::NotFound)?;
    let row = sqlx::query!(
        r#"SELECT s.version, s.retired_at, v.snapshot AS "snapshot?"
           FROM scan_detectors s
           JOIN data_classes d ON d.data_class_id = s.data_class_id
           LEFT JOIN scan_detector_versions v
             ON v.detector_id = s.detector_id AND v.version = s.version
           WHERE s.detector_id = $1 AND d.slug = $2
           FOR UPDATE OF s"#,
        id,
        class
    )
    .fetch_optional(&mut *conn)
    .await?
    .ok_or(AppError::NotFound)?;
    if row.retired_at.is_some() {
        return Err(AppError::Conflict {
            message: "This detector is retired; add a new one instead.".into(),
        });
    }
    Ok((id, row.version, row.snapshot.unwrap_or(Value::Null)))
}

/// Adds a detector to `class` (`id` is `None`) or changes detector `id`; returns its id.
#[tracing::instrument(skip_all)]
pub async fn save(
    pool: &PgPool,
    principal: &Principal,
    change: &Change,
    class: &str,
    id: Option<&str>,
    form: &DetectorForm,
) -> Result<String, AppError> {
    authorize(principal, Permission::ManageRegistry)?;
    let detector = form.validate()?;
    check_detector(&detector)?;
    // The rule set is one automaton: with every other detector in force it must still compile,
    // or every scan would fail.
    let mut specs = super::rules::load(pool).await?.detectors;
    if let Some(id) = id {
        specs.retain(|spec| spec.id != id.trim());
    }
    specs.push(spec_of(&detector));
    if Scanner::new(specs).is_err() {
        return Err(AppError::invalid(
            pattern_field(detector.kind),
            "together with the other detectors in force the rule set grows past the scanner's limits: make it smaller",
        ));
    }
    let mut tx = pool.begin().await?;
    let after = snapshot(&detector, false);
    let (detector_id, version, before) = match id {
        Some(id) => {
            let (detector_id, version, before) = lock(&mut tx, class, id).await?;
            sqlx::query!(
                "UPDATE scan_detectors SET name = $2, kind = $3, pattern = $4, keywords = $5,
                   case_sensitive = $6, must_match = $7, must_not_match = $8,
                   version = version + 1, updated_by = $9, updated_at = $10
                 WHERE detector_id = $1",
                detector_id,
                detector.name,
                detector.kind.as_str(),
                detector.pattern,
                &detector.keywords,
                detector.case_sensitive,
                &detector.must_match,
                &detector.must_not_match,
                change.by,
                change.now
            )
            .execute(&mut *tx)
            .await
            .on_constraint(
                "scan_detectors_name_key",
                "name",
                "is already used by another detector of this class",
            )?;
            (detector_id, version + 1, Some(before))
        }
        None => {
            let detector_id = sqlx::query_scalar!(
                "INSERT INTO scan_detectors (data_class_id, name, kind, pattern, keywords,
                   case_sensitive, must_match, must_not_match, updated_by, updated_at)
                 SELECT data_class_id, $2, $3, $4, $5, $6, $7, $8, $9, $10
                 FROM data_classes WHERE slug = $1
                 RETURNING detector_id",
                class,
                detector.name,
                detector.kind.as_str(),
                detector.pattern,
                &detector.keywords,
                detector.case_sensitive,
                &detector.must_match,
                &detector.must_not_match,
                change.by,
                change.now
            )
            .fetch_optional(&mut *tx)
            .await
            .on_constraint(
                "scan_detectors_name_key",
                "name",
                "is already used by another detector of this class",
            )?
            .ok_or(AppError::NotFound)?;
            (detector_id, 1, None)
        }
    };
    record(
        &mut tx,
        change,
        AuditAction::DetectorSaved,
        class,
        detector_id,
        version,
        (before, after),
    )
    .await?;
    tx.commit().await?;
    Ok(detector_id.to_string())
}

/// Retires detector `id` of `class`: scans stop using it; its versions stay.
pub async fn retire(
    pool: &PgPool,
    principal: &Principal,
    change: &Change,
    class: &str,
    id: &str,
) -> Result<(), AppError> {
    authorize(principal, Permission::ManageRegistry)?;
    let mut tx = pool.begin().await?;
    let (detector_id, version, before) = lock(&mut tx, class, id).await?;
    sqlx::query!(
        "UPDATE scan_detectors SET retired_at = $2, version = version + 1, updated_by = $3,
           updated_at = $2
         WHERE detector_id = $1",
        detector_id,
        change.now,
        change.by
    )
    .execute(&mut *tx)
    .await?;
    let mut after = before.clone();
    if let Some(fields) = after.as_object_mut() {
        fields.insert("retired".into(), Value::Bool(true));
    }
    record(
        &mut tx,
        change,
        AuditAction::DetectorRetired,
        class,
        detector_id,
        version + 1,
        (Some(before), after),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}
