//! Signing in: enumeration resistance, throttling per account and address, the TOTP step.

use std::net::IpAddr;

use app::backend::identity::auth::sign_in::{check_password, check_second_factor, PasswordStep};
use app::error::AppError;
use chrono::{DateTime, Duration, Utc};
use uuid::Uuid;

use crate::helpers::{spawn_app, TestApp, PASSWORD};

fn ip(text: &str) -> Option<IpAddr> {
    Some(text.parse().expect("ip"))
}

async fn ada(app: &TestApp) -> Uuid {
    app.create_user("ada@example.com", "Ada", &[]).await
}

async fn actions(app: &TestApp) -> Vec<String> {
    sqlx::query_scalar("SELECT action FROM audit_events WHERE action LIKE 'auth.%' ORDER BY seq")
        .fetch_all(&app.pool)
        .await
        .expect("actions")
}

async fn sign_in(
    app: &TestApp,
    email: &str,
    password: &str,
    now: DateTime<Utc>,
) -> Result<PasswordStep, AppError> {
    check_password(&app.pool, email, password, ip("192.0.2.10"), now).await
}

#[tokio::test]
async fn the_right_password_signs_in_and_is_audited() {
    let app = spawn_app().await;
    let id = ada(&app).await;
    let step = sign_in(&app, "ADA@example.com", PASSWORD, Utc::now()).await;
    assert_eq!(step, Ok(PasswordStep::SignedIn { user_id: id }));
    assert_eq!(actions(&app).await, ["auth.signed_in"]);
    let payload: String =
        sqlx::query_scalar("SELECT payload FROM audit_events ORDER BY seq DESC LIMIT 1")
            .fetch_one(&app.pool)
            .await
            .expect("payload");
    assert!(
        payload.contains("192.0.2.10"),
        "the source address is recorded"
    );
    assert!(!payload.contains(PASSWORD));
}

#[tokio::test]
async fn unknown_accounts_wrong_passwords_and_disabled_accounts_look_the_same() {
    let app = spawn_app().await;
    ada(&app).await;
    let now = Utc::now();
    let wrong = sign_in(&app, "ada@example.com", "not the password", now).await;
    let unknown = sign_in(&app, "nobody@example.com", PASSWORD, now).await;
    sqlx::query("UPDATE users SET disabled_at = now()")
        .execute(&app.pool)
        .await
        .expect("disable");
    let disabled = sign_in(&app, "ada@example.com", PASSWORD, now).await;
    for result in [&wrong, &unknown, &disabled] {
        assert_eq!(result, &Err(AppError::InvalidCredentials));
    }
    // Counted per address and minute: one event with the count and the accounts tried.
    assert_eq!(actions(&app).await, Vec::<String>::new());
    app::backend::audit::tallies::flush(&app.pool, now + Duration::minutes(1))
        .await
        .expect("flush");
    assert_eq!(actions(&app).await, ["auth.sign_in_failed"]);
    let payload: String =
        sqlx::query_scalar("SELECT payload FROM audit_events WHERE action = 'auth.sign_in_failed'")
            .fetch_one(&app.pool)
            .await
            .expect("payload");
    let record: serde_json::Value = serde_json::from_str(&payload).expect("json");
    assert_eq!(record["after"]["count"], 3);
    assert_eq!(
        record["after"]["targets"],
        serde_json::json!(["account:ada@example.com", "account:nobody@example.com"])
    );
}

#[tokio::test]
async fn malformed_input_names_the_field() {
    let app = spawn_app().await;
    let bad_email = sign_in(&app, "ada", PASSWORD, Utc::now())
        .await
        .expect_err("email");
    assert_eq!(bad_email.field(), Some("email"));
    let empty = sign_in(&app, "ada@example.com", "", Utc::now())
        .await
        .expect_err("password");
    assert_eq!(empty.field(), Some("password"));
    let long = sign_in(&app, "ada@example.com", &"x".repeat(2000), Utc::now())
        .await
        .expect_err("password");
    assert_eq!(long.field(), Some("password"));
}

#[tokio::test]
async fn repeated_failures_on_an_account_bring_growing_delays_that_expire() {
    let app = spawn_app().await;
    ada(&app).await;
    let start = Utc::now();
    for attempt in 0..6 {
        let result = sign_in(&app, "ada@example.com", "wrong password", start).await;
        assert_eq!(
            result,
            Err(AppError::InvalidCredentials),
            "attempt {attempt}"
        );
    }
    // Six failures: one second's wait, for the right password too.
    assert_eq!(
        sign_in(&app, "ada@example.com", PASSWORD, start).await,
        Err(AppError::RateLimited)
    );
    let later = start + Duration::seconds(2);
    assert_eq!(
        sign_in(&app, "ada@example.com", "wrong again", later).await,
        Err(AppError::InvalidCredentials)
    );
    // Seven failures: two seconds now.
    assert_eq!(
        sign_in(
            &app,
            "ada@example.com",
            PASSWORD,
            later + Duration::seconds(1)
        )
        .await,
        Err(AppError::RateLimited)
    );
    // The victim is not locked out for long: after the window everything is forgotten.
    let much_later = start + Duration::minutes(16);
    assert!(matches!(
        sign_in(&app, "ada@example.com", PASSWORD, much_later).await,
        Ok(PasswordStep::SignedIn { .. })
    ));
    // Each refusal is counted: one event per minute with the count.
    app::backend::audit::tallies::flush(&app.pool, much_later)
        .await
        .expect("flush");
    let throttled: i64 = sqlx::query_scalar(
        "SELECT sum((payload::jsonb -> 'after' ->> 'count')::bigint)::bigint
         FROM audit_events WHERE action = 'auth.throttled'",
    )
    .fetch_one(&app.pool)
    .await
    .expect("count");
    assert_eq!(throttled, 2);
}

#[tokio::test]
async fn a_success_clears_the_account_failures() {
    let app = spawn_app().await;
    ada(&app).await;
    let now = Utc::now();
    for _ in 0..5 {
        let _ = sign_in(&app, "ada@example.com", "wrong password", now).await;
    }
    assert!(sign_in(&app, "ada@example.com", PASSWORD, now)
        .await
        .is_ok());
    for _ in 0..5 {
        let _ = sign_in(&app, "ada@example.com", "wrong password", now).await;
    }
    assert!(
        sign_in(&app, "ada@example.com", PASSWORD, now)
            .await
            .is_ok(),
        "counting restarted"
    );
}

#[tokio::test]
async fn one_address_trying_many_accounts_is_throttled() {
    let app = spawn_app().await;
    ada(&app).await;
    let now = Utc::now();
    for n in 0..21 {
        let email = format!("guess{n}@example.com");
        assert_eq!(
            sign_in(&app, &email, "password guess", now).await,
            Err(AppError::InvalidCredentials)
        );
    }
    assert_eq!(
        sign_in(&app, "ada@example.com", PASSWORD, now).await,
        Err(AppError::RateLimited)
    );
    // Someone else, elsewhere, is unaffected.
    let elsewhere = check_password(
        &app.pool,
        "ada@example.com",
        PASSWORD,
        ip("198.51.100.7"),
        now,
    )
    .await;
    assert!(elsewhere.is_ok());
}

#[tokio::test]
async fn the_second_factor_is_required_once_enrolled_and_codes_work_once() {
    let app = spawn_app().await;
    let id = ada(&app).await;
    let key = app.totp_key.clone();
    let secret = app.enroll_totp(id).await;
    let now = Utc::now();
    assert_eq!(
        sign_in(&app, "ada@example.com", PASSWORD, now).await,
        Ok(PasswordStep::SecondFactorRequired { user_id: id })
    );
    assert!(actions(&app).await.is_empty(), "not signed in yet");

    let code = secret.code_at(now).expect("code");
    let second = |code: String| {
        let (pool, key) = (app.pool.clone(), key.clone());
        async move { check_second_factor(&pool, &key, id, &code, ip("192.0.2.10"), now).await }
    };
    assert_eq!(second(code.clone()).await, Ok(()));
    let replay = second(code.clone()).await.expect_err("replayed");
    assert_eq!(replay.field(), Some("code"));
    assert!(replay.to_string().contains("already used"));
    let wrong_code = if code == "000000" { "111111" } else { "000000" };
    let wrong = second(wrong_code.into()).await.expect_err("wrong");
    assert_eq!(wrong.field(), Some("code"));
    let malformed = second("12ab".into()).await.expect_err("malformed");
    assert_eq!(malformed.field(), Some("code"));
    assert_eq!(
        actions(&app).await,
        ["auth.signed_in", "auth.totp_replayed", "auth.totp_failed"]
    );
}
