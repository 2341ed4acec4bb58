//! The rule set: every detector in force with its class, in one list, and its version (the
//! last saved detector version). Compiling it takes milliseconds, so each instance keeps the
//! compiled scanner and checks, on every scan, a fingerprint of the tables it came from (one
//! cheap statement): a reviewer's change is used by the very next scan on every instance.

use std::sync::{Arc, RwLock};

use sqlx::PgPool;

use crate::domain::scan::engine::Scanner;
use crate::domain::scan::{DetectorKind, DetectorSpec};
use crate::error::{AppError, OrInternal};
use crate::model::ScanRules;

/// What the compiled scanner was built from: every detector's id, version and retirement, and
/// every class's identity, name, level and prohibition, hashed. Any saved change moves it,
/// whatever order transactions commit in (a sequence's maximum would not).
#[derive(Debug, Clone, PartialEq, Eq)]
struct Fingerprint {
    version: i64,
    detectors: String,
    classes: String,
}

async fn fingerprint(pool: &PgPool) -> Result<Fingerprint, AppError> {
    let row = sqlx::query!(
        r#"SELECT COALESCE((SELECT max(seq) FROM scan_detector_versions), 0) AS "version!",
             (SELECT md5(COALESCE(string_agg(detector_id::text || ':' || version::text || ':'
                       || (retired_at IS NULL)::text, ',' ORDER BY detector_id), ''))
              FROM scan_detectors) AS "detectors!",
             (SELECT md5(COALESCE(string_agg(data_class_id::text || ':' || slug || ':' || name
                       || ':' || level || ':' || prohibited_by_default::text, ','
                       ORDER BY data_class_id), ''))
              FROM data_classes) AS "classes!""#
    )
    .fetch_one(pool)
    .await?;
    Ok(Fingerprint {
        version: row.version,
        detectors: row.detectors,
        classes: row.classes,
    })
}

/// Every detector in force, most sensitive class first, with the rule set's version.
pub async fn load(pool: &PgPool) -> Result<ScanRules, AppError> {
    let mut tx = pool.begin().await?;
    // One snapshot: the version and the list agree.
    sqlx::query!("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        .execute(&mut *tx)
        .await?;
    let version = sqlx::query_scalar!(
        r#"SELECT COALESCE(max(seq), 0) AS "version!" FROM scan_detector_versions"#
    )
    .fetch_one(&mut *tx)
    .await?;
    let rows = sqlx::query!(
        r#"SELECT s.detector_id, s.name, s.kind AS "kind: String", s.pattern, s.keywords,
             s.case_sensitive, d.slug AS class, d.name AS class_name, d.prohibited_by_default
           FROM scan_detectors s JOIN data_classes d ON d.data_class_id = s.data_class_id
           WHERE s.retired_at IS NULL
           ORDER BY array_position(ARRAY['restricted', 'confidential', 'internal', 'public'], d.level),
                    lower(d.name), s.kind = 'builtin' DESC, lower(s.name)"#
    )
    .fetch_all(&mut *tx)
    .await?;
    tx.commit().await?;
    let detectors = rows
        .into_iter()
        .map(|row| {
            Ok(DetectorSpec {
                id: row.detector_id.to_string(),
                name: row.name,
                class: row.class,
                class_name: row.class_name,
                prohibited: row.prohibited_by_default,
                kind: DetectorKind::parse(&row.kind)
                    .ok_or(row.kind)
                    .or_internal("reading a detector's kind")?,
                pattern: row.pattern,
                keywords: row.keywords,
                case_sensitive: row.case_sensitive,
            })
        })
        .collect::<Result<Vec<_>, AppError>>()?;
    Ok(ScanRules { version, detectors })
}

#[derive(Debug)]
struct Compiled {
    fingerprint: Fingerprint,
    version: i64,
    scanner: Arc<Scanner>,
}

/// The compiled rule set of this instance, rebuilt when the fingerprint moves.
#[derive(Debug, Default)]
pub struct ScannerCache {
    compiled: RwLock<Option<Compiled>>,
}

impl ScannerCache {
    /// The scanner for the rules in force now, and their version.
    pub async fn current(&self, pool: &PgPool) -> Result<(Arc<Scanner>, i64), AppError> {
        let now = fingerprint(pool).await?;
        let cached = self.compiled.read().ok().and_then(|guard| {
            guard
                .as_ref()
                .filter(|c| c.fingerprint == now)
                .map(|c| (c.scanner.clone(), c.version))
        });
        if let Some(cached) = cached {
            return Ok(cached);
        }
        let rules = load(pool).await?;
        // Each save compiled the whole set; it fails only if rows were changed behind the
        // portal's back (or two saves raced past the limits together).
        let scanner =
            Arc::new(Scanner::new(rules.detectors).or_internal("compiling the detectors")?);
        if let Ok(mut guard) = self.compiled.write() {
            *guard = Some(Compiled {
                fingerprint: now,
                version: rules.version,
                scanner: scanner.clone(),
            });
        }
        Ok((scanner, rules.version))
    }
}
