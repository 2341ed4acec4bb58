//! After the kill switch: the banner each affected person sees until they acknowledge it, the
//! per-team tally of who has read it, and the policy check's first "no" on the incident's
//! timeline.

use chrono::{DateTime, Utc};
use serde_json::json;
use sqlx::PgPool;
use uuid::Uuid;

use crate::backend::audit::{self, NewEvent};
use crate::backend::identity::users::Principal;
use crate::backend::platform::change::Change;
use crate::domain::registry::policy::TeamRef;
use crate::domain::AuditAction;
use crate::error::AppError;
use crate::model::{StopBanner, StopTally, TeamAcknowledgements};

/// The stops in force that concern `user_id` and they have not acknowledged, newest first.
pub async fn banners(pool: &PgPool, user_id: Uuid) -> Result<Vec<StopBanner>, AppError> {
    // A stop concerns someone when its tool is approved for every team or for one of theirs.
    Ok(sqlx::query!(
        r#"SELECT s.stop_id, t.slug, t.name, s.reason, s.instead, i.number AS "incident?",
             s.stopped_at
           FROM tool_stops s JOIN tools t ON t.tool_id = s.tool_id
           LEFT JOIN incidents i ON i.incident_id = s.incident_id
           WHERE s.lifted_at IS NULL
             AND NOT EXISTS (SELECT 1 FROM tool_stop_acknowledgements a
                             WHERE a.stop_id = s.stop_id AND a.user_id = $1)
             AND (t.all_teams OR EXISTS (SELECT 1 FROM tool_teams tt
                    JOIN team_members m ON m.team_id = tt.team_id
                    WHERE tt.tool_id = t.tool_id AND m.user_id = $1))
           ORDER BY s.stopped_at DESC"#,
        user_id
    )
    .fetch_all(pool)
    .await?
    .into_iter()
    .map(|row| StopBanner {
        stop_id: row.stop_id.to_string(),
        tool: TeamRef {
            slug: row.slug,
            name: row.name,
        },
        reason: row.reason,
        instead: row.instead,
        incident: row.incident,
        stopped_at: row.stopped_at,
    })
    .collect())
}

/// `principal` has read the banner of stop `stop_id`: recorded once, on the incident's
/// timeline and in the audit chain. `NotFound` for a stop that does not concern them.
pub async fn acknowledge(
    pool: &PgPool,
    principal: &Principal,
    change: &Change,
    stop_id: Uuid,
) -> Result<(), AppError> {
    let mut tx = pool.begin().await?;
    let stop = sqlx::query!(
        r#"SELECT s.incident_id, t.slug, t.name FROM tool_stops s
           JOIN tools t ON t.tool_id = s.tool_id
           WHERE s.stop_id = $2 AND s.lifted_at IS NULL
             AND (t.all_teams OR EXISTS (SELECT 1 FROM tool_teams tt
                    JOIN team_members m ON m.team_id = tt.team_id
                    WHERE tt.tool_id = t.tool_id AND m.user_id = $1))"#,
        principal.user_id,
        stop_id
    )
    .fetch_optional(&mut *tx)
    .await?
    .ok_or(AppError::NotFound)?;
    let inserted = sqlx::query!(
        "INSERT INTO tool_stop_acknowledgements (stop_id, user_id, at) VALUES ($1, $2, $3)
         ON CONFLICT DO NOTHING",
        stop_id,
        principal.user_id,
        change.now
    )
    .execute(&mut *tx)
    .await?;
    if inserted.rows_affected() == 0 {
        // Acknowledged already (a second tab): nothing more to record.
        return Ok(());
    }
    if let Some(incident_id) = stop.incident_id {
        sqlx::query!(
            "INSERT INTO incident_events (incident_id, at, actor_id, kind, body)
             VALUES ($1, $2, $3, 'acknowledged', $4)",
            incident_id,
            change.now,
            principal.user_id,
            format!("Read that {} is stopped.", stop.name)
        )
        .execute(&mut *tx)
        .await?;
    }
    let event = NewEvent::new(change.actor.clone(), AuditAction::ToolStopAcknowledged)
        .target(format!("tool:{}", stop.slug))
        .source(change.source)
        .after(json!({ "stop": stop_id.to_string() }));
    audit::append(&mut tx, event, change.now).await?;
    tx.commit().await?;
    Ok(())
}

/// The stops pulled under incident `incident_id`, each with its acknowledgements team by team.
pub(super) async fn tallies(pool: &PgPool, incident_id: Uuid) -> Result<Vec<StopTally>, AppError> {
    let stops = sqlx::query!(
        "SELECT s.stop_id, s.tool_id, t.slug, t.name, s.reason, s.stopped_at, s.first_no_at,
           s.lifted_at, u.display_name AS stopped_by
         FROM tool_stops s JOIN tools t ON t.tool_id = s.tool_id
         JOIN users u ON u.user_id = s.stopped_by
         WHERE s.incident_id = $1 ORDER BY s.stopped_at",
        incident_id
    )
    .fetch_all(pool)
    .await?;
    let mut tallies = Vec::with_capacity(stops.len());
    for stop in stops {
        // Every team the tool is approved for (all of them when it is approved for every team).
        let teams = sqlx::query!(
            r#"SELECT tm.slug, tm.name,
                 count(m.user_id) AS "members!",
                 count(a.user_id) AS "acknowledged!",
                 COALESCE(array_agg(u.display_name ORDER BY u.display_name)
                          FILTER (WHERE m.user_id IS NOT NULL AND a.user_id IS NULL), '{}')
                   AS "waiting!: Vec<String>"
               FROM teams tm
               JOIN tools t ON t.tool_id = $1
               LEFT JOIN team_members m ON m.team_id = tm.team_id
               LEFT JOIN users u ON u.user_id = m.user_id AND u.disabled_at IS NULL
               LEFT JOIN tool_stop_acknowledgements a
                 ON a.stop_id = $2 AND a.user_id = u.user_id
               WHERE (t.all_teams OR EXISTS (SELECT 1 FROM tool_teams tt
                        WHERE tt.tool_id = t.tool_id AND tt.team_id = tm.team_id))
                 AND (m.user_id IS NULL OR u.user_id IS NOT NULL)
               GROUP BY tm.team_id, tm.slug, tm.name
               ORDER BY lower(tm.name)"#,
            stop.tool_id,
            stop.stop_id
        )
        .fetch_all(pool)
        .await?
        .into_iter()
        .map(|row| TeamAcknowledgements {
            team: TeamRef {
                slug: row.slug,
                name: row.name,
            },
            members: row.members,
            acknowledged: row.acknowledged,
            waiting: row.waiting,
        })
        .collect();
        tallies.push(StopTally {
            receipt_id: stop.stop_id.to_string(),
            tool: TeamRef {
                slug: stop.slug,
                name: stop.name,
            },
            reason: stop.reason,
            stopped_at: stop.stopped_at,
            stopped_by: stop.stopped_by,
            first_no_at: stop.first_no_at,
            lifted_at: stop.lifted_at,
            teams,
        });
    }
    Ok(tallies)
}

/// The policy check just answered no for tool `slug`: if a stop in force has not seen its
/// first "no" yet, this is it — recorded on the stop and its incident's timeline, in one
/// statement. Once noted, this is one indexed UPDATE matching nothing.
pub async fn note_first_no(pool: &PgPool, slug: &str, now: DateTime<Utc>) -> Result<(), AppError> {
    sqlx::query!(
        "WITH noted AS (
           UPDATE tool_stops s SET first_no_at = $2
           FROM tools t
           WHERE t.slug = $1 AND s.tool_id = t.tool_id AND s.lifted_at IS NULL
             AND s.first_no_at IS NULL
           RETURNING s.incident_id, t.name)
         INSERT INTO incident_events (incident_id, at, actor_id, kind, body)
         SELECT incident_id, $2, NULL, 'first_no',
           'The policy check answered no for ' || name || ' for the first time.'
         FROM noted WHERE incident_id IS NOT NULL",
        slug,
        now
    )
    .execute(pool)
    .await?;
    Ok(())
}

/// Tool `tool_id` is allowed again (a reinstatement, decided by two reviewers): its stop is
/// lifted — the banner goes — and the requests it held are released, each with a timeline
/// entry, as is the incident's. Inside the caller's transaction.
pub(crate) async fn lift_stops(
    conn: &mut sqlx::PgConnection,
    tool_id: Uuid,
    change: &Change,
) -> Result<(), AppError> {
    sqlx::query!(
        "WITH lifted AS (
           UPDATE tool_stops SET lifted_at = $2
           WHERE tool_id = $1 AND lifted_at IS NULL
           RETURNING stop_id, incident_id),
         released AS (
           UPDATE tool_requests r SET held_by = NULL FROM lifted
           WHERE r.held_by = lifted.stop_id
           RETURNING r.request_id),
         request_events AS (
           INSERT INTO tool_request_events (request_id, at, actor_id, kind, body)
           SELECT request_id, $2, $3, 'released',
             'No longer on hold: the tool is reinstated.' FROM released)
         INSERT INTO incident_events (incident_id, at, actor_id, kind, body)
         SELECT incident_id, $2, $3, 'tool_reinstated',
           'The tool is reinstated; its banner is gone and held requests are released.'
         FROM lifted WHERE incident_id IS NOT NULL",
        tool_id,
        change.now,
        change.by
    )
    .execute(&mut *conn)
    .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Actor;

    /// Reinstating a stopped tool lifts its stop and releases what it held, with the timeline
    /// entries, in the caller's transaction.
    #[sqlx::test(migrations = "../migrations")]
    async fn reinstating_lifts_the_stop_and_releases_held_requests(pool: PgPool) {
        let now = Utc::now();
        let setup = [
            "INSERT INTO users (user_id, email, display_name, password_hash, created_at)
             VALUES ('00000000-0000-4000-8000-000000000001', 'r@example.com', 'R', NULL, now())",
            "INSERT INTO teams (team_id, slug, name, created_at)
             VALUES ('00000000-0000-4000-8000-000000000002', 'payments', 'Payments', now())",
            "INSERT INTO tools (tool_id, slug, name, vendor, category, status, status_reason,
               status_since, distribution, created_at)
             VALUES ('00000000-0000-4000-8000-000000000003', 'tool', 'Tool', 'V', 'other',
               'suspended', 'Leaked', current_date, 'saas', now())",
            "INSERT INTO incidents (incident_id, reporter_id, kind, title, description,
               occurred_at, reported_at, updated_at)
             VALUES ('00000000-0000-4000-8000-000000000004',
               '00000000-0000-4000-8000-000000000001', 'other', 'T', 'D', now(), now(), now())",
            "INSERT INTO tool_stops (stop_id, tool_id, incident_id, reason, stopped_by,
               stopped_at, totp_step, key_id, payload, signature)
             VALUES ('00000000-0000-4000-8000-000000000005',
               '00000000-0000-4000-8000-000000000003', '00000000-0000-4000-8000-000000000004',
               'Leaked', '00000000-0000-4000-8000-000000000001', now(), 1, 'k', '{}', 's')",
            "INSERT INTO tool_requests (request_id, requester_id, team_id, tool_id, tool_name,
               category, distribution, state, created_at, updated_at, held_by)
             VALUES ('00000000-0000-4000-8000-000000000006',
               '00000000-0000-4000-8000-000000000001', '00000000-0000-4000-8000-000000000002',
               '00000000-0000-4000-8000-000000000003', 'Tool', 'other', 'saas', 'submitted',
               now(), now(), '00000000-0000-4000-8000-000000000005')",
        ];
        for statement in setup {
            sqlx::query(statement)
                .execute(&pool)
                .await
                .expect(statement);
        }
        let change = Change {
            actor: Actor::Operator,
            by: None,
            source: None,
            now,
            today: crate::backend::platform::change::today(now).expect("today"),
        };
        let tool = Uuid::parse_str("00000000-0000-4000-8000-000000000003").expect("uuid");
        let mut tx = pool.begin().await.expect("tx");
        lift_stops(&mut tx, tool, &change).await.expect("lifted");
        tx.commit().await.expect("commit");
        let lifted: bool = sqlx::query_scalar("SELECT lifted_at IS NOT NULL FROM tool_stops")
            .fetch_one(&pool)
            .await
            .expect("stop");
        let held: bool = sqlx::query_scalar("SELECT held_by IS NOT NULL FROM tool_requests")
            .fetch_one(&pool)
            .await
            .expect("request");
        let events: Vec<String> = sqlx::query_scalar(
            "SELECT kind FROM tool_request_events UNION ALL
             SELECT kind FROM incident_events ORDER BY 1",
        )
        .fetch_all(&pool)
        .await
        .expect("events");
        assert!(lifted);
        assert!(!held);
        assert_eq!(events, ["released", "tool_reinstated"]);
        // Nothing left to lift: a second reinstatement records nothing more.
        let mut tx = pool.begin().await.expect("tx");
        lift_stops(&mut tx, tool, &change).await.expect("lifted");
        tx.commit().await.expect("commit");
        let count: i64 = sqlx::query_scalar("SELECT count(*) FROM incident_events")
            .fetch_one(&pool)
            .await
            .expect("count");
        assert_eq!(count, 1);
    }
}
