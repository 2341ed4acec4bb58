//! The organization's review target: a submitted request waiting more working days than it shows
//! as late in the queue, its reviewer (every reviewer, when nobody took it) is reminded the day it
//! becomes late and only then, and admins set the target.

use app::backend::jobs::{reminders, worker};
use app::domain::requests::review_target::became_late;
use app::domain::{Membership, Role};
use chrono::{Datelike, TimeDelta, Weekday};
use serde_json::Value;

use crate::helpers::{spawn_app, SignedIn, TestApp};

/// Sets when request `number` was submitted.
async fn submitted_on(app: &TestApp, number: &str, day: chrono::NaiveDate) {
    sqlx::query("UPDATE tool_requests SET submitted_at = $1 WHERE number = $2::bigint")
        .bind(day.and_hms_opt(9, 0, 0).expect("a time").and_utc())
        .bind(number)
        .execute(&app.pool)
        .await
        .expect("backdated");
}

/// The review queue as `reviewer` reads it: (number, late) of each request.
async fn queue(app: &TestApp, reviewer: &SignedIn) -> Vec<(String, bool)> {
    let (status, list) = app
        .call_json(
            "requests",
            &[("query[scope]", "queue")],
            Some(&reviewer.cookie),
        )
        .await;
    assert_eq!(status, 200, "{list}");
    list["requests"]
        .as_array()
        .expect("requests")
        .iter()
        .map(|r| (r["number"].to_string(), r["late"] == Value::Bool(true)))
        .collect()
}

async fn late_notices(app: &TestApp, who: &SignedIn) -> Vec<String> {
    sqlx::query_scalar(
        "SELECT message FROM notifications WHERE user_id = $1 AND message LIKE '% is late:%'
         ORDER BY notification_id",
    )
    .bind(who.user_id)
    .fetch_all(&app.pool)
    .await
    .expect("notifications")
}

#[tokio::test]
async fn a_request_past_the_target_is_late_in_the_queue_and_its_reviewer_is_reminded_once() {
    let app = spawn_app().await;
    // The reminder goes out on working days: a test run at the weekend moves to Monday.
    while matches!(app.now().weekday(), Weekday::Sat | Weekday::Sun) {
        app.advance(24 * 3600);
    }
    app.load_demo().await;
    let today = app.now().date_naive();
    // The submission day from which today is the day it becomes late (target: 3 working days).
    let since = (1..20)
        .map(|days| today - TimeDelta::days(days))
        .find(|since| became_late(*since, today, 3))
        .expect("a working day has one");
    let eli = app.signed_in("eli@example.com", &[]).await;
    app.join(eli.user_id, "payments", Membership::Member).await;
    let rita = app.signed_in("rita@example.com", &[Role::Reviewer]).await;
    let rob = app.signed_in("rob@example.com", &[Role::Reviewer]).await;
    let taken = app.submit_request(&eli).await;
    let untaken = app.submit_request(&eli).await;
    let fresh = app.submit_request(&eli).await;
    app.assign(&rita, &taken).await;
    submitted_on(&app, &taken, since).await;
    submitted_on(&app, &untaken, since).await;
    submitted_on(&app, &fresh, today - TimeDelta::days(1)).await;

    let listed = queue(&app, &rob).await;
    for (number, late) in [(&taken, true), (&untaken, true), (&fresh, false)] {
        assert!(
            listed.contains(&(number.clone(), late)),
            "#{number} late={late} in {listed:?}"
        );
    }
    let page = app.html("/requests?scope=queue", &rob.cookie).await;
    assert!(page.contains(">Late</span>"), "the queue shows it");

    for _instance in 0..2 {
        reminders::schedule(&app.pool, app.now())
            .await
            .expect("scheduled");
    }
    worker::run_due(&app.services).await.expect("ran");
    let ritas = late_notices(&app, &rita).await;
    let robs = late_notices(&app, &rob).await;
    assert!(
        ritas
            .iter()
            .any(|m| m.starts_with(&format!("Request #{taken} "))),
        "the reviewer who took it: {ritas:?}"
    );
    assert!(
        ritas
            .iter()
            .any(|m| m.starts_with(&format!("Request #{untaken} "))),
        "every reviewer, for the one nobody took: {ritas:?}"
    );
    assert_eq!(
        robs,
        [format!(
            "Request #{untaken} for Windsurf is late: it has waited 4 working days for a decision (the target is 3)."
        )],
        "only the untaken one; not the fresh one"
    );

    // The next day it is still late, and nobody is reminded again.
    app.advance(24 * 3600);
    reminders::schedule(&app.pool, app.now())
        .await
        .expect("scheduled");
    worker::run_due(&app.services).await.expect("ran");
    assert_eq!(late_notices(&app, &rob).await.len(), 1);
}

#[tokio::test]
async fn admins_set_the_target_and_a_bad_one_names_its_field() {
    let app = spawn_app().await;
    app.load_demo().await;
    let admin = app.signed_in("root@example.com", &[Role::Admin]).await;
    let form = |days: &'static str| {
        [
            ("name", "Northwind"),
            ("max_review_months", "12"),
            ("stale_policy", "deny"),
            ("response_review_months", "12"),
            ("review_target_days", days),
        ]
    };
    let (status, body) = app
        .call_json("admin/update_settings", &form("45"), Some(&admin.cookie))
        .await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(body["field"], "review_target_days");
    let back = app
        .refused_form(
            "admin/update_settings",
            &form("soon"),
            "/admin/settings",
            &admin.cookie,
        )
        .await;
    let shown = app.html(&back, &admin.cookie).await;
    assert!(
        shown.contains("must be a whole number of working days from 1 to 30"),
        "{shown}"
    );
    let (status, body) = app
        .call_json("admin/update_settings", &form("10"), Some(&admin.cookie))
        .await;
    assert_eq!(status, 200, "{body}");
    let (_, settings) = app
        .call_json("admin/settings", &[], Some(&admin.cookie))
        .await;
    assert_eq!(settings["review_target_days"], 10);
    assert_eq!(
        app.count(
            "SELECT count(*) FROM audit_events WHERE action = 'settings.changed'
             AND payload::jsonb->'after'->>'review_target_days' = '10'"
        )
        .await,
        1
    );
}
