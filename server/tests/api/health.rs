use serde_json::Value;
use sqlx::Executor;

use crate::helpers::{create_database, pool_for, server_options, spawn_app, spawn_app_on};

#[tokio::test]
async fn healthz_answers_with_the_version() {
    let app = spawn_app().await;
    let response = app.get("/healthz").await;
    assert_eq!(response.status(), 200);
    let body: Value = response.json().await.expect("json");
    assert_eq!(body["status"], "ok");
    assert_eq!(body["version"], env!("CARGO_PKG_VERSION"));
}

#[tokio::test]
async fn readyz_is_ready_with_a_migrated_database() {
    let app = spawn_app().await;
    let response = app.get("/readyz").await;
    assert_eq!(response.status(), 200);
    let body: Value = response.json().await.expect("json");
    assert_eq!(body["status"], "ready");
    assert_eq!(body["migrations"], "applied");
}

#[tokio::test]
async fn readyz_fails_while_migrations_are_pending() {
    let database = create_database().await;
    let pool = pool_for(&database).await;
    let app = spawn_app_on(database, pool).await;
    let response = app.get("/readyz").await;
    assert_eq!(response.status(), 503);
    let body: Value = response.json().await.expect("json");
    assert_eq!(body["database"], "ok");
    assert_eq!(body["migrations"], "pending");
}

#[tokio::test]
async fn readyz_fails_while_the_database_is_down_and_recovers() {
    let app = spawn_app().await;
    assert_eq!(app.get("/readyz").await.status(), 200);

    // Take the database away from the app: refuse new connections and end the open ones.
    let admin = sqlx::PgPool::connect_with(server_options().database("postgres"))
        .await
        .expect("admin connection");
    let name = &app.database;
    admin
        .execute(format!(r#"ALTER DATABASE "{name}" ALLOW_CONNECTIONS false"#).as_str())
        .await
        .expect("block connections");
    sqlx::query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1")
        .bind(name)
        .execute(&admin)
        .await
        .expect("terminate connections");

    let response = app.get("/readyz").await;
    assert_eq!(response.status(), 503);
    let body: Value = response.json().await.expect("json");
    assert_eq!(body["status"], "unavailable");
    assert_ne!(body["database"], "ok");
    // Liveness does not depend on the database.
    assert_eq!(app.get("/healthz").await.status(), 200);

    admin
        .execute(format!(r#"ALTER DATABASE "{name}" ALLOW_CONNECTIONS true"#).as_str())
        .await
        .expect("allow connections");
    assert_eq!(app.get("/readyz").await.status(), 200);
}
