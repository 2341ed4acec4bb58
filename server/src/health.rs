//! Liveness and readiness probes for load balancers and orchestrators.

use std::time::Duration;

use app::backend::platform::db_trouble;
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use serde_json::{json, Value};
use sqlx::PgPool;

use crate::database::migrations_applied;

/// `/healthz`: the process is up and answering. Never touches the database.
pub async fn healthz() -> Json<Value> {
    Json(json!({ "status": "ok", "version": app::VERSION }))
}

/// `/readyz`: the database answers and every migration is applied; 503 otherwise.
pub async fn readyz(State(pool): State<PgPool>) -> (StatusCode, Json<Value>) {
    let check = tokio::time::timeout(Duration::from_secs(2), migrations_applied(&pool)).await;
    let (status, database, migrations) = match check {
        Ok(Ok(true)) => (StatusCode::OK, "ok", "applied"),
        Ok(Ok(false)) => (StatusCode::SERVICE_UNAVAILABLE, "ok", "pending"),
        Ok(Err(error)) => {
            db_trouble::noticed(std::time::Instant::now());
            tracing::warn!(%error, "readiness check: database unreachable");
            (StatusCode::SERVICE_UNAVAILABLE, "unreachable", "unknown")
        }
        Err(_) => {
            db_trouble::noticed(std::time::Instant::now());
            tracing::warn!("readiness check: database timed out");
            (StatusCode::SERVICE_UNAVAILABLE, "timeout", "unknown")
        }
    };
    let overall = if status == StatusCode::OK {
        "ready"
    } else {
        "unavailable"
    };
    (
        status,
        Json(json!({ "status": overall, "database": database, "migrations": migrations })),
    )
}
