//! How fast the kill switch reaches another instance: the time from the kill-switch POST on
//! instance A until `GET /api/v1/policy/check` answers no on instance B — a separate
//! `server serve` process on the same database — over 100 stops (100 tools, 100 reviewers,
//! each with a fresh code). Prints p50, p99 and the slowest, and the POST's own latency.
//!
//! Run through `bench/kill_switch.sh` (a release build; a private PostgreSQL when
//! `DATABASE_URL` is unset). Nothing is cached between the registry and the policy check, so B
//! answers from what A committed; this measures that end to end.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use app::backend::identity::auth::totp::{store_confirmed, SealingKey, TotpSecret};
use app::backend::identity::users::{create, parse_new_user};
use app::backend::platform::clock::Clock;
use app::backend::platform::services::Services;
use app::backend::platform::signing::{KeyPair, SigningKeys};
use app::domain::{Actor, Email, Role, TokenScope};
use server::config::ServeOptions;
use server::startup::Application;
use support::{ms, percentile, Database};

const RUNS: usize = 100;
const PASSWORD: &str = "kill switch bench passphrase";

#[tokio::main]
async fn main() {
    let db = Database::create("bench_kill_switch").await;
    let pool = db.pool.clone();

    let keys = tempfile::tempdir().expect("tempdir");
    let totp_key = SealingKey::from_bytes([7; 32]);
    let signing_keys =
        Arc::new(SigningKeys::from_pairs(vec![KeyPair::from_seed([9; 32])]).expect("key"));
    let now = chrono::Utc::now();
    app::backend::demo::load(&pool, &totp_key, &signing_keys, now)
        .await
        .expect("demo");
    // One approved tool per run, for every team.
    sqlx::query(
        "INSERT INTO tools (slug, name, vendor, category, status, status_since, distribution,
           all_teams, rollback_plan, created_at)
         SELECT 'bench-tool-' || n, 'Bench Tool ' || n, 'Vendor', 'other', 'approved',
           current_date, 'saas', true, 'Use Bench Tool 0 instead.', now()
         FROM generate_series(1, $1) AS n",
    )
    .bind(i32::try_from(RUNS).expect("runs"))
    .execute(&pool)
    .await
    .expect("tools");
    let mut reviewers = vec![];
    for n in 1..=RUNS {
        let email = format!("bench.reviewer.{n}@example.com");
        let user =
            parse_new_user(&email, "Bench Reviewer", PASSWORD, &[Role::Reviewer]).expect("user");
        let id = create(&pool, Actor::Operator, user, now)
            .await
            .expect("create");
        let secret = TotpSecret::generate();
        let mut conn = pool.acquire().await.expect("conn");
        store_confirmed(&mut conn, &totp_key, id, &secret, now)
            .await
            .expect("enroll");
        reviewers.push((email, secret));
    }
    let gateway = app::backend::identity::tokens::create(
        &pool,
        Actor::Operator,
        &Email::parse("eli.employee@northwind.example").expect("email"),
        "bench",
        TokenScope::Read,
        1,
        now,
    )
    .await
    .expect("token")
    .token;

    // Instance A, in this process, with a clock the bench can move to the next TOTP step.
    let offset = Arc::new(AtomicI64::new(0));
    let clock_offset = offset.clone();
    let services = Services {
        pool: pool.clone(),
        clock: Clock::from_fn(move || {
            chrono::Utc::now() + chrono::Duration::seconds(clock_offset.load(Ordering::SeqCst))
        }),
        totp_key: totp_key.clone(),
        signing_keys: signing_keys.clone(),
        public_url: String::new(),
        trusted_proxies: Vec::new(),
        scanners: Default::default(),
        policies: app::backend::registry::policy::new_cache(app::backend::platform::notified::TTL),
        scan_records: Default::default(),
        mailer: None,
        sso: None,
    };
    let a = Application::build(
        &ServeOptions {
            port: 0,
            ..ServeOptions::default()
        },
        services,
    )
    .await
    .expect("instance A");
    let a_url = format!("http://127.0.0.1:{}", a.port());
    tokio::spawn(a.run_until(std::future::pending()));

    // Instance B: its own process, the same database.
    // DATABASE_URL with this database's name in place of its own.
    let database_url = {
        let (address, query) = db.url.split_once('?').unwrap_or((&db.url, ""));
        let (server, _) = address.rsplit_once('/').expect("a URL with a path");
        let query = if query.is_empty() {
            String::new()
        } else {
            format!("?{query}")
        };
        format!("{server}/{}{query}", db.name)
    };
    let mut b = Command::new(env!("CARGO_BIN_EXE_server"))
        .args(["serve", "--port", "0", "--database-url", &database_url])
        .arg("--totp-key-file")
        .arg(keys.path().join("totp.key"))
        .arg("--signing-key-dir")
        .arg(keys.path().join("signing"))
        .args(["--api-calls-per-minute", "1000000000"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("instance B starts");
    let stdout = b.stdout.take().expect("stdout");
    let mut lines = BufReader::new(stdout).lines();
    let b_url = lines
        .by_ref()
        .map_while(Result::ok)
        .find_map(|line| {
            line.strip_prefix("AI Governance Portal is running at ")
                .map(str::to_owned)
        })
        .expect("instance B prints its address");
    // Keep reading what B prints: a closed pipe would stop it at its next log line.
    std::thread::spawn(move || lines.for_each(drop));

    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client");
    let post = |path: &str, form: Vec<(&str, String)>, cookie: Option<String>| {
        let mut request = client
            .post(format!("{a_url}/api/{path}"))
            .header("origin", a_url.clone())
            .form(&form);
        if let Some(cookie) = cookie {
            request = request.header("cookie", cookie);
        }
        request.send()
    };
    let cookie_of = |response: &reqwest::Response| {
        response
            .headers()
            .get("set-cookie")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(';').next())
            .map(str::to_owned)
            .expect("a session cookie")
    };
    println!("signing in {RUNS} reviewers on A ({a_url}); B is {b_url}");
    let mut sessions = vec![];
    for (email, secret) in &reviewers {
        let response = post(
            "sign_in",
            vec![("email", email.clone()), ("password", PASSWORD.into())],
            None,
        )
        .await
        .expect("sign in");
        assert_eq!(response.status(), 200, "password step");
        let cookie = cookie_of(&response);
        let code = secret.code_at(chrono::Utc::now()).expect("code");
        let response = post("sign_in_code", vec![("code", code)], Some(cookie))
            .await
            .expect("code step");
        assert_eq!(response.status(), 200, "code step");
        sessions.push(cookie_of(&response));
    }
    // The codes that signed them in are spent: stop with the next step's.
    offset.store(30, Ordering::SeqCst);

    let mut propagation = vec![];
    let mut posts = vec![];
    for (n, ((_, secret), cookie)) in reviewers.iter().zip(sessions).enumerate() {
        let tool = format!("bench-tool-{}", n + 1);
        let check = format!(
            "{b_url}/api/v1/policy/check?tool={tool}&data_class=internal-documents&team=payments"
        );
        let code = secret
            .code_at(chrono::Utc::now() + chrono::Duration::seconds(30))
            .expect("code");
        let form = vec![
            ("stop[tool]", tool.clone()),
            ("stop[reason]", "Benchmark: compromised build".into()),
            ("stop[code]", code),
        ];
        let started = Instant::now();
        let response = post("stop_tool", form, Some(cookie)).await.expect("stop");
        let posted = started.elapsed();
        assert_eq!(
            response.status(),
            200,
            "{}",
            response.text().await.unwrap_or_default()
        );
        loop {
            let answer: serde_json::Value = client
                .get(&check)
                .bearer_auth(&gateway)
                .send()
                .await
                .expect("check")
                .json()
                .await
                .expect("json");
            let stopped = answer["allowed"] == false
                && answer["reason"]
                    .as_str()
                    .is_some_and(|r| r.starts_with("Suspended"));
            if stopped {
                break;
            }
            assert!(started.elapsed() < Duration::from_secs(10), "{answer}");
        }
        propagation.push(started.elapsed());
        posts.push(posted);
    }
    let _ = b.kill();
    let _ = b.wait();
    db.drop().await;

    propagation.sort();
    posts.sort();
    println!(
        "kill switch → policy check says no on instance B ({} runs): p50 {}, p99 {}, max {}",
        propagation.len(),
        ms(percentile(&propagation, 50)),
        ms(percentile(&propagation, 99)),
        ms(percentile(&propagation, 100)),
    );
    println!(
        "the kill-switch POST itself (code check, suspension, receipt, notifications): p50 {}, p99 {}",
        ms(percentile(&posts, 50)),
        ms(percentile(&posts, 99)),
    );
}
