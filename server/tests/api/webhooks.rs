//! Webhooks end to end against a real receiver on loopback: an admin adds one (its secret shown
//! once), the changes it listens to reach it signed, failures are tried again with backoff, a
//! delivery left by a dead instance is sent after its lease, an address changed in the database
//! alone is never sent to, and only admins touch any of it.

use std::sync::{Arc, Mutex};

use app::backend::jobs::{queue, reminders, worker};
use app::backend::webhooks::deliver::signature;
use app::domain::{Membership, Role};
use axum::http::{HeaderMap, StatusCode};
use serde_json::Value;

use crate::helpers::{spawn_app, SignedIn, TestApp};

/// One request the receiver was sent.
type Received = (HeaderMap, Vec<u8>);

/// What the receiver was sent, in order.
#[derive(Clone, Default)]
struct Receiver {
    got: Arc<Mutex<Vec<Received>>>,
    /// Statuses to answer with, first to last; 200 once they run out.
    answers: Arc<Mutex<Vec<u16>>>,
    url: String,
}

impl Receiver {
    async fn start(answers: &[u16]) -> Self {
        Self::start_redirecting(answers, "http://127.0.0.1:1/").await
    }

    /// A receiver whose 302 answers send the client to `target`.
    async fn start_redirecting(answers: &[u16], target: &str) -> Self {
        let target = target.to_owned();
        let mut receiver = Receiver {
            answers: Arc::new(Mutex::new(answers.iter().rev().copied().collect())),
            ..Receiver::default()
        };
        let state = receiver.clone();
        let app = axum::Router::new().route(
            "/hook/{*rest}",
            axum::routing::post(
                move |headers: HeaderMap, body: axum::body::Bytes| async move {
                    state
                        .got
                        .lock()
                        .expect("lock")
                        .push((headers, body.to_vec()));
                    let status = state.answers.lock().expect("lock").pop().unwrap_or(200);
                    let mut answer = axum::response::Response::new(axum::body::Body::empty());
                    *answer.status_mut() = StatusCode::from_u16(status).expect("status");
                    if status == 302 {
                        answer.headers_mut().insert(
                            "location",
                            target.parse::<axum::http::HeaderValue>().expect("h"),
                        );
                    }
                    answer
                },
            ),
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let address = listener.local_addr().expect("address");
        tokio::spawn(async move { axum::serve(listener, app).await });
        receiver.url = format!("http://{address}/hook/T01/B02/channel-secret");
        receiver
    }

    fn got(&self) -> Vec<Received> {
        self.got.lock().expect("lock").clone()
    }
}

async fn admin(app: &TestApp) -> SignedIn {
    app.signed_in("nora@example.com", &[Role::Admin]).await
}

/// Adds a hook through the server function as the admin; returns its secret, read from the
/// page that shows it once.
async fn add(app: &TestApp, admin: &SignedIn, url: &str, events: &[&str], format: &str) -> String {
    let mut form = vec![
        ("url", url),
        ("description", "Security channel"),
        ("format", format),
    ];
    form.extend(events.iter().map(|event| ("events[]", *event)));
    let (status, body) = app
        .call_json("admin/add_webhook", &form, Some(&admin.cookie))
        .await;
    assert_eq!(status, 200, "{body}");
    let page = app.html("/admin/integrations", &admin.cookie).await;
    let at = page.find("whsec_").expect("the secret is shown once");
    let secret = page[at..at + 49].to_owned();
    let again = app.html("/admin/integrations", &admin.cookie).await;
    assert!(!again.contains(&secret), "the secret is shown only once");
    secret
}

/// A portal with the demo, its admin Nora, and one hook to `receiver` for `events` in `format`.
struct Hooked {
    app: TestApp,
    nora: SignedIn,
    receiver: Receiver,
    secret: String,
    /// The hook's id.
    id: String,
}

async fn hooked(receiver: Receiver, events: &[&str], format: &str) -> Hooked {
    let app = spawn_app().await;
    app.load_demo().await;
    let nora = admin(&app).await;
    let secret = add(&app, &nora, &receiver.url, events, format).await;
    let id = hook_id(&app).await;
    Hooked {
        app,
        nora,
        receiver,
        secret,
        id,
    }
}

async fn integrations(app: &TestApp, who: &SignedIn) -> (u16, Value) {
    app.call_json("admin/integrations", &[], Some(&who.cookie))
        .await
}

async fn hook_id(app: &TestApp) -> String {
    let id: uuid::Uuid =
        sqlx::query_scalar("SELECT webhook_id FROM webhooks ORDER BY created_at DESC LIMIT 1")
            .fetch_one(&app.pool)
            .await
            .expect("a hook");
    id.to_string()
}

/// Reports an incident as `who`; its number.
async fn report(app: &TestApp, who: &SignedIn, title: &str) -> i64 {
    let report = [
        ("incident[title]", title),
        ("incident[kind]", "data_sent"),
        ("incident[description]", "Seen in the proxy log."),
        ("incident[occurred_at]", "2026-12-01T09:30"),
    ];
    let (status, number) = app
        .call_json("report_incident", &report, Some(&who.cookie))
        .await;
    assert_eq!(status, 200, "{number}");
    number.as_i64().expect("a number")
}

/// Asks for a test event to hook `id` as `admin`; the status and body.
async fn send_test(app: &TestApp, admin: &SignedIn, id: &str) -> (u16, Value) {
    app.call_json("admin/test_webhook", &[("id", id)], Some(&admin.cookie))
        .await
}

fn verify(secret: &str, headers: &HeaderMap, body: &[u8]) {
    let header = headers["x-portal-signature"].to_str().expect("ascii");
    let t: i64 = header
        .strip_prefix("t=")
        .and_then(|rest| rest.split(',').next())
        .and_then(|t| t.parse().ok())
        .expect("a timestamp");
    assert_eq!(
        signature(secret.as_bytes(), t, body).expect("signed"),
        header,
        "the signature matches the body"
    );
}

#[tokio::test]
async fn the_events_a_hook_listens_to_reach_it_signed_and_others_do_not() {
    let Hooked {
        app,
        nora,
        receiver,
        secret,
        ..
    } = hooked(
        Receiver::start(&[]).await,
        &["incident.opened", "tool.stopped"],
        "json",
    )
    .await;

    // The list shows the host only: the path of a chat service's address is its secret.
    let (status, page) = integrations(&app, &nora).await;
    assert_eq!(status, 200);
    assert_eq!(
        page["webhooks"][0]["url"],
        format!(
            "{}/…",
            &receiver.url[..receiver.url.find("/hook").expect("path")]
        )
    );
    let html = app.html("/admin/integrations", &nora.cookie).await;
    assert!(
        !html.contains("channel-secret"),
        "the address's path is never shown"
    );

    // A reported incident writes one delivery (that none exists for a change that rolled back
    // is `emit::tests::deliveries_exist_exactly_when_their_cause_committed`).
    let eli = app.signed_in("eli@example.com", &[]).await;
    let number = report(
        &app,
        &eli,
        "Prompt with customer data pasted into a chatbot",
    )
    .await;

    assert_eq!(worker::run_due(&app.services).await.expect("ran"), 1);
    let got = receiver.got();
    assert_eq!(got.len(), 1, "one delivery, of the incident");
    let (headers, body) = &got[0];
    verify(&secret, headers, body);
    assert_eq!(headers["x-portal-event"], "incident.opened");
    assert_eq!(headers["content-type"], "application/json");
    let event: Value = serde_json::from_slice(body).expect("json");
    assert_eq!(event["type"], "incident.opened");
    assert_eq!(event["data"]["number"], number);
    assert_eq!(event["link"], format!("{}/incidents/{number}", app.address));
    assert_eq!(
        headers["x-portal-event-id"],
        event["id"].as_str().expect("id")
    );
    let (_, page) = integrations(&app, &nora).await;
    assert_eq!(page["deliveries"][0]["state"], "delivered");
    assert_eq!(page["deliveries"][0]["last_status"], 200);
    assert_eq!(page["webhooks"][0]["delivered"], 1);

    // Sent again by an admin: the same event id, audited.
    let delivery = page["deliveries"][0]["id"]
        .as_i64()
        .expect("id")
        .to_string();
    let (status, body) = app
        .call_json(
            "admin/resend_delivery",
            &[("id", &delivery)],
            Some(&nora.cookie),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    // Underway: not again until it ends.
    let (status, _) = app
        .call_json(
            "admin/resend_delivery",
            &[("id", &delivery)],
            Some(&nora.cookie),
        )
        .await;
    assert_eq!(status, 409);
    worker::run_due(&app.services).await.expect("ran");
    let got = receiver.got();
    assert_eq!(got.len(), 2);
    assert_eq!(got[1].0["x-portal-event-id"], got[0].0["x-portal-event-id"]);
    assert_eq!(
        app.count("SELECT count(*) FROM audit_events WHERE action IN ('webhook.added', 'webhook.delivery_resent')")
            .await,
        2
    );
}

#[tokio::test]
async fn a_request_submitted_and_decided_reaches_a_hook_and_unheard_kinds_do_not() {
    let Hooked {
        app,
        receiver,
        secret,
        ..
    } = hooked(
        Receiver::start(&[]).await,
        &["request.submitted", "request.decided"],
        "json",
    )
    .await;
    let eli = app.signed_in("eli@example.com", &[]).await;
    app.join(eli.user_id, "payments", Membership::Member).await;
    let mut rita = app.signed_in("rita@example.com", &[Role::Reviewer]).await;
    let number = app.submit_request(&eli).await;
    app.assign(&rita, &number).await;
    let (status, body) = app.decide(&mut rita, &number, "reject").await;
    assert_eq!(status, 200, "{body}");
    // An incident is not an event this hook listens to.
    report(&app, &eli, "Shadow AI tool found").await;

    assert_eq!(worker::run_due(&app.services).await.expect("ran"), 2);
    let got = receiver.got();
    let events: Vec<Value> = got
        .iter()
        .map(|(headers, body)| {
            verify(&secret, headers, body);
            serde_json::from_slice(body).expect("json")
        })
        .collect();
    assert_eq!(events.len(), 2, "{events:?}");
    // Deliveries run side by side: found by type, not by order.
    let of = |kind: &str| {
        events
            .iter()
            .find(|event| event["type"] == kind)
            .unwrap_or_else(|| panic!("no {kind} in {events:?}"))
    };
    assert_eq!(of("request.submitted")["data"]["tool"], "Windsurf");
    assert_eq!(of("request.decided")["data"]["outcome"], "rejected");
    assert_eq!(of("request.decided")["data"]["number"].to_string(), number);
}

#[tokio::test]
async fn a_failing_receiver_is_tried_again_with_backoff_until_it_answers() {
    let elsewhere = Receiver::start(&[]).await;
    let Hooked {
        app,
        nora,
        receiver,
        id,
        ..
    } = hooked(
        Receiver::start_redirecting(&[500, 302], &elsewhere.url).await,
        &["incident.opened"],
        "slack",
    )
    .await;
    let (status, body) = send_test(&app, &nora, &id).await;
    assert_eq!(status, 200, "{body}");

    worker::run_due(&app.services).await.expect("ran");
    let (_, page) = integrations(&app, &nora).await;
    let delivery = &page["deliveries"][0];
    assert_eq!(delivery["state"], "retrying");
    assert_eq!(delivery["last_status"], 500);
    assert_eq!(delivery["last_error"], "The receiver answered HTTP 500.");
    assert_eq!(page["webhooks"][0]["failing"], 1);
    // Not before its wait is over; a redirect is a failure, never followed.
    assert_eq!(worker::run_due(&app.services).await.expect("ran"), 0);
    app.advance(31);
    worker::run_due(&app.services).await.expect("ran");
    let (_, page) = integrations(&app, &nora).await;
    assert_eq!(page["deliveries"][0]["last_status"], 302);
    app.advance(30);
    assert_eq!(
        worker::run_due(&app.services).await.expect("ran"),
        0,
        "the second wait is longer"
    );
    app.advance(31);
    worker::run_due(&app.services).await.expect("ran");
    let (_, page) = integrations(&app, &nora).await;
    assert_eq!(page["deliveries"][0]["state"], "delivered");
    assert_eq!(page["deliveries"][0]["attempts"], 3);
    let got = receiver.got();
    assert_eq!(got.len(), 3);
    assert!(elsewhere.got().is_empty(), "the redirect was not followed");
    let body: Value = serde_json::from_slice(&got[2].1).expect("json");
    assert!(body["text"]
        .as_str()
        .expect("slack text")
        .contains("|Open in the portal>"));
}

#[tokio::test]
async fn a_delivery_left_by_a_dead_instance_is_sent_once_its_lease_has_passed() {
    let Hooked {
        app,
        nora,
        receiver,
        id,
        ..
    } = hooked(Receiver::start(&[]).await, &["incident.opened"], "teams").await;
    send_test(&app, &nora, &id).await;
    // An instance claims the delivery and dies before sending it.
    let claimed = queue::claim(&app.pool, app.now(), worker::LEASE)
        .await
        .expect("claim")
        .expect("a job");
    drop(claimed);
    assert_eq!(
        worker::run_due(&app.services).await.expect("ran"),
        0,
        "leased"
    );
    app.advance(worker::LEASE.num_seconds() + 1);
    assert_eq!(worker::run_due(&app.services).await.expect("ran"), 1);
    let got = receiver.got();
    assert_eq!(got.len(), 1);
    let card: Value = serde_json::from_slice(&got[0].1).expect("json");
    assert_eq!(
        card["attachments"][0]["contentType"],
        "application/vnd.microsoft.card.adaptive"
    );
}

#[tokio::test]
async fn an_address_changed_in_the_database_alone_is_never_sent_to() {
    let attacker = Receiver::start(&[]).await;
    let Hooked {
        app,
        nora,
        receiver: registered,
        id,
        ..
    } = hooked(Receiver::start(&[]).await, &["incident.opened"], "json").await;
    sqlx::query("UPDATE webhooks SET url = $1")
        .bind(&attacker.url)
        .execute(&app.pool)
        .await
        .expect("changed behind the portal's back");
    send_test(&app, &nora, &id).await;
    worker::run_due(&app.services).await.expect("ran");
    assert!(attacker.got().is_empty() && registered.got().is_empty());
    let (_, page) = integrations(&app, &nora).await;
    assert_eq!(page["deliveries"][0]["state"], "not_sent");
    assert!(page["deliveries"][0]["last_error"]
        .as_str()
        .expect("why")
        .contains("changed outside the portal"));
}

#[tokio::test]
async fn paused_hooks_hear_nothing_and_removed_ones_leave_the_list() {
    let Hooked {
        app,
        nora,
        receiver,
        id,
        ..
    } = hooked(Receiver::start(&[]).await, &["incident.opened"], "json").await;
    let change = |what: &'static str| {
        let (app, cookie, id) = (&app, nora.cookie.clone(), id.clone());
        async move {
            app.call_json(
                "admin/change_webhook",
                &[("id", &id), ("change", what)],
                Some(&cookie),
            )
            .await
        }
    };
    // A delivery queued before the hook is paused is not sent.
    let (status, body) = send_test(&app, &nora, &id).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(change("pause").await.0, 200);
    worker::run_due(&app.services).await.expect("ran");
    assert!(receiver.got().is_empty());
    let (_, page) = integrations(&app, &nora).await;
    assert_eq!(page["deliveries"][0]["state"], "not_sent");
    assert_eq!(page["deliveries"][0]["can_resend"], false);
    let (status, body) = send_test(&app, &nora, &id).await;
    assert_eq!(status, 409, "{body}");
    let eli = app.signed_in("eli@example.com", &[]).await;
    report(&app, &eli, "Shadow AI tool found").await;
    assert_eq!(
        app.count("SELECT count(*) FROM webhook_deliveries").await,
        1,
        "only the test queued before the pause"
    );
    assert_eq!(change("resume").await.0, 200);
    assert_eq!(change("sideways").await.0, 422);
    assert_eq!(change("remove").await.0, 200);
    assert_eq!(change("remove").await.0, 404, "removed once");
    let (_, page) = integrations(&app, &nora).await;
    assert_eq!(page["webhooks"], serde_json::json!([]));
}

#[tokio::test]
async fn only_admins_reach_integrations_and_bad_input_names_its_field() {
    let app = spawn_app().await;
    app.load_demo().await;
    let nora = admin(&app).await;
    let receiver = Receiver::start(&[]).await;
    for (who, roles) in [
        ("eli@example.com", vec![]),
        ("rita@example.com", vec![Role::Reviewer]),
        ("maya@example.com", vec![Role::Manager]),
    ] {
        let person = app.signed_in(who, &roles).await;
        assert_eq!(integrations(&app, &person).await.0, 403, "{who}");
        let form = [
            ("url", receiver.url.as_str()),
            ("events[]", "incident.opened"),
        ];
        let (status, _) = app
            .call_json("admin/add_webhook", &form, Some(&person.cookie))
            .await;
        assert_eq!(status, 403, "{who}");
        let page = app.page("/admin/integrations", &person.cookie).await;
        assert_eq!(page.status(), 403, "{who}");
        let html = page.text().await.expect("html");
        assert!(!html.contains("Add a webhook"), "{who}");
    }
    assert_eq!(app.count("SELECT count(*) FROM webhooks").await, 0);

    for (form, field) in [
        (
            vec![
                ("url", "hooks.example.com/x"),
                ("events[]", "incident.opened"),
            ],
            "url",
        ),
        (
            vec![
                ("url", "https://u:p@example.com/x"),
                ("events[]", "incident.opened"),
            ],
            "url",
        ),
        (vec![("url", receiver.url.as_str())], "events"),
        (
            vec![("url", receiver.url.as_str()), ("events[]", "webhook.test")],
            "events",
        ),
        (
            vec![
                ("url", receiver.url.as_str()),
                ("events[]", "incident.opened"),
                ("format", "xml"),
            ],
            "format",
        ),
    ] {
        let (status, body) = app
            .call_json("admin/add_webhook", &form, Some(&nora.cookie))
            .await;
        assert_eq!(status, 422, "{body}");
        assert_eq!(body["field"], field, "{body}");
    }
    // Without JavaScript, the error is shown on the page that sent the form.
    let back = app
        .refused_form(
            "admin/add_webhook",
            &[
                ("url", "ftp://example.com"),
                ("events[]", "incident.opened"),
            ],
            "/admin/integrations",
            &nora.cookie,
        )
        .await;
    let html = app.html(&back, &nora.cookie).await;
    assert!(
        html.contains("must start with https://"),
        "the error is on the page"
    );

    // Ten minutes after signing in, adding a hook asks for the password again.
    app.advance(600);
    let form = [
        ("url", receiver.url.as_str()),
        ("events[]", "incident.opened"),
    ];
    let (status, body) = app
        .call_json("admin/add_webhook", &form, Some(&nora.cookie))
        .await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(body["field"], "current_password", "{body}");
    let form = [
        ("url", receiver.url.as_str()),
        ("events[]", "incident.opened"),
        ("current_password", crate::helpers::PASSWORD),
    ];
    let (status, body) = app
        .call_json("admin/add_webhook", &form, Some(&nora.cookie))
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(app.count("SELECT count(*) FROM webhooks").await, 1);
}

#[tokio::test]
async fn checklist_items_remind_their_owners_and_an_overdue_one_reaches_managers_and_hooks() {
    let Hooked { app, receiver, .. } =
        hooked(Receiver::start(&[]).await, &["checklist.overdue"], "json").await;
    let owner = app.signed_in("owner@example.com", &[]).await;
    let manager = app.signed_in("lead@example.com", &[Role::Manager]).await;
    let team = "payments";
    app.join(owner.user_id, team, Membership::Member).await;
    app.join(manager.user_id, team, Membership::Manager).await;
    sqlx::query("UPDATE team_checklist_items SET due_date = NULL")
        .execute(&app.pool)
        .await
        .expect("no other dates");
    let items: Vec<i32> = sqlx::query_scalar(
        "SELECT number FROM checklist_items WHERE retired_in_version IS NULL
         ORDER BY number LIMIT 4",
    )
    .fetch_all(&app.pool)
    .await
    .expect("items");
    for (number, days) in items.iter().zip([7, 0, -1, -2]) {
        sqlx::query(
            "INSERT INTO team_checklist_items (team_id, item_id, status, owner_id, due_date, updated_at)
             SELECT t.team_id, i.item_id, 'in_progress', $1, $2::date + $3, now()
             FROM teams t, checklist_items i WHERE t.slug = $5 AND i.number = $4
             ON CONFLICT (team_id, item_id) DO UPDATE
               SET status = 'in_progress', owner_id = $1, due_date = EXCLUDED.due_date",
        )
        .bind(owner.user_id)
        .bind(app.now().date_naive())
        .bind(days)
        .bind(number)
        .bind(team)
        .execute(&app.pool)
        .await
        .expect("due date set");
    }
    reminders::schedule(&app.pool, app.now())
        .await
        .expect("scheduled");
    // Both reminder kinds, then the delivery they enqueued.
    assert!(worker::run_due(&app.services).await.expect("ran") >= 3);
    let mine = app.html("/notifications", &owner.cookie).await;
    for (number, says) in items
        .iter()
        .zip(["is due in 7 days", "is due today", "is overdue"])
    {
        // The sentence about this item, up to the end of its element.
        let start = mine
            .find(&format!("Checklist item {number} "))
            .unwrap_or_else(|| panic!("item {number} is not mentioned"));
        let sentence = &mine[start..start + mine[start..].find('<').expect("element end")];
        assert!(sentence.contains(says), "item {number}: {sentence}");
    }
    assert_eq!(
        mine.matches("is overdue").count(),
        1,
        "overdue is said once, on its first day"
    );
    let theirs = app.html("/notifications", &manager.cookie).await;
    assert!(theirs.contains("is overdue") && !theirs.contains("is due in 7 days"));
    let got = receiver.got();
    assert_eq!(got.len(), 1);
    let event: Value = serde_json::from_slice(&got[0].1).expect("json");
    assert_eq!(event["type"], "checklist.overdue");
    assert_eq!(event["data"]["item"], items[2]);
    assert_eq!(event["data"]["team"], team);
}
