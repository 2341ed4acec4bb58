//! TOTP codes are accepted once, ever: across concurrent attempts and across paths.

use app::backend::identity::auth::totp::{check_and_consume, CodeCheck, TotpSecret};
use app::domain::TotpCode;
use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::helpers::{spawn_app, TestApp};

async fn a_user(app: &TestApp) -> Uuid {
    app.create_user("ada@example.com", "Ada", &[]).await
}

async fn attempt(
    app: &TestApp,
    user: Uuid,
    secret: &TotpSecret,
    code: &TotpCode,
    now: DateTime<Utc>,
) -> CodeCheck {
    let mut tx = app.pool.begin().await.expect("begin");
    let check = check_and_consume(&mut tx, user, secret, code, now)
        .await
        .expect("check");
    tx.commit().await.expect("commit");
    check
}

#[tokio::test]
async fn twenty_parallel_submissions_of_one_code_give_exactly_one_success() {
    let app = spawn_app().await;
    let user = a_user(&app).await;
    let secret = TotpSecret::generate();
    let now = Utc::now();
    let code = TotpCode::parse(&secret.code_at(now).expect("code")).expect("code");

    let attempts: Vec<_> = (0..20)
        .map(|_| {
            let pool = app.pool.clone();
            let (secret, code) = (secret.clone(), code.clone());
            tokio::spawn(async move {
                let mut tx = pool.begin().await.expect("begin");
                let check = check_and_consume(&mut tx, user, &secret, &code, now)
                    .await
                    .expect("check");
                tx.commit().await.expect("commit");
                check
            })
        })
        .collect();
    let mut accepted = 0;
    let mut replayed = 0;
    for task in attempts {
        match task.await.expect("task") {
            CodeCheck::Accepted { .. } => accepted += 1,
            CodeCheck::Replayed { .. } => replayed += 1,
            CodeCheck::Wrong => panic!("the code is right"),
        }
    }
    assert_eq!((accepted, replayed), (1, 19));
}

#[tokio::test]
async fn a_used_step_stays_used_and_other_steps_still_work() {
    let app = spawn_app().await;
    let user = a_user(&app).await;
    let secret = TotpSecret::generate();
    let now = Utc::now();
    let current = TotpCode::parse(&secret.code_at(now).expect("code")).expect("code");
    let previous = TotpCode::parse(
        &secret
            .code_at(now - chrono::Duration::seconds(30))
            .expect("code"),
    )
    .expect("code");

    assert!(matches!(
        attempt(&app, user, &secret, &current, now).await,
        CodeCheck::Accepted { .. }
    ));
    assert!(matches!(
        attempt(&app, user, &secret, &current, now).await,
        CodeCheck::Replayed { .. }
    ));
    // Later, on another path (say, signing a decision), the same code is still refused.
    let later = now + chrono::Duration::seconds(20);
    let check = attempt(&app, user, &secret, &current, later).await;
    assert!(
        matches!(check, CodeCheck::Replayed { .. } | CodeCheck::Wrong),
        "{check:?}"
    );
    // The previous step's code had not been used: it is accepted once.
    assert!(matches!(
        attempt(&app, user, &secret, &previous, now).await,
        CodeCheck::Accepted { .. }
    ));
    let wrong = TotpCode::parse("000000").expect("code");
    let wrong_check = attempt(&app, user, &secret, &wrong, now).await;
    // (One in a million chance that 000000 is right; then it was the current step: replayed.)
    assert!(matches!(
        wrong_check,
        CodeCheck::Wrong | CodeCheck::Replayed { .. }
    ));
}

#[tokio::test]
async fn a_step_is_only_spent_when_the_transaction_commits() {
    let app = spawn_app().await;
    let user = a_user(&app).await;
    let secret = TotpSecret::generate();
    let now = Utc::now();
    let code = TotpCode::parse(&secret.code_at(now).expect("code")).expect("code");

    let mut tx = app.pool.begin().await.expect("begin");
    let check = check_and_consume(&mut tx, user, &secret, &code, now)
        .await
        .expect("check");
    assert!(matches!(check, CodeCheck::Accepted { .. }));
    tx.rollback().await.expect("rollback");

    assert!(matches!(
        attempt(&app, user, &secret, &code, now).await,
        CodeCheck::Accepted { .. }
    ));
}

#[tokio::test]
async fn steps_are_per_person() {
    let app = spawn_app().await;
    let ada = a_user(&app).await;
    let grace = app.create_user("grace@example.com", "Grace", &[]).await;
    let secret = TotpSecret::generate();
    let now = Utc::now();
    let code = TotpCode::parse(&secret.code_at(now).expect("code")).expect("code");
    assert!(matches!(
        attempt(&app, ada, &secret, &code, now).await,
        CodeCheck::Accepted { .. }
    ));
    assert!(matches!(
        attempt(&app, grace, &secret, &code, now).await,
        CodeCheck::Accepted { .. }
    ));
}
