//! The demo teams' checklist progress: a different, plausible history per team over the last
//! twelve weeks, recorded through the same function people use (history, weekly figures,
//! audit events).

use chrono::{DateTime, Duration, Utc};
use sqlx::PgConnection;

use crate::backend::checklists::record;
use crate::domain::checklist::ItemForm;
use crate::error::AppError;

/// How far each demo team (by slug) has come: (item number, weeks ago it started, weeks ago it
/// was finished or `None` while in progress, `true` when it does not apply).
type Plan = &'static [(i32, i64, Option<i64>, bool)];

const PLANS: &[(&str, Plan)] = &[
    (
        "platform-engineering",
        &[
            (1, 11, Some(9), false),
            (2, 11, Some(10), false),
            (3, 10, Some(8), false),
            (4, 9, Some(6), false),
            (5, 8, Some(4), false),
            (6, 7, Some(3), false),
            (7, 6, Some(2), false),
            (8, 5, Some(1), false),
            (9, 3, None, false),
        ],
    ),
    (
        "payments",
        &[
            (1, 10, Some(7), false),
            (2, 9, Some(7), false),
            (3, 9, Some(5), false),
            (4, 6, None, false),
            (5, 5, Some(2), false),
            (8, 4, Some(1), false),
            (10, 2, None, false),
        ],
    ),
    (
        "data-science",
        &[
            (1, 8, Some(6), false),
            (2, 8, Some(5), false),
            (3, 7, Some(3), false),
            (5, 4, None, false),
            (7, 3, None, false),
        ],
    ),
    (
        "customer-support",
        &[
            (1, 6, Some(4), false),
            (2, 5, Some(3), false),
            (5, 5, Some(5), true),
            (6, 5, Some(5), true),
            (9, 3, None, false),
        ],
    ),
    (
        "legal-compliance",
        &[
            (1, 12, Some(10), false),
            (2, 11, Some(9), false),
            (3, 10, Some(6), false),
            (9, 6, Some(2), false),
            (10, 4, None, false),
        ],
    ),
    ("marketing", &[(1, 3, None, false), (2, 2, None, false)]),
];

fn form(status: &str, number: i32, owner: &str, due: Option<String>) -> ItemForm {
    ItemForm {
        status: status.into(),
        owner: owner.into(),
        due_date: due.unwrap_or_default(),
        na_reason: if status == "not_applicable" {
            "The team builds no software: no dependencies to pin or scan.".into()
        } else {
            String::new()
        },
        evidence: if status == "done" {
            format!("Checked in the quarterly AI review; notes for item {number} on the wiki.")
        } else {
            String::new()
        },
        links: if status == "done" {
            format!("https://wiki.northwind.example/ai-checklist/{number}")
        } else {
            String::new()
        },
    }
}

/// Records the demo progress unless some team has progress already; returns the changes made.
pub async fn load(conn: &mut PgConnection, now: DateTime<Utc>) -> Result<u64, AppError> {
    let any =
        sqlx::query_scalar!(r#"SELECT EXISTS (SELECT 1 FROM team_checklist_items) AS "any!""#)
            .fetch_one(&mut *conn)
            .await?;
    if any {
        return Ok(0);
    }
    let fallback = sqlx::query_scalar!(
        "SELECT user_id FROM users WHERE email = 'nora.admin@northwind.example'"
    )
    .fetch_one(&mut *conn)
    .await?;
    let mut changes = 0;
    for (slug, plan) in PLANS {
        let member = sqlx::query_scalar!(
            "SELECT m.user_id FROM team_members m JOIN teams t ON t.team_id = m.team_id
             WHERE t.slug = $1 ORDER BY m.membership, m.user_id LIMIT 1",
            slug
        )
        .fetch_optional(&mut *conn)
        .await?;
        let actor = member.unwrap_or(fallback);
        let owner = member.map(|m| m.to_string()).unwrap_or_default();
        // Changes in time order, so the weekly figures add up as they happened.
        let mut steps: Vec<(i64, i32, &str)> = Vec::new();
        for (number, started, finished, not_applicable) in plan.iter() {
            steps.push((*started, *number, "in_progress"));
            if let Some(finished) = finished {
                let end = if *not_applicable {
                    "not_applicable"
                } else {
                    "done"
                };
                steps.push((*finished, *number, end));
            }
        }
        steps.sort_by_key(|(weeks_ago, number, status)| {
            (-weeks_ago, *status == "in_progress", *number)
        });
        for (i, (weeks_ago, number, status)) in steps.iter().enumerate() {
            let at = now - Duration::weeks(*weeks_ago) + Duration::minutes(i as i64);
            let due = (*status == "in_progress")
                .then(|| (at + Duration::weeks(4)).date_naive().to_string());
            let item = form(status, *number, &owner, due);
            record(conn, actor, None, slug, *number, &item, at).await?;
            changes += 1;
        }
    }
    Ok(changes)
}
