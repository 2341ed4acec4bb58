use server::database::{migrate, DatabaseError, MIGRATOR};
use sqlx::migrate::Migrator;

use crate::helpers::{create_database, pool_for};

#[tokio::test]
async fn a_failing_migration_stops_start_up_and_is_named() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(
        dir.path().join("20990101000001_create_widgets.sql"),
        "CREATE TABLE widgets (widget_id bigint PRIMARY KEY);",
    )
    .expect("write");
    std::fs::write(
        dir.path().join("20990101000002_add_broken_column.sql"),
        "ALTER TABLE widgets ADD COLUMN size no_such_type;",
    )
    .expect("write");
    let migrator = Migrator::new(dir.path()).await.expect("migrator");
    let pool = pool_for(&create_database().await).await;

    let error = migrate(&migrator, &pool).await.expect_err("must fail");
    match &error {
        DatabaseError::Migration {
            version,
            description,
            ..
        } => {
            assert_eq!(*version, 20990101000002);
            assert_eq!(description, "add broken column");
        }
        other => panic!("expected a migration error, got {other:?}"),
    }
    let message = error.to_string();
    assert!(
        message.contains("20990101000002") && message.contains("add broken column"),
        "{message}"
    );
    // The first migration stays applied; the failed one left nothing behind.
    let widgets: Option<String> = sqlx::query_scalar("SELECT to_regclass('widgets')::text")
        .fetch_one(&pool)
        .await
        .expect("query");
    assert_eq!(widgets.as_deref(), Some("widgets"));
}

#[tokio::test]
async fn the_embedded_migrations_apply_and_are_idempotent() {
    let pool = pool_for(&create_database().await).await;
    migrate(&MIGRATOR, &pool).await.expect("first run");
    migrate(&MIGRATOR, &pool)
        .await
        .expect("second run is a no-op");
    assert!(server::database::migrations_applied(&pool)
        .await
        .expect("check"));
}
