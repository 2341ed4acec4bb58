//! `server admin create`: the operator's way to make the first administrator.

use std::io::Write;
use std::process::{Command, Output, Stdio};

use crate::helpers::{spawn_app, TestApp};

fn admin_create(app: &TestApp, email: &str, name: &str, stdin: &str) -> Output {
    let url = app.database_url();
    let mut child = Command::new(env!("CARGO_BIN_EXE_server"))
        .args([
            "--database-url",
            &url,
            "admin",
            "create",
            "--email",
            email,
            "--name",
            name,
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn server admin create");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(stdin.as_bytes())
        .expect("write password");
    child.wait_with_output().expect("wait")
}

async fn users(app: &TestApp) -> i64 {
    sqlx::query_scalar("SELECT count(*) FROM users")
        .fetch_one(&app.pool)
        .await
        .expect("count")
}

#[tokio::test]
async fn creates_an_administrator_with_the_password_from_standard_input() {
    let app = spawn_app().await;
    let output = admin_create(
        &app,
        "Grace@Example.org",
        "Grace Hopper",
        "compilers all the way down\n",
    );
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(String::from_utf8_lossy(&output.stdout)
        .contains("Administrator grace@example.org created."));

    let roles: Vec<String> = sqlx::query_scalar(
        "SELECT role FROM user_roles JOIN users USING (user_id) WHERE email = 'grace@example.org' ORDER BY role",
    )
    .fetch_all(&app.pool)
    .await
    .expect("roles");
    assert_eq!(roles, ["admin", "employee"]);
    let hash: String = sqlx::query_scalar("SELECT password_hash FROM users")
        .fetch_one(&app.pool)
        .await
        .expect("hash");
    assert!(hash.starts_with("$argon2id$"));
    let action: String =
        sqlx::query_scalar("SELECT action FROM audit_events ORDER BY seq DESC LIMIT 1")
            .fetch_one(&app.pool)
            .await
            .expect("audited");
    assert_eq!(action, "user.created");
}

#[tokio::test]
async fn bad_input_names_the_field_and_creates_nothing() {
    let app = spawn_app().await;
    let cases = [
        ("grace@example.org", "Grace", "too short\n", "password"),
        ("grace@example.org", "Grace", "password1234\n", "password"),
        (
            "grace.example.org",
            "Grace",
            "compilers all the way down\n",
            "email",
        ),
        (
            "grace@example.org",
            " ",
            "compilers all the way down\n",
            "name",
        ),
    ];
    for (email, name, password, field) in cases {
        let output = admin_create(&app, email, name, password);
        assert!(!output.status.success());
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(
            stderr.contains(&format!("error: {field}:")),
            "{field}: {stderr}"
        );
    }
    assert_eq!(users(&app).await, 0);
}

#[tokio::test]
async fn an_email_can_only_be_registered_once() {
    let app = spawn_app().await;
    let first = admin_create(
        &app,
        "grace@example.org",
        "Grace",
        "compilers all the way down\n",
    );
    assert!(first.status.success());
    let second = admin_create(
        &app,
        "GRACE@example.org",
        "Grace",
        "another long passphrase\n",
    );
    assert!(!second.status.success());
    let stderr = String::from_utf8_lossy(&second.stderr);
    assert!(stderr.contains("email: is already registered"), "{stderr}");
    assert_eq!(users(&app).await, 1);
}
