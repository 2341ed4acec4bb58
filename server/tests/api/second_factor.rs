//! Second factors cannot be guessed: wrong codes count per account on every path, a right
//! password does not clear them, a pending sign-in allows five codes, and ten wrong codes lock
//! the second factor (the person and the admins are told, the lock is audited).

use app::backend::identity::auth::totp::TotpSecret;
use app::domain::Role;

use crate::helpers::{spawn_app, TestApp, PASSWORD};

/// A six-digit code the app does not accept now (neither this step's nor the previous one's).
fn wrong_code(app: &TestApp, secret: &TotpSecret) -> String {
    let now = app.now();
    let accepted = [
        secret.code_at(now).expect("code"),
        secret
            .code_at(now - chrono::Duration::seconds(30))
            .expect("code"),
    ];
    (0..)
        .map(|n| format!("{n:06}"))
        .find(|code| !accepted.contains(code))
        .expect("a wrong code")
}

#[tokio::test]
async fn the_attack_loop_is_refused_from_the_eleventh_wrong_code_even_with_the_right_password() {
    let app = spawn_app().await;
    let admin = app
        .create_user("root@example.com", "Root", &[Role::Admin])
        .await;
    let ada = app.create_user("ada@example.com", "Ada", &[]).await;
    let secret = app.enroll_totp(ada).await;
    let wrong = wrong_code(&app, &secret);

    let mut wrong_codes = 0;
    for round in 1..=3 {
        // The attacker knows the password: every round starts with a right password step.
        let cookie = app.password_step("ada@example.com").await;
        for attempt in 1..=5 {
            let (status, body) = app
                .call_json("sign_in_code", &[("code", &wrong)], Some(&cookie))
                .await;
            wrong_codes += 1;
            if wrong_codes <= 10 {
                assert_eq!(
                    (status, body["field"].as_str()),
                    (422, Some("code")),
                    "round {round}, attempt {attempt}: {body}"
                );
            } else {
                assert_eq!(
                    (status, body["code"].as_str()),
                    (429, Some("locked")),
                    "wrong code {wrong_codes} is refused unchecked: {body}"
                );
                break;
            }
        }
        if wrong_codes > 10 {
            // A right code during the lock is refused too.
            let right = secret.code_at(app.now()).expect("code");
            let (status, body) = app
                .call_json("sign_in_code", &[("code", &right)], Some(&cookie))
                .await;
            assert_eq!(
                (status, body["code"].as_str()),
                (429, Some("locked")),
                "{body}"
            );
            break;
        }
        // Five codes per password step: the sixth finds no pending sign-in.
        let (status, body) = app
            .call_json("sign_in_code", &[("code", &wrong)], Some(&cookie))
            .await;
        assert_eq!(
            status, 401,
            "round {round}: the password step starts again: {body}"
        );
    }
    assert_eq!(wrong_codes, 11);

    let locks: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM audit_events WHERE action = 'auth.second_factor_locked'",
    )
    .fetch_one(&app.pool)
    .await
    .expect("count");
    assert_eq!(locks, 1, "the lock is audited once");
    for user in [ada, admin] {
        let told: i64 = sqlx::query_scalar(
            "SELECT count(*) FROM notifications WHERE user_id = $1 AND message LIKE '%locked%'",
        )
        .bind(user)
        .fetch_one(&app.pool)
        .await
        .expect("count");
        assert_eq!(told, 1, "{user} is told");
    }

    // Fifteen minutes later the lock is over and the right code signs in.
    app.advance(15 * 60 + 1);
    let cookie = app.password_step("ada@example.com").await;
    let right = secret.code_at(app.now()).expect("code");
    let (status, body) = app
        .call_json("sign_in_code", &[("code", &right)], Some(&cookie))
        .await;
    assert_eq!(status, 200, "{body}");
}

#[tokio::test]
async fn wrong_codes_count_together_on_every_path_and_the_next_lock_is_longer() {
    let app = spawn_app().await;
    let rita = app.signed_in("rita@example.com", &[Role::Reviewer]).await;
    let secret = rita.totp.as_ref().expect("a reviewer has a second factor");
    let wrong = wrong_code(&app, secret);
    // Re-authentication (a new recovery-code set needs the password and, given, a code) and
    // sign-in share one count: five wrong codes each make ten.
    for _ in 0..5 {
        let (status, body) = app
            .call_json(
                "begin_two_factor",
                &[("current_password", PASSWORD), ("code", &wrong)],
                Some(&rita.cookie),
            )
            .await;
        assert_eq!(
            (status, body["field"].as_str()),
            (422, Some("code")),
            "{body}"
        );
    }
    let cookie = app.password_step("rita@example.com").await;
    for _ in 0..5 {
        let (status, _) = app
            .call_json("sign_in_code", &[("code", &wrong)], Some(&cookie))
            .await;
        assert_eq!(status, 422);
    }
    let (status, body) = app
        .call_json(
            "begin_two_factor",
            &[("current_password", PASSWORD), ("code", &wrong)],
            Some(&rita.cookie),
        )
        .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (429, Some("locked")),
        "{body}"
    );

    // After the first lock, ten more wrong codes lock it for twice as long.
    app.advance(15 * 60 + 1);
    for _ in 0..2 {
        let cookie = app.password_step("rita@example.com").await;
        for _ in 0..5 {
            app.call_json("sign_in_code", &[("code", &wrong)], Some(&cookie))
                .await;
        }
    }
    let until: chrono::DateTime<chrono::Utc> =
        sqlx::query_scalar("SELECT locked_until FROM second_factor_locks WHERE user_id = $1")
            .bind(rita.user_id)
            .fetch_one(&app.pool)
            .await
            .expect("locked");
    let minutes = (until - app.now()).num_minutes();
    assert!(
        (29..=30).contains(&minutes),
        "the second lock lasts 30 minutes: {minutes}"
    );
}
