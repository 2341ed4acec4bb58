//! The hash-chained audit log: appends, concurrency, append-only triggers and tamper detection.

use app::backend::audit::{self, NewEvent, Verification};
use app::domain::{Actor, AuditAction};
use chrono::Utc;
use sqlx::{Connection, Executor, PgConnection, PgPool};

use crate::helpers::{server_options, spawn_app, TestApp};

async fn append_events(pool: &PgPool, count: usize) {
    for _ in 0..count {
        let mut tx = pool.begin().await.expect("begin");
        audit::append(
            &mut tx,
            NewEvent::new(Actor::System, AuditAction::DemoLoaded),
            Utc::now(),
        )
        .await
        .expect("append");
        tx.commit().await.expect("commit");
    }
}

/// A superuser connection with the append-only triggers switched off, as an attacker with
/// database access would have.
async fn superuser(app: &TestApp) -> PgConnection {
    let mut conn = PgConnection::connect_with(&server_options().database(&app.database))
        .await
        .expect("connect");
    conn.execute("SET session_replication_role = replica")
        .await
        .expect("disable triggers");
    conn
}

async fn verify(app: &TestApp) -> Verification {
    audit::verify(&app.pool).await.expect("verify runs")
}

#[tokio::test]
async fn loading_the_demo_is_audited_once() {
    let app = spawn_app().await;
    app.load_demo().await;
    app.load_demo().await;
    let actions: Vec<(i64, String, String)> =
        sqlx::query_as("SELECT seq, action, actor FROM audit_events WHERE action = 'demo.loaded'")
            .fetch_all(&app.pool)
            .await
            .expect("events");
    assert_eq!(actions.len(), 1);
    assert_eq!(
        (actions[0].1.as_str(), actions[0].2.as_str()),
        ("demo.loaded", "operator")
    );
    let events: i64 = sqlx::query_scalar("SELECT count(*) FROM audit_events")
        .fetch_one(&app.pool)
        .await
        .expect("count");
    // One event per demo person and per demo tool created, one per step of the demo requests
    // that is audited, and one for the load.
    let tools: i64 =
        sqlx::query_scalar("SELECT count(*) FROM audit_events WHERE action = 'tool.created'")
            .fetch_one(&app.pool)
            .await
            .expect("count");
    assert!(tools >= 8, "the demo registry");
    let request_steps: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM audit_events
         WHERE action LIKE 'request.%' OR action IN ('tool.updated', 'checklist.item_updated')",
    )
    .fetch_one(&app.pool)
    .await
    .expect("count");
    assert!(
        request_steps >= 9,
        "the demo requests and checklist progress"
    );
    assert_eq!(
        events,
        1 + app::backend::demo::DEMO_PEOPLE.len() as i64 + tools + request_steps
    );
    assert_eq!(verify(&app).await, Verification::Intact { events });
}

#[tokio::test]
async fn an_empty_chain_verifies() {
    let app = spawn_app().await;
    assert_eq!(verify(&app).await, Verification::Intact { events: 0 });
}

#[tokio::test]
async fn fifty_concurrent_appends_form_one_chain() {
    let app = spawn_app().await;
    let tasks: Vec<_> = (0..50)
        .map(|_| {
            let pool = app.pool.clone();
            tokio::spawn(async move { append_events(&pool, 1).await })
        })
        .collect();
    for task in tasks {
        task.await.expect("task");
    }
    let seqs: Vec<i64> = sqlx::query_scalar("SELECT seq FROM audit_events ORDER BY seq")
        .fetch_all(&app.pool)
        .await
        .expect("seqs");
    assert_eq!(seqs, (1..=50).collect::<Vec<_>>());
    assert_eq!(verify(&app).await, Verification::Intact { events: 50 });
}

#[tokio::test]
async fn the_log_refuses_updates_deletes_and_truncation() {
    let app = spawn_app().await;
    append_events(&app.pool, 2).await;
    for statement in [
        "UPDATE audit_events SET action = 'nothing.happened' WHERE seq = 1",
        "DELETE FROM audit_events WHERE seq = 2",
        "TRUNCATE audit_events",
    ] {
        let error = sqlx::query(statement)
            .execute(&app.pool)
            .await
            .expect_err(statement);
        assert!(
            error.to_string().contains("append-only"),
            "{statement}: {error}"
        );
    }
    assert_eq!(verify(&app).await, Verification::Intact { events: 2 });
}

#[tokio::test]
async fn an_edited_payload_is_found_at_its_sequence_number() {
    let app = spawn_app().await;
    append_events(&app.pool, 30).await;
    let mut conn = superuser(&app).await;
    conn.execute(
        "UPDATE audit_events SET payload = replace(payload, 'system', 'operator') WHERE seq = 17",
    )
    .await
    .expect("tamper");
    assert!(matches!(
        verify(&app).await,
        Verification::Broken { seq: 17, .. }
    ));
}

#[tokio::test]
async fn an_edited_filter_column_is_found() {
    let app = spawn_app().await;
    append_events(&app.pool, 5).await;
    let mut conn = superuser(&app).await;
    conn.execute("UPDATE audit_events SET actor = 'someone-else' WHERE seq = 4")
        .await
        .expect("tamper");
    assert!(matches!(
        verify(&app).await,
        Verification::Broken { seq: 4, .. }
    ));
}

#[tokio::test]
async fn a_deleted_event_is_found_in_the_middle_and_at_the_end() {
    let app = spawn_app().await;
    append_events(&app.pool, 10).await;
    let mut conn = superuser(&app).await;
    conn.execute("DELETE FROM audit_events WHERE seq = 10")
        .await
        .expect("delete the last");
    assert!(matches!(
        verify(&app).await,
        Verification::Broken { seq: 10, .. }
    ));
    conn.execute("DELETE FROM audit_events WHERE seq = 6")
        .await
        .expect("delete one in the middle");
    assert!(matches!(
        verify(&app).await,
        Verification::Broken { seq: 6, .. }
    ));
}

#[tokio::test]
async fn a_rewritten_chain_still_disagrees_with_the_head() {
    // Re-hashing everything after an edit is not enough: the head remembers the last hash.
    let app = spawn_app().await;
    append_events(&app.pool, 3).await;
    let mut conn = superuser(&app).await;
    let rows: Vec<(i64, Vec<u8>, String)> =
        sqlx::query_as("SELECT seq, prev_hash, payload FROM audit_events ORDER BY seq")
            .fetch_all(&mut conn)
            .await
            .expect("rows");
    let mut prev = vec![0u8; 32];
    for (seq, _, payload) in rows {
        let payload = payload.replace("system", "operator");
        let hash = audit::entry_hash(seq, &prev, payload.as_bytes());
        sqlx::query(
            "UPDATE audit_events SET prev_hash = $2, entry_hash = $3, payload = $4, actor = 'operator' WHERE seq = $1",
        )
        .bind(seq)
        .bind(&prev)
        .bind(&hash[..])
        .bind(&payload)
        .execute(&mut conn)
        .await
        .expect("rewrite");
        prev = hash.to_vec();
    }
    assert!(matches!(
        verify(&app).await,
        Verification::Broken { seq: 4, .. }
    ));
}

#[tokio::test]
async fn the_command_line_reports_ok_or_the_first_bad_sequence() {
    let app = spawn_app().await;
    append_events(&app.pool, 3).await;
    let url = app.database_url();
    let run = || {
        std::process::Command::new(env!("CARGO_BIN_EXE_server"))
            .args(["--database-url", &url, "audit", "verify"])
            .output()
            .expect("run server audit verify")
    };
    let ok = run();
    assert!(
        ok.status.success(),
        "{}",
        String::from_utf8_lossy(&ok.stderr)
    );
    assert!(String::from_utf8_lossy(&ok.stdout).contains("audit chain OK: 3 events verified"));

    let mut conn = superuser(&app).await;
    conn.execute("UPDATE audit_events SET payload = payload || ' ' WHERE seq = 2")
        .await
        .expect("tamper");
    let broken = run();
    assert!(!broken.status.success());
    let stderr = String::from_utf8_lossy(&broken.stderr);
    assert!(stderr.contains("sequence number 2"), "{stderr}");
}

/// The run-time role reads the audit log and appends through `audit_append`; it cannot insert
/// an event of its own making, change or delete one, move the chain head, or drop the guard.
#[tokio::test]
async fn the_run_time_role_may_append_to_the_audit_log_but_never_change_it() {
    use server::database::{can_rewrite_audit, grant_runtime_role};
    let app = spawn_app().await;
    let role = format!("{}_app", app.database);
    sqlx::query(&format!("DROP ROLE IF EXISTS {role}"))
        .execute(&app.pool)
        .await
        .expect("drop");
    grant_runtime_role(&app.pool, &role, true)
        .await
        .expect("granted");
    assert!(
        can_rewrite_audit(&app.pool).await.expect("owner"),
        "the owner could"
    );
    let runtime = crate::helpers::pool_as(&app.database, &role).await;
    assert!(!can_rewrite_audit(&runtime).await.expect("run-time"));

    // Appending works, through the function that keeps the chain.
    let mut conn = runtime.acquire().await.expect("connection");
    let event = app::backend::audit::NewEvent::new(
        app::domain::Actor::Operator,
        app::domain::AuditAction::DemoLoaded,
    );
    app::backend::audit::append(&mut conn, event, chrono::Utc::now())
        .await
        .expect("appended as the run-time role");
    for statement in [
        "UPDATE audit_events SET payload = '{}' WHERE seq = 1",
        "DELETE FROM audit_events",
        "TRUNCATE audit_events",
        "UPDATE audit_chain_head SET last_seq = 0",
        "INSERT INTO audit_events (seq, prev_hash, entry_hash, payload, occurred_at, action, actor)
         VALUES (999, '\\x00', '\\x00', '{}', now(), 'x', 'x')",
        "ALTER TABLE audit_events DISABLE TRIGGER audit_events_no_update_or_delete",
        "DROP TRIGGER audit_events_no_update_or_delete ON audit_events",
        "UPDATE audit_checkpoints SET seq = 1",
    ] {
        let refused = sqlx::query(statement).execute(&mut *conn).await;
        let error = refused.expect_err(statement);
        let code = error
            .as_database_error()
            .and_then(|db| db.code())
            .map(|code| code.into_owned());
        assert!(
            matches!(code.as_deref(), Some("42501")),
            "{statement}: refused for lack of privilege, got {error}"
        );
    }
    drop(conn);
    runtime.close().await;
    match app::backend::audit::verify(&app.pool)
        .await
        .expect("verify")
    {
        app::backend::audit::Verification::Intact { .. } => {}
        broken => panic!("{broken:?}"),
    }
}
