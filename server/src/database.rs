//! Connecting to PostgreSQL (the configured server or a private one) and applying migrations.

use std::path::Path;
use std::time::Duration;

use sqlx::migrate::{MigrateError, Migrator};
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::PgPool;

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
}

/// Where the data lives: the configured server, or a private cluster this process owns.
pub struct Database {
    pub pool: PgPool,
    /// Kept alive as long as the portal runs; dropping it stops PostgreSQL.
    pub private: Option<PrivateCluster>,
}

impl Database {
    /// Connects to `url`, or — when it is `None` — starts the private cluster under `data_dir`,
    /// with at most `pool_size` connections. Either way the migrations are applied before this
    /// returns.
    pub async fn open(
        url: Option<&str>,
        data_dir: &Path,
        pool_size: u32,
    ) -> Result<Self, DatabaseError> {
        let (options, private) = match url {
            Some(url) => (
                url.parse::<PgConnectOptions>()
                    .map_err(DatabaseError::BadUrl)?,
                None,
            ),
            None => {
                let cluster =
                    PrivateCluster::start(data_dir, PRIVATE_DATABASE, Durability::Durable).await?;
                (cluster.connect_options(PRIVATE_DATABASE), Some(cluster))
            }
        };
        let pool = pool_options()
            .max_connections(pool_size)
            .connect_with(options)
            .await
            .map_err(DatabaseError::Connect)?;
        migrate(&MIGRATOR, &pool).await?;
        Ok(Self { pool, private })
    }
}

/// Pool settings shared by the server and the tests.
pub fn pool_options() -> PgPoolOptions {
    PgPoolOptions::new()
        .max_connections(default_pool_size())
        .acquire_timeout(Duration::from_secs(5))
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
