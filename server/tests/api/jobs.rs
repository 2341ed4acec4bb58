//! The job queue end to end: today's review-date reminders are enqueued once however many
//! instances schedule them, run by the worker, and read by reviewers on their notifications page.

use app::backend::jobs::{reminders, worker};
use app::domain::Role;

use crate::helpers::{spawn_app, TestApp};

/// Sets the next review of the tool `slug` to `days` after the portal's today.
async fn review_in(app: &TestApp, slug: &str, days: i32) {
    sqlx::query("UPDATE tools SET next_review = $1::date + $2 WHERE slug = $3")
        .bind(app.now().date_naive())
        .bind(days)
        .bind(slug)
        .execute(&app.pool)
        .await
        .expect("review date set");
}

async fn name_of(app: &TestApp, slug: &str) -> String {
    sqlx::query_scalar("SELECT name FROM tools WHERE slug = $1")
        .bind(slug)
        .fetch_one(&app.pool)
        .await
        .expect("tool")
}

/// Moves the portal's clock to noon (UTC) of the coming Wednesday (or today's, on one), so the
/// day's e-mail digest job (due at 07:00) and the week's summaries (Monday 07:00) run with the
/// reminders, and the next day is in the same week, whenever the test runs.
fn at_noon(app: &TestApp) {
    use chrono::Datelike;
    let now = app.now();
    let ahead = (7 + 2 - i64::from(now.weekday().num_days_from_monday())) % 7;
    let noon = (now.date_naive() + chrono::TimeDelta::days(ahead))
        .and_hms_opt(12, 0, 0)
        .expect("a time")
        .and_utc();
    app.advance((noon - now).num_seconds());
}

/// Schedules and runs the day's work as every instance's worker does; how many jobs ran.
async fn work(app: &TestApp) -> usize {
    for _instance in 0..2 {
        reminders::schedule(&app.pool, app.now())
            .await
            .expect("scheduled");
    }
    worker::run_due(&app.services).await.expect("jobs ran")
}

#[tokio::test]
async fn reviewers_hear_once_of_reviews_30_and_7_days_away_and_today() {
    let app = spawn_app().await;
    at_noon(&app);
    app.load_demo().await;
    let reviewer = app.signed_in("rev@example.com", &[Role::Reviewer]).await;
    let employee = app.signed_in("emp@example.com", &[Role::Employee]).await;
    sqlx::query("UPDATE tools SET next_review = $1::date + 400")
        .bind(app.now().date_naive())
        .execute(&app.pool)
        .await
        .expect("reviews far away");
    let in_use: Vec<String> = sqlx::query_scalar(
        "SELECT slug FROM tools WHERE status IN ('approved', 'approved_with_conditions')
         ORDER BY slug LIMIT 5",
    )
    .fetch_all(&app.pool)
    .await
    .expect("tools in use");
    let stopped: String = sqlx::query_scalar(
        "SELECT slug FROM tools WHERE status NOT IN ('approved', 'approved_with_conditions')
         ORDER BY slug LIMIT 1",
    )
    .fetch_one(&app.pool)
    .await
    .expect("a tool not in use");
    let days = [30, 7, 0, 8, -1];
    for (slug, days) in in_use.iter().zip(days) {
        review_in(&app, slug, days).await;
    }
    review_in(&app, &stopped, 0).await;

    assert_eq!(
        work(&app).await,
        4,
        "one job of each kind for the day (reminders of both kinds, e-mail digests, the week's summaries), whoever scheduled it"
    );
    let page = app
        .page("/notifications", &reviewer.cookie)
        .await
        .text()
        .await
        .expect("page");
    let date = |days: i64| (app.now().date_naive() + chrono::Days::new(days as u64)).to_string();
    for expected in [
        format!(
            "{} is due for review in 30 days, on {}.",
            name_of(&app, &in_use[0]).await,
            date(30)
        ),
        format!(
            "{} is due for review in 7 days, on {}.",
            name_of(&app, &in_use[1]).await,
            date(7)
        ),
        format!(
            "{} is due for review today.",
            name_of(&app, &in_use[2]).await
        ),
        format!(
            "The review of {} was due on {} and is overdue: the policy check says so until it is reviewed.",
            name_of(&app, &in_use[4]).await,
            (app.now().date_naive() - chrono::Days::new(1))
        ),
    ] {
        assert!(
            page.contains(&expected),
            "{expected} missing from the reviewer's notifications"
        );
    }
    for quiet in [&in_use[3], &stopped] {
        let name = name_of(&app, quiet).await;
        assert!(
            !page.contains(&format!("{name} is due for review")),
            "{name} was announced"
        );
    }
    let employee_page = app
        .page("/notifications", &employee.cookie)
        .await
        .text()
        .await
        .expect("page");
    assert!(!employee_page.contains("is due for review"));

    let sent = app
        .count("SELECT count(*) FROM notifications WHERE message LIKE '%is due for review%'")
        .await;
    assert!(sent >= 3, "every reviewer is told");
    // The same day again, on any instance: nothing new.
    assert_eq!(work(&app).await, 0);
    // The next day is a new job; the review in 8 days is now 7 away.
    app.advance(24 * 3600);
    assert_eq!(work(&app).await, 3, "the week's summaries went already");
    let reviewers = app
        .count(
            "SELECT count(*) FROM user_roles r JOIN users u USING (user_id)
             WHERE r.role = 'reviewer' AND u.disabled_at IS NULL",
        )
        .await;
    assert_eq!(
        app.count("SELECT count(*) FROM notifications WHERE message LIKE '%is due for review%'")
            .await,
        sent + reviewers
    );
    assert_eq!(
        app.count("SELECT count(*) FROM jobs WHERE done_at IS NOT NULL")
            .await,
        7
    );
}

#[tokio::test]
async fn the_worker_schedules_the_day_and_runs_it_by_itself() {
    let app = spawn_app().await;
    at_noon(&app);
    let worker = tokio::spawn(worker::run_forever(app.services.clone()));
    let mut done = 0;
    for _ in 0..100 {
        done = app
            .count("SELECT count(*) FROM jobs WHERE done_at IS NOT NULL")
            .await;
        if done > 3 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    worker.abort();
    assert_eq!(
        done, 4,
        "today's reminders of both kinds, the digests and the week's summaries ran"
    );
    assert_eq!(app.count("SELECT count(*) FROM jobs").await, 4);
}

#[tokio::test]
async fn a_job_no_handler_knows_dies_naming_its_kind_and_the_worker_goes_on() {
    let app = spawn_app().await;
    at_noon(&app);
    sqlx::query(
        "INSERT INTO jobs (kind, payload, created_at, run_at, max_attempts)
         VALUES ('send_everything', '{}', $1, $1, 1)",
    )
    .bind(app.now())
    .execute(&app.pool)
    .await
    .expect("job");
    reminders::schedule(&app.pool, app.now())
        .await
        .expect("scheduled");
    assert_eq!(worker::run_due(&app.services).await.expect("jobs ran"), 5);
    let (dead, error): (bool, Option<String>) = sqlx::query_as(
        "SELECT dead_at IS NOT NULL, last_error FROM jobs WHERE kind = 'send_everything'",
    )
    .fetch_one(&app.pool)
    .await
    .expect("job");
    assert!(dead);
    assert_eq!(
        error.as_deref(),
        Some("kind: no handler for jobs of kind \"send_everything\" in this version")
    );
    assert_eq!(
        app.count(
            "SELECT count(*) FROM jobs WHERE kind = 'review_reminders' AND done_at IS NOT NULL"
        )
        .await,
        1
    );
}

#[tokio::test]
async fn managers_hear_once_a_week_where_each_of_their_teams_stands() {
    let app = spawn_app().await;
    at_noon(&app);
    app.load_demo().await;
    let manager = app.signed_in("mgr@example.com", &[Role::Manager]).await;
    let member = app.signed_in("member@example.com", &[Role::Employee]).await;
    app.join(
        manager.user_id,
        "payments",
        app::domain::Membership::Manager,
    )
    .await;
    app.join(
        manager.user_id,
        "data-science",
        app::domain::Membership::Manager,
    )
    .await;
    app.join(member.user_id, "payments", app::domain::Membership::Member)
        .await;
    let open: i64 = app
        .count(
            "SELECT count(*) FROM tool_requests r JOIN teams t USING (team_id)
             WHERE t.slug = 'payments' AND r.state IN ('submitted', 'in_review', 'changes_requested')",
        )
        .await;
    work(&app).await;
    let told = |who: uuid::Uuid| {
        let pool = app.pool.clone();
        async move {
            sqlx::query_scalar::<_, String>(
                "SELECT message FROM notifications WHERE user_id = $1
                 AND message LIKE 'Weekly summary for %' ORDER BY message",
            )
            .bind(who)
            .fetch_all(&pool)
            .await
            .expect("notifications")
        }
    };
    let summaries = told(manager.user_id).await;
    assert_eq!(summaries.len(), 2, "one per team: {summaries:?}");
    assert!(summaries[0].starts_with("Weekly summary for Data Science: "));
    let payments = &summaries[1];
    assert!(
        payments.starts_with("Weekly summary for Payments: ")
            && payments.contains("checklist items done")
            && payments.ends_with(&format!("{open} tool requests open.")),
        "{payments}"
    );
    assert!(
        told(member.user_id).await.is_empty(),
        "members are not told"
    );
    // Later in the week, on any instance: nothing new.
    app.advance(24 * 3600);
    work(&app).await;
    assert_eq!(told(manager.user_id).await.len(), 2);
}
