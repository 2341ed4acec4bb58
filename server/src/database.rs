//! Connecting to PostgreSQL (the configured server or a private one) and applying migrations.

use std::time::{Duration, Instant};

use app::backend::platform::db_trouble;
use sqlx::migrate::{MigrateError, Migrator};
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::{Connection, PgPool};

use crate::config::GlobalOptions;
use crate::postgres::{Durability, PostgresError, PrivateCluster};

/// The migrations in `migrations/`, embedded in the binary.
pub static MIGRATOR: Migrator = sqlx::migrate!("../migrations");

/// The database the private cluster keeps the portal's data in.
pub const PRIVATE_DATABASE: &str = "portal";

#[derive(Debug, thiserror::Error)]
pub enum DatabaseError {
    #[error("DATABASE_URL is not a valid PostgreSQL URL: {0}")]
    BadUrl(sqlx::Error),
    #[error("could not connect to PostgreSQL: {0}")]
    Connect(sqlx::Error),
    #[error(transparent)]
    Private(#[from] PostgresError),
    #[error("migration {version} ({description}) failed: {source}")]
    Migration {
        version: i64,
        description: String,
        source: sqlx::Error,
    },
    #[error("migrations could not be applied: {0}")]
    Migrate(MigrateError),
    #[error("could not set the run-time role's rights: {0}")]
    Grant(sqlx::Error),
}

/// Where the data lives: the configured server, or a private cluster this process owns.
pub struct Database {
    /// The portal's run-time connections: a role that may read the audit log and append to it,
    /// never change it (unless the operator gave the portal an owner role: see `can_rewrite_audit`).
    pub pool: PgPool,
    /// Kept alive as long as the portal runs; dropping it stops PostgreSQL.
    pub private: Option<PrivateCluster>,
}

/// The run-time role the private cluster creates for the portal.
pub const RUNTIME_ROLE: &str = "portal_app";

impl Database {
    /// Connects to the configured PostgreSQL (`--database-url`, with `--database-owner-url` for
    /// migrations), or — without one — starts the private cluster under the data folder, with
    /// an owner role for migrations and [`RUNTIME_ROLE`] for everything else. Either way the
    /// migrations are applied, and the run-time role's rights set, before this returns.
    pub async fn open(global: &GlobalOptions) -> Result<Self, DatabaseError> {
        let parse = |url: &str| {
            url.parse::<PgConnectOptions>()
                .map_err(DatabaseError::BadUrl)
        };
        let (owner, runtime, private) = match global.database_url.as_deref() {
            Some(url) => {
                let runtime = parse(url)?;
                let owner = global
                    .database_owner_url
                    .as_deref()
                    .map(parse)
                    .transpose()?;
                (owner, runtime, None)
            }
            None => {
                let cluster =
                    PrivateCluster::start(&global.data_dir, PRIVATE_DATABASE, Durability::Durable)
                        .await?;
                let owner = cluster.connect_options(PRIVATE_DATABASE);
                let runtime = owner.clone().username(RUNTIME_ROLE);
                (Some(owner), runtime, Some(cluster))
            }
        };
        if let Some(owner) = owner {
            let owner = pool_options()
                .max_connections(1)
                .connect_with(owner)
                .await
                .map_err(DatabaseError::Connect)?;
            migrate(&MIGRATOR, &owner).await?;
            let role = runtime.get_username().to_owned();
            grant_runtime_role(&owner, &role, private.is_some())
                .await
                .map_err(DatabaseError::Grant)?;
            owner.close().await;
        }
        let pool = pool_options()
            .max_connections(global.pool_size())
            .connect_with(runtime)
            .await
            .map_err(DatabaseError::Connect)?;
        if global.database_owner_url.is_none() && private.is_none() {
            migrate(&MIGRATOR, &pool).await?;
        }
        Ok(Self { pool, private })
    }
}

/// Gives `role` what the portal needs at run time and no more on the audit log: it reads the
/// audit tables and appends through `audit_append` (which extends the chain with its owner's
/// rights); it keeps checkpoints it makes but cannot change them. `create`: make the role first
/// (the private cluster). Run as the tables' owner after every migration.
pub async fn grant_runtime_role(
    owner: &PgPool,
    role: &str,
    create: bool,
) -> Result<(), sqlx::Error> {
    if role.is_empty()
        || !role
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
    {
        return Err(sqlx::Error::Configuration(
            format!("the run-time role {role:?} must be lowercase letters, digits and _").into(),
        ));
    }
    let mut tx = owner.begin().await?;
    if create {
        let exists: bool =
            sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = $1)")
                .bind(role)
                .fetch_one(&mut *tx)
                .await?;
        if !exists {
            sqlx::query(&format!("CREATE ROLE {role} LOGIN"))
                .execute(&mut *tx)
                .await?;
        }
    }
    for statement in [
        format!("GRANT USAGE ON SCHEMA public TO {role}"),
        format!("GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {role}"),
        format!("GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {role}"),
        format!("REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON audit_events, audit_chain_head, _sqlx_migrations FROM {role}"),
        format!("REVOKE UPDATE, DELETE, TRUNCATE ON audit_checkpoints FROM {role}"),
        format!("GRANT EXECUTE ON FUNCTION audit_append(text, timestamptz, text, text, text) TO {role}"),
    ] {
        sqlx::query(&statement).execute(&mut *tx).await?;
    }
    tx.commit().await
}

/// Whether the role behind `pool` could rewrite the audit log: a superuser, a member of the
/// owner's role, or one holding UPDATE, DELETE or TRUNCATE on it.
pub async fn can_rewrite_audit(pool: &PgPool) -> Result<bool, sqlx::Error> {
    sqlx::query_scalar(
        "SELECT (SELECT rolsuper FROM pg_roles WHERE rolname = current_user)
             OR pg_has_role(current_user, (SELECT tableowner FROM pg_tables
                                           WHERE schemaname = 'public' AND tablename = 'audit_events'), 'USAGE')
             OR has_table_privilege('audit_events', 'UPDATE')
             OR has_table_privilege('audit_events', 'DELETE')
             OR has_table_privilege('audit_events', 'TRUNCATE')",
    )
    .fetch_one(pool)
    .await
}

/// A connection idle for longer than this is pinged before it is handed out.
const PING_AFTER_IDLE: Duration = Duration::from_secs(1);
/// For this long after any statement failed, every connection is pinged before use.
const PING_AFTER_TROUBLE: Duration = Duration::from_secs(10);

/// Pool settings shared by the server and the tests. A connection in steady use is handed out
/// without a ping (sqlx pings before every acquire by default: a round trip per query; not
/// pinging raised the registry API's rate by 12–14 % in `bench/registry.sh`). One idle for a
/// second or more, or any connection shortly after a statement failed (PostgreSQL restarted,
/// connections terminated: `db_trouble`), is pinged, and dropped for another if the ping fails.
pub fn pool_options() -> PgPoolOptions {
    PgPoolOptions::new()
        .max_connections(default_pool_size())
        .acquire_timeout(Duration::from_secs(5))
        .test_before_acquire(false)
        .before_acquire(|conn, meta| {
            Box::pin(async move {
                let trouble = db_trouble::within(PING_AFTER_TROUBLE, Instant::now());
                if meta.idle_for < PING_AFTER_IDLE && !trouble {
                    return Ok(true);
                }
                Ok(conn.ping().await.is_ok())
            })
        })
}

/// Twice the CPU cores plus two: PostgreSQL does best with few busy backends per core; more
/// connections only queue inside it (measured in `bench/registry.sh`: on two cores, 6
/// connections served the registry API 12 % faster than 20, with a lower p99).
pub fn default_pool_size() -> u32 {
    let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
    u32::try_from(cores * 2 + 2).unwrap_or(u32::MAX)
}

/// Applies `migrator`, naming the migration that failed.
pub async fn migrate(migrator: &Migrator, pool: &PgPool) -> Result<(), DatabaseError> {
    migrator.run(pool).await.map_err(|error| match error {
        MigrateError::ExecuteMigration(source, version) => DatabaseError::Migration {
            version,
            description: migrator
                .iter()
                .find(|m| m.version == version)
                .map(|m| m.description.to_string())
                .unwrap_or_default(),
            source,
        },
        other => DatabaseError::Migrate(other),
    })
}

/// Whether every embedded migration has been applied successfully.
pub async fn migrations_applied(pool: &PgPool) -> Result<bool, sqlx::Error> {
    let applied: Vec<i64> =
        sqlx::query_scalar("SELECT version FROM _sqlx_migrations WHERE success ORDER BY version")
            .fetch_all(pool)
            .await
            .or_else(|error| match &error {
                // No migration table yet: reachable, but nothing applied.
                sqlx::Error::Database(db) if db.code().as_deref() == Some("42P01") => {
                    Ok(Vec::new())
                }
                _ => Err(error),
            })?;
    Ok(MIGRATOR
        .iter()
        .filter(|m| m.migration_type.is_up_migration())
        .all(|m| applied.binary_search(&m.version).is_ok()))
}
