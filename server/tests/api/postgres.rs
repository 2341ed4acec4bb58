//! The private PostgreSQL cluster's life cycle.

use std::time::Duration;

use server::postgres::{Durability, PostgresError, PrivateCluster};
use sqlx::{Connection, PgConnection};

use crate::helpers::world_searchable_tempdir;

async fn connect(cluster: &PrivateCluster) -> PgConnection {
    PgConnection::connect_with(&cluster.connect_options("portal"))
        .await
        .expect("connect")
}

async fn count_notes(cluster: &PrivateCluster) -> i64 {
    let mut conn = connect(cluster).await;
    sqlx::query_scalar("SELECT count(*) FROM notes")
        .fetch_one(&mut conn)
        .await
        .expect("count")
}

#[tokio::test]
async fn starts_keeps_data_across_restarts_and_recovers_from_a_crash() {
    let dir = world_searchable_tempdir();

    let cluster = PrivateCluster::start(dir.path(), "portal", Durability::Durable)
        .await
        .expect("first start runs initdb");
    assert!(dir.path().join("postgres/PG_VERSION").is_file());
    let mut conn = connect(&cluster).await;
    sqlx::query("CREATE TABLE notes (body text)")
        .execute(&mut conn)
        .await
        .expect("create");
    sqlx::query("INSERT INTO notes VALUES ('kept')")
        .execute(&mut conn)
        .await
        .expect("insert");
    conn.close().await.expect("close");
    cluster.stop().expect("clean stop");
    assert!(!dir.path().join("postgres/postmaster.pid").exists());

    // A restart finds the same data.
    let cluster = PrivateCluster::start(dir.path(), "portal", Durability::Durable)
        .await
        .expect("restart");
    assert_eq!(count_notes(&cluster).await, 1);

    // A crash: the postmaster is killed outright and leaves its pid file behind.
    let pid = cluster.pid().expect("running") as i32;
    nix::sys::signal::kill(
        nix::unistd::Pid::from_raw(pid),
        nix::sys::signal::Signal::SIGKILL,
    )
    .expect("kill -9");
    wait_for_exit(pid).await;
    assert!(dir.path().join("postgres/postmaster.pid").exists());
    drop(cluster);

    let cluster = PrivateCluster::start(dir.path(), "portal", Durability::Durable)
        .await
        .expect("start after a crash");
    assert_eq!(count_notes(&cluster).await, 1);
    cluster.stop().expect("stop");
}

#[tokio::test]
async fn a_pid_file_naming_an_unrelated_live_process_is_stale() {
    let dir = world_searchable_tempdir();
    let cluster = PrivateCluster::start(dir.path(), "portal", Durability::Ephemeral)
        .await
        .expect("start");
    cluster.stop().expect("stop");
    // After a reboot the old number may belong to anything: here, to this test process.
    let pid_file = dir.path().join("postgres/postmaster.pid");
    std::fs::write(
        &pid_file,
        format!("{}\n{}\n", std::process::id(), dir.path().display()),
    )
    .expect("write pid file");

    let cluster = PrivateCluster::start(dir.path(), "portal", Durability::Ephemeral)
        .await
        .expect("start despite the stale pid file");
    let mut conn = connect(&cluster).await;
    let one: i32 = sqlx::query_scalar("SELECT 1")
        .fetch_one(&mut conn)
        .await
        .expect("query");
    assert_eq!(one, 1);
    conn.close().await.expect("close");
    cluster.stop().expect("stop");
}

#[tokio::test]
async fn a_second_portal_on_the_same_data_folder_is_refused() {
    let dir = world_searchable_tempdir();
    let first = PrivateCluster::start(dir.path(), "portal", Durability::Ephemeral)
        .await
        .expect("start");
    let second = PrivateCluster::start(dir.path(), "portal", Durability::Ephemeral).await;
    assert!(
        matches!(second, Err(PostgresError::AlreadyRunning { .. })),
        "{second:?}"
    );
    first.stop().expect("stop");
}

#[tokio::test]
async fn the_url_is_understood_by_sqlx() {
    let dir = world_searchable_tempdir();
    let cluster = PrivateCluster::start(dir.path(), "with space", Durability::Ephemeral)
        .await
        .expect("start");
    let url = cluster.url("with space");
    assert!(url.starts_with("postgres://postgres@%2F"), "{url}");
    let mut conn = PgConnection::connect(&url).await.expect("connect by url");
    let name: String = sqlx::query_scalar("SELECT current_database()")
        .fetch_one(&mut conn)
        .await
        .expect("query");
    assert_eq!(name, "with space");
    conn.close().await.expect("close");
    cluster.stop().expect("stop");
}

async fn wait_for_exit(pid: i32) {
    for _ in 0..100 {
        let state = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
        // Gone, or a zombie waiting for us to reap it.
        if state.is_empty() || state.split_whitespace().nth(2) == Some("Z") {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("postgres {pid} did not exit");
}

#[tokio::test]
async fn postgres_stops_when_the_portal_process_is_killed() {
    use std::io::{BufRead, BufReader};
    use std::process::{Command, Stdio};

    let dir = world_searchable_tempdir();
    let mut portal = Command::new(env!("CARGO_BIN_EXE_server"))
        .arg("--data-dir")
        .arg(dir.path())
        .args(["postgres", "--ephemeral"])
        .env_remove("DATABASE_URL")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn the server binary");
    let stdout = portal.stdout.take().expect("stdout");
    let mut line = String::new();
    BufReader::new(stdout).read_line(&mut line).expect("read");
    assert!(line.starts_with("DATABASE_URL=postgres://"), "{line}");
    let pid_file = dir.path().join("postgres/postmaster.pid");
    let postmaster: i32 = std::fs::read_to_string(&pid_file)
        .expect("pid file")
        .lines()
        .next()
        .and_then(|l| l.parse().ok())
        .expect("pid");

    portal.kill().expect("kill -9 the portal");
    portal.wait().expect("reap");
    // The kernel tells PostgreSQL its parent is gone; it shuts down by itself.
    wait_for_exit(postmaster).await;
}

/// `serve` on a private cluster migrates as the owner and then works as `portal_app`, a role
/// that cannot rewrite the audit log.
#[tokio::test]
async fn serve_on_a_private_cluster_runs_as_a_role_that_cannot_rewrite_the_audit_log() {
    use std::io::{BufRead, BufReader};
    use std::process::{Command, Stdio};

    let dir = world_searchable_tempdir();
    let mut portal = Command::new(env!("CARGO_BIN_EXE_server"))
        .arg("--data-dir")
        .arg(dir.path())
        .args(["serve", "--port", "0"])
        .env_remove("DATABASE_URL")
        .env_remove("DATABASE_OWNER_URL")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn the server binary");
    // Read the console on a thread that keeps draining it: a closed pipe would make the
    // portal's next line of output fail.
    let stdout = BufReader::new(portal.stdout.take().expect("stdout"));
    let (lines, console) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in stdout.lines().map_while(Result::ok) {
            let _ = lines.send(line);
        }
    });
    let mut owner_url = None;
    let mut setup_code = None;
    let mut address = String::new();
    for line in console.iter() {
        if let Some(url) = line.split("(psql ").nth(1) {
            owner_url = Some(url.trim_end_matches(')').to_owned());
        }
        if let Some(code) = line.split("enter the setup code ").nth(1) {
            setup_code = Some(code.trim().to_owned());
        }
        if let Some(url) = line.strip_prefix("AI Governance Portal is running at ") {
            address = url.trim().to_owned();
            break;
        }
    }
    // An empty portal prints a one-time setup code: only its holder sets the portal up.
    let setup_code = setup_code.expect("a setup code on the console");
    let setup = |code: &str| {
        reqwest::Client::new()
            .post(format!("{address}/api/complete_setup"))
            .header("origin", &address)
            .form(&[
                ("setup_code", code),
                ("organization", "Acme"),
                ("name", "Ada"),
                ("email", "ada@example.com"),
                ("password", "analytical engine notes"),
            ])
            .send()
    };
    assert_eq!(
        setup("AAAA-BBBB-CCCC-DDDD").await.expect("post").status(),
        422
    );
    assert_eq!(setup(&setup_code).await.expect("post").status(), 200);
    let owner_url = owner_url.expect("the private cluster's address");
    let mut owner = PgConnection::connect(&owner_url)
        .await
        .expect("connect as owner");
    let sessions: Vec<String> = sqlx::query_scalar(
        "SELECT DISTINCT usename::text FROM pg_stat_activity
         WHERE datname = 'portal' AND backend_type = 'client backend' AND pid <> pg_backend_pid()",
    )
    .fetch_all(&mut owner)
    .await
    .expect("sessions");
    assert_eq!(
        sessions,
        ["portal_app"],
        "the portal works as the run-time role"
    );
    let may_update: bool =
        sqlx::query_scalar("SELECT has_table_privilege('portal_app', 'audit_events', 'UPDATE')")
            .fetch_one(&mut owner)
            .await
            .expect("privilege");
    assert!(!may_update);
    portal.kill().expect("stop");
    portal.wait().expect("reap");
    let mut stderr = String::new();
    std::io::Read::read_to_string(&mut portal.stderr.take().expect("stderr"), &mut stderr)
        .expect("stderr");
    assert!(!stderr.contains("could rewrite the audit log"), "{stderr}");
}
