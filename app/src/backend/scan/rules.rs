//! The rule set: every detector in force with its class, in one list, and its version (the
//! last saved detector version). Compiling it takes milliseconds, so each instance keeps the
//! compiled scanner ([`ScannerCache`]) and compares a fingerprint of the tables it came from (one
//! cheap statement) whenever a change was notified, and at least once a second.

use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use sqlx::PgPool;

use crate::backend::platform::notified::{self, Cache, Forget};
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

/// The compiled rule set and what it was built from.
#[derive(Debug)]
struct Compiled {
    fingerprint: Fingerprint,
    version: i64,
    scanner: Arc<Scanner>,
}

/// The compiled rule set of this instance. The fingerprint read last is kept like any notified
/// answer (`platform::notified::Cache`): a committed change to a detector or a class notifies
/// `portal_rules` (migration `cache_notifications`) and the next scan reads it again; without
/// notifications (not listening) every scan reads it, and with them at least once per TTL,
/// should one be missed. A fingerprint that moved recompiles.
#[derive(Debug)]
pub struct ScannerCache {
    checked: Arc<Cache<(), Fingerprint>>,
    compiled: Mutex<Option<Compiled>>,
}

impl Default for ScannerCache {
    fn default() -> Self {
        Self::new(notified::TTL)
    }
}

/// The channel the triggers notify.
pub const CHANNEL: &str = "portal_rules";

impl ScannerCache {
    /// A fingerprint found is trusted for at most `ttl` without a notification.
    pub fn new(ttl: Duration) -> Self {
        Self {
            checked: Cache::new(ttl, 1),
            compiled: Mutex::default(),
        }
    }

    fn compiled(&self) -> MutexGuard<'_, Option<Compiled>> {
        // A panic while holding the lock leaves only a cache behind; it is still usable.
        self.compiled.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The scanner for the rules in force now, and their version.
    pub async fn current(&self, pool: &PgPool) -> Result<(Arc<Scanner>, i64), AppError> {
        let now = self
            .checked
            .get_or_load((), Instant::now(), |_| true, || fingerprint(pool))
            .await?;
        if let Some(compiled) = self.compiled().as_ref().filter(|c| c.fingerprint == now) {
            return Ok((compiled.scanner.clone(), compiled.version));
        }
        // Read after the fingerprint: a change in between was notified, so the next scan reads
        // the fingerprint again and finds it moved.
        let rules = load(pool).await?;
        // Each save compiled the whole set; it fails only if rows were changed behind the
        // portal's back (or two saves raced past the limits together).
        let scanner =
            Arc::new(Scanner::new(rules.detectors).or_internal("compiling the detectors")?);
        *self.compiled() = Some(Compiled {
            fingerprint: now,
            version: rules.version,
            scanner: scanner.clone(),
        });
        Ok((scanner, rules.version))
    }
}

impl Forget for ScannerCache {
    fn forget_all(&self) {
        self.checked.forget_all();
    }

    fn set_listening(&self, listening: bool) {
        self.checked.set_listening(listening);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn in_force(cache: &ScannerCache, pool: &PgPool) -> usize {
        cache.current(pool).await.expect("scanner").0.specs().len()
    }

    /// Retires one shipped detector; with `quietly`, as if the notification were lost.
    async fn retire_one(pool: &PgPool, quietly: bool) {
        let mut tx = pool.begin().await.expect("begin");
        if quietly {
            sqlx::query("SET LOCAL session_replication_role = replica")
                .execute(&mut *tx)
                .await
                .expect("triggers off");
        }
        sqlx::query(
            "UPDATE scan_detectors SET retired_at = now() WHERE detector_id =
                 (SELECT detector_id FROM scan_detectors WHERE retired_at IS NULL LIMIT 1)",
        )
        .execute(&mut *tx)
        .await
        .expect("retired");
        tx.commit().await.expect("commit");
    }

    /// Through PostgreSQL: while listening the fingerprint is not asked for again until a change
    /// is notified (a silent change goes unseen within the TTL), and a notified change is used
    /// by the next scan, long before the TTL.
    #[sqlx::test(migrations = "../migrations")]
    async fn a_committed_change_is_used_by_the_next_scan(pool: PgPool) {
        let cache = Arc::new(ScannerCache::new(Duration::from_secs(60)));
        let first = in_force(&cache, &pool).await;
        // Not listening yet: every scan asks, so even a silent change is seen.
        retire_one(&pool, true).await;
        assert_eq!(in_force(&cache, &pool).await, first - 1);

        let task = notified::spawn_listener(&pool, vec![(CHANNEL, cache.clone())]);
        let deadline = Instant::now() + Duration::from_secs(10);
        while !cache.checked.is_listening() {
            assert!(Instant::now() < deadline, "the listener never connected");
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        assert_eq!(
            in_force(&cache, &pool).await,
            first - 1,
            "checked once more"
        );
        retire_one(&pool, true).await;
        assert_eq!(
            in_force(&cache, &pool).await,
            first - 1,
            "trusted within the TTL: no statement asked"
        );

        retire_one(&pool, false).await;
        let deadline = Instant::now() + Duration::from_secs(1);
        while in_force(&cache, &pool).await != first - 3 {
            assert!(
                Instant::now() < deadline,
                "the change is not used a second later"
            );
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        task.abort();
    }

    #[sqlx::test(migrations = "../migrations")]
    async fn without_notifications_the_ttl_bounds_staleness(pool: PgPool) {
        let cache = Arc::new(ScannerCache::new(Duration::from_millis(200)));
        cache.set_listening(true);
        let first = in_force(&cache, &pool).await;
        assert_eq!(in_force(&cache, &pool).await, first, "checked");
        retire_one(&pool, true).await;
        assert_eq!(in_force(&cache, &pool).await, first, "within the TTL");
        tokio::time::sleep(Duration::from_millis(250)).await;
        assert_eq!(in_force(&cache, &pool).await, first - 1, "past the TTL");
    }
}
