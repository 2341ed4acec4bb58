//! What the benches share: a throw-away database on `DATABASE_URL`'s server, and percentiles.

use std::time::Duration;

use server::database::{migrate, pool_options, MIGRATOR};
use sqlx::postgres::PgConnectOptions;
use sqlx::{Connection, Executor, PgConnection, PgPool};

/// A migrated database of its own, dropped by [`Database::drop`].
pub struct Database {
    /// `DATABASE_URL` as given (its server is the one used).
    pub url: String,
    pub name: String,
    pub pool: PgPool,
    admin: PgConnection,
}

impl Database {
    /// Creates and migrates `{prefix}_{pid}`.
    pub async fn create(prefix: &str) -> Self {
        let url =
            std::env::var("DATABASE_URL").expect("DATABASE_URL (the bench's script sets one)");
        let options: PgConnectOptions = url.parse().expect("DATABASE_URL");
        let name = format!("{prefix}_{}", std::process::id());
        let mut admin = PgConnection::connect_with(&options.clone().database("postgres"))
            .await
            .expect("connect");
        admin
            .execute(format!(r#"CREATE DATABASE "{name}""#).as_str())
            .await
            .expect("create database");
        let pool = pool_options()
            .connect_with(options.database(&name))
            .await
            .expect("pool");
        migrate(&MIGRATOR, &pool).await.expect("migrations");
        Self {
            url,
            name,
            pool,
            admin,
        }
    }

    pub async fn drop(mut self) {
        self.pool.close().await;
        self.admin
            .execute(format!(r#"DROP DATABASE "{}" WITH (FORCE)"#, self.name).as_str())
            .await
            .expect("drop database");
    }
}

/// The `p`-th percentile (nearest rank) of `sorted`.
pub fn percentile(sorted: &[Duration], p: usize) -> Duration {
    let rank = (p * sorted.len()).div_ceil(100);
    sorted[rank.clamp(1, sorted.len()) - 1]
}

pub fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1000.0)
}
