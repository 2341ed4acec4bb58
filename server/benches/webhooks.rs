//! The job queue under webhook deliveries: two workers (two instances' worth, each with its own
//! listening connection) send to a receiver on loopback.
//! - Delay: 200 events, each committed alone 20 ms apart; the time from each commit until the
//!   receiver has the delivery (p50, p99, slowest).
//! - Throughput: 2,000 events committed in one transaction; deliveries per second until the
//!   receiver has them all.
//!
//! Run through `bench/webhooks.sh` (a release build; a private PostgreSQL when `DATABASE_URL`
//! is unset).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

// Shared with the kill-switch bench, which uses all of it.
#[allow(dead_code)]
mod support;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use app::backend::identity::auth::totp::SealingKey;
use app::backend::jobs::worker;
use app::backend::platform::clock::Clock;
use app::backend::platform::services::Services;
use app::backend::platform::signing::{KeyPair, SigningKeys};
use app::backend::webhooks::{emit, hooks::seal_context, Event};
use app::domain::webhooks::WebhookEvent;
use support::{ms, percentile, Database};

const ONE_BY_ONE: usize = 200;
const BURST: usize = 2_000;

type Arrivals = Arc<Mutex<HashMap<u64, Instant>>>;

/// A receiver on loopback noting when each event (by its `data.n`) arrived.
async fn receiver(arrivals: Arrivals) -> String {
    let app = axum::Router::new().route(
        "/hook",
        axum::routing::post(move |body: axum::body::Bytes| async move {
            let event: serde_json::Value = serde_json::from_slice(&body).expect("json");
            let n = event["data"]["n"].as_u64().expect("n");
            arrivals.lock().expect("lock").insert(n, Instant::now());
            axum::http::StatusCode::NO_CONTENT
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let address = listener.local_addr().expect("address");
    tokio::spawn(async move { axum::serve(listener, app).await });
    format!("http://{address}/hook")
}

async fn commit_events(pool: &sqlx::PgPool, from: usize, count: usize) -> Instant {
    let mut tx = pool.begin().await.expect("tx");
    for n in from..from + count {
        let event = Event {
            kind: WebhookEvent::IncidentOpened,
            summary: "Incident reported (bench).",
            link: "/incidents/1",
            data: serde_json::json!({ "n": n }),
        };
        emit(&mut tx, event, chrono::Utc::now())
            .await
            .expect("emitted");
    }
    tx.commit().await.expect("commit");
    Instant::now()
}

async fn wait_for(arrivals: &Arrivals, count: usize) {
    let deadline = Instant::now() + Duration::from_secs(120);
    while arrivals.lock().expect("lock").len() < count {
        assert!(Instant::now() < deadline, "deliveries did not all arrive");
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
}

#[tokio::main]
async fn main() {
    let db = Database::create("bench_webhooks").await;
    let pool = db.pool.clone();

    let arrivals: Arrivals = Arc::default();
    let hook_url = receiver(arrivals.clone()).await;
    let key = SealingKey::from_bytes([7; 32]);
    let id = uuid::Uuid::new_v4();
    let events = vec![WebhookEvent::IncidentOpened.as_str().to_owned()];
    let sealed = key
        .seal_bytes(
            b"whsec_bench",
            &seal_context(id, &hook_url, "json", &events),
        )
        .expect("sealed");
    sqlx::query(
        "INSERT INTO webhooks (webhook_id, url, events, format, sealed_secret, created_at)
         VALUES ($1, $2, $3, 'json', $4, now())",
    )
    .bind(id)
    .bind(&hook_url)
    .bind(&events)
    .bind(sealed)
    .execute(&pool)
    .await
    .expect("hook");

    let services = Services {
        pool: pool.clone(),
        clock: Clock::system(),
        totp_key: key,
        signing_keys: Arc::new(
            SigningKeys::from_pairs(vec![KeyPair::from_seed([9; 32])]).expect("key"),
        ),
        public_url: "http://portal.example".into(),
        trusted_proxies: Vec::new(),
        scanners: Default::default(),
        policies: app::backend::registry::policy::new_cache(app::backend::platform::notified::TTL),
        scan_records: Default::default(),
        mailer: None,
        sso: None,
    };
    let workers: Vec<_> = (0..2)
        .map(|_| tokio::spawn(worker::run_forever(services.clone())))
        .collect();
    // Let both workers schedule their day and start listening.
    tokio::time::sleep(Duration::from_secs(1)).await;

    let mut delays = Vec::with_capacity(ONE_BY_ONE);
    for n in 0..ONE_BY_ONE {
        let committed = commit_events(&pool, n, 1).await;
        wait_for(&arrivals, n + 1).await;
        let arrived = arrivals.lock().expect("lock")[&(n as u64)];
        delays.push(arrived.saturating_duration_since(committed));
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    delays.sort();
    println!(
        "commit to delivery, {ONE_BY_ONE} events one at a time: p50 {}, p99 {}, slowest {}",
        ms(percentile(&delays, 50)),
        ms(percentile(&delays, 99)),
        ms(*delays.last().expect("some"))
    );

    let started = Instant::now();
    let committed = commit_events(&pool, ONE_BY_ONE, BURST).await;
    let enqueue = committed - started;
    wait_for(&arrivals, ONE_BY_ONE + BURST).await;
    let took = committed.elapsed();
    println!(
        "{BURST} events in one transaction (written in {}): delivered in {:.2} s, {:.0} deliveries/s",
        ms(enqueue),
        took.as_secs_f64(),
        BURST as f64 / took.as_secs_f64()
    );
    for worker in workers {
        worker.abort();
    }
    db.drop().await;
}
