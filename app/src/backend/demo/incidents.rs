//! The demo's incident response: the article's scenario worked to the end — a leaked AI coding
//! tool and a typosquatted package, resolved and closed with its post-incident review — one
//! open incident under triage, each following its kind's playbook, ticked as it went; and a
//! tabletop exercise held three months ago.

use chrono::{DateTime, Duration, Utc};
use sqlx::PgConnection;

use super::{person, ELI, NORA, RAVI, SOFIA};
use crate::backend::platform::lookups::{ids_of, Named};
use crate::domain::incidents::IncidentKind;
use crate::error::AppError;

/// One timeline entry: (hours after the report, who, kind, from, to, body).
type Event = (
    i64,
    &'static str,
    &'static str,
    Option<&'static str>,
    Option<&'static str>,
    &'static str,
);

struct DemoIncident {
    title: &'static str,
    kind: IncidentKind,
    description: &'static str,
    reporter: &'static str,
    /// Days ago it was reported.
    reported: i64,
    severity: &'static str,
    owner: &'static str,
    status: &'static str,
    tools: &'static [&'static str],
    data_classes: &'static [&'static str],
    teams: &'static [&'static str],
    review_summary: &'static str,
    root_cause: &'static str,
    /// Checklist steps done, by position, hours after the report.
    steps_done: &'static [(i32, i64)],
    /// (what, owner, days after the report it is due, hours after the report it was done).
    follow_ups: &'static [(&'static str, &'static str, i64, Option<i64>)],
    events: &'static [Event],
}

const INCIDENTS: &[DemoIncident] = &[
    DemoIncident {
        title: "Claude Code source leaked; typosquatted npm package with a RAT",
        kind: IncidentKind::ToolCompromised,
        description: "Claude Code's source was published through a source map in its npm \
            package. Within hours a look-alike package (a typosquat of a popular HTTP client) \
            carrying a remote-access trojan appeared on npm, promoted in posts about the leak. \
            Two Platform Engineering laptops installed it while trying the leaked build.",
        reporter: RAVI,
        reported: 41,
        severity: "high",
        owner: RAVI,
        status: "closed",
        tools: &["claude-code"],
        data_classes: &["core-source-code", "credentials-secrets"],
        teams: &["platform-engineering", "payments"],
        review_summary: "The leak itself exposed no data of ours. The risk came after it: a \
            typosquatted package published within hours, which two engineers installed from a \
            blog post's instructions. The proxy blocked it 3 hours after the report; both \
            laptops were reimaged and their tokens rotated the same day. Claude Code stayed \
            allowed because our pinned version predates the leak and its checksum matched.",
        root_cause: "Developers could install any npm package on their laptops outside the \
            private registry, and the pinned version of AI tools was not enforced outside CI.",
        steps_done: &[(1, 1), (2, 2), (3, 3), (4, 5), (5, 3), (6, 30), (7, 120)],
        follow_ups: &[
            (
                "Route laptop npm installs through the private registry",
                RAVI,
                14,
                Some(240),
            ),
            (
                "Add a dependency scanner to every CI pipeline (checklist item 6)",
                SOFIA,
                60,
                None,
            ),
        ],
        events: &[
            (0, RAVI, "reported", None, None, ""),
            (
                1,
                RAVI,
                "triaged",
                Some("reported"),
                Some("triaged"),
                "severity high · owner Ravi Menon\n\nTwo laptops with the fake package; \
                 isolating them.",
            ),
            (
                2,
                RAVI,
                "commented",
                None,
                None,
                "Not pulling the kill switch on Claude Code: our pin (1.0.x) predates the leak \
                 and its checksum matches. Blocking the look-alike package at the proxy instead.",
            ),
            (
                3,
                RAVI,
                "status_changed",
                Some("triaged"),
                Some("contained"),
                "Package blocked at the proxy; laptops isolated.",
            ),
            (
                30,
                RAVI,
                "status_changed",
                Some("contained"),
                Some("resolved"),
                "Laptops reimaged, tokens rotated.",
            ),
            (120, RAVI, "reviewed", None, None, ""),
            (
                240,
                RAVI,
                "action_done",
                None,
                None,
                "Route laptop npm installs through the private registry",
            ),
            (
                241,
                RAVI,
                "status_changed",
                Some("resolved"),
                Some("closed"),
                "Review done; one follow-up left with an owner.",
            ),
        ],
    },
    DemoIncident {
        title: "Customer e-mails pasted into a personal ChatGPT account",
        kind: IncidentKind::DataSent,
        description: "A support agent pasted a thread of customer e-mails (names, addresses, \
            order numbers) into a personal ChatGPT account to draft a reply.",
        reporter: ELI,
        reported: 2,
        severity: "medium",
        owner: SOFIA,
        status: "triaged",
        tools: &["chatgpt-personal"],
        data_classes: &["customer-data", "personal-data"],
        teams: &["customer-support"],
        review_summary: "",
        root_cause: "",
        steps_done: &[(1, 4)],
        follow_ups: &[],
        events: &[
            (0, ELI, "reported", None, None, ""),
            (
                3,
                SOFIA,
                "triaged",
                Some("reported"),
                Some("triaged"),
                "severity medium · owner Sofia Brandt\n\nAsking the agent which threads went in.",
            ),
        ],
    },
];

/// The demo's past tabletop exercise: the leaked-tool scenario, rehearsed three months ago.
const EXERCISE_TITLE: &str = "A leaked AI coding assistant and a fake package";

/// Adds the demo's tabletop exercise unless it is there; whether it added it.
async fn load_exercise(conn: &mut PgConnection, now: DateTime<Utc>) -> Result<bool, AppError> {
    let exists = sqlx::query_scalar!(
        r#"SELECT EXISTS (SELECT 1 FROM exercises WHERE title = $1) AS "exists!""#,
        EXERCISE_TITLE
    )
    .fetch_one(&mut *conn)
    .await?;
    if exists {
        return Ok(false);
    }
    let held = now - Duration::days(90);
    let admin = person(conn, NORA).await?.user_id;
    let exercise_id = sqlx::query_scalar!(
        "INSERT INTO exercises (title, kind, playbook_version, scenario, held_on, participants,
           went_well, gaps, recorded_at, created_by, created_at)
         VALUES ($1, 'tool_compromised', 1, $2, $3, $4, $5, $6, $7, $8, $9)
         RETURNING exercise_id",
        EXERCISE_TITLE,
        "Monday 08:00: the vendor of our approved AI coding assistant announces its source code \
         leaked. By 11:00 a look-alike npm package is trending; a developer reports their \
         antivirus flagged it. The facilitator adds facts every 20 minutes.",
        held.date_naive(),
        "Ravi Menon (incident owner), Sofia Brandt, Omar Haddad (platform), Maya Okafor \
         (Payments and Customer Support), the CISO's deputy",
        "The kill switch decision took 12 minutes; everyone knew the rollback plan (GitHub \
         Copilot). The registry answered at once which teams used the tool with which data.",
        "Nobody knew who calls the vendor's security contact. Laptops install npm packages \
         outside the private registry, so blocking at the registry would not have been enough.",
        held + Duration::hours(4),
        admin,
        held - Duration::days(14)
    )
    .fetch_one(&mut *conn)
    .await?;
    // After the exercise, Nora reviewed every playbook in force as shipped.
    sqlx::query!(
        "INSERT INTO playbook_versions (kind, version, steps, channels, note, edited_by,
           edited_at)
         SELECT kind, version + 1, steps, channels, $1, $2, $3 FROM playbook_versions p
         WHERE edited_by IS NULL
           AND version = (SELECT max(version) FROM playbook_versions q WHERE q.kind = p.kind)",
        "Reviewed after the tabletop exercise; vendor security contacts still to be added.",
        admin,
        held + Duration::days(2)
    )
    .execute(&mut *conn)
    .await?;
    let ravi = person(conn, RAVI).await?.user_id;
    sqlx::query!(
        "INSERT INTO exercise_actions (exercise_id, what, owner_id, due_on, created_at)
         VALUES ($1, $2, $3, $4, $5)",
        exercise_id,
        "Name the vendor security contacts in the communication channels of each playbook",
        ravi,
        (now + Duration::days(14)).date_naive(),
        held + Duration::hours(4)
    )
    .execute(&mut *conn)
    .await?;
    Ok(true)
}

/// Adds the demo exercise and incidents that are not there yet (by title); how many it added.
pub(super) async fn load(conn: &mut PgConnection, now: DateTime<Utc>) -> Result<u64, AppError> {
    let mut added = u64::from(load_exercise(conn, now).await?);
    for demo in INCIDENTS {
        let exists = sqlx::query_scalar!(
            r#"SELECT EXISTS (SELECT 1 FROM incidents WHERE title = $1) AS "exists!""#,
            demo.title
        )
        .fetch_one(&mut *conn)
        .await?;
        if exists {
            continue;
        }
        add(conn, demo, now).await?;
        added += 1;
    }
    Ok(added)
}

async fn add(
    conn: &mut PgConnection,
    demo: &DemoIncident,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    let reported = now - Duration::days(demo.reported);
    let at = |hours: i64| reported + Duration::hours(hours);
    let reporter = person(conn, demo.reporter).await?.user_id;
    let owner = person(conn, demo.owner).await?.user_id;
    let updated = demo
        .events
        .iter()
        .map(|e| at(e.0))
        .max()
        .unwrap_or(reported);
    let incident_id = sqlx::query_scalar!(
        "INSERT INTO incidents (reporter_id, kind, title, description, occurred_at, severity,
           status, owner_id, review_summary, root_cause, reported_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
         RETURNING incident_id",
        reporter,
        demo.kind.as_str(),
        demo.title,
        demo.description,
        reported - Duration::hours(2),
        demo.severity,
        demo.status,
        owner,
        demo.review_summary,
        demo.root_cause,
        reported,
        updated
    )
    .fetch_one(&mut *conn)
    .await?;
    let slugs = |slugs: &[&str]| slugs.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
    let tools = ids_of(conn, "tools", &slugs(demo.tools), Named::Tools).await?;
    let classes = ids_of(
        conn,
        "data_classes",
        &slugs(demo.data_classes),
        Named::DataClasses,
    )
    .await?;
    let teams = ids_of(conn, "teams", &slugs(demo.teams), Named::Teams).await?;
    sqlx::query!(
        "INSERT INTO incident_tools (incident_id, tool_id) SELECT $1, unnest($2::uuid[])",
        incident_id,
        &tools
    )
    .execute(&mut *conn)
    .await?;
    sqlx::query!(
        "INSERT INTO incident_data_classes (incident_id, data_class_id)
         SELECT $1, unnest($2::uuid[])",
        incident_id,
        &classes
    )
    .execute(&mut *conn)
    .await?;
    sqlx::query!(
        "INSERT INTO incident_teams (incident_id, team_id) SELECT $1, unnest($2::uuid[])",
        incident_id,
        &teams
    )
    .execute(&mut *conn)
    .await?;
    crate::backend::incidents::copy_steps(conn, incident_id, demo.kind).await?;
    for (position, hours) in demo.steps_done {
        sqlx::query!(
            "UPDATE incident_steps SET done_at = $3, done_by = $4
             WHERE incident_id = $1 AND position = $2",
            incident_id,
            position,
            at(*hours),
            owner
        )
        .execute(&mut *conn)
        .await?;
    }
    for (what, who, due, done) in demo.follow_ups {
        let who = person(conn, who).await?.user_id;
        sqlx::query!(
            "INSERT INTO incident_actions (incident_id, what, owner_id, due_on, done_at,
               created_at)
             VALUES ($1, $2, $3, $4, $5, $6)",
            incident_id,
            what,
            who,
            at(due * 24).date_naive(),
            done.map(at),
            at(120)
        )
        .execute(&mut *conn)
        .await?;
    }
    for (hours, who, kind, from, to, body) in demo.events {
        let who = person(conn, who).await?.user_id;
        sqlx::query!(
            "INSERT INTO incident_events (incident_id, at, actor_id, kind, from_status,
               to_status, body)
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
            incident_id,
            at(*hours),
            who,
            kind,
            *from,
            *to,
            body
        )
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}
