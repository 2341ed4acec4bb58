use app::backend::demo::{self, DEMO_TEAMS};
use app::error::AppError;
use chrono::Utc;

use crate::helpers::spawn_app;

#[tokio::test]
async fn loading_the_demo_twice_changes_nothing_the_second_time() {
    let app = spawn_app().await;
    let first = demo::load(&app.pool, Utc::now()).await.expect("first load");
    assert!(first.organization);
    assert_eq!(first.teams, DEMO_TEAMS.len() as u64);

    let second = demo::load(&app.pool, Utc::now())
        .await
        .expect("second load");
    assert!(!second.organization);
    assert_eq!(second.teams, 0);

    let teams: i64 = sqlx::query_scalar("SELECT count(*) FROM teams")
        .fetch_one(&app.pool)
        .await
        .expect("count");
    assert_eq!(teams, DEMO_TEAMS.len() as i64);
}

#[tokio::test]
async fn the_demo_is_never_loaded_into_a_real_organization() {
    let app = spawn_app().await;
    sqlx::query("INSERT INTO organization (name, is_demo) VALUES ('Real Corp', false)")
        .execute(&app.pool)
        .await
        .expect("real organization");

    let result = demo::load(&app.pool, Utc::now()).await;
    assert!(
        matches!(result, Err(AppError::Conflict { .. })),
        "{result:?}"
    );
    let teams: i64 = sqlx::query_scalar("SELECT count(*) FROM teams")
        .fetch_one(&app.pool)
        .await
        .expect("count");
    assert_eq!(teams, 0, "nothing half-written");
}
