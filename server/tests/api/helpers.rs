//! Spawning a portal per test, each on a fresh database.
//!
//! The PostgreSQL server comes from `DATABASE_URL`; when that is unset, one private cluster is
//! started for the whole test run on a keeper thread and stops when the test process exits.

use std::path::PathBuf;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, OnceLock};

use app::backend::identity::auth::totp::{store_confirmed, SealingKey, TotpSecret};
use app::backend::identity::users::{create, parse_new_user};
use app::backend::platform::clock::Clock;
use app::backend::platform::services::Services;
use app::backend::platform::signing::{KeyPair, SigningKeys};
use app::domain::{Actor, Role};

use server::config::ServeOptions;
use server::database::{migrate, pool_options, MIGRATOR};
use server::postgres::{Durability, PrivateCluster};
use server::startup::Application;
use sqlx::postgres::PgConnectOptions;
use sqlx::{ConnectOptions, Connection, Executor, PgConnection, PgPool};
use uuid::Uuid;

/// The password of every account the tests create.
pub const PASSWORD: &str = "analytical engine notes";

/// The seed of every test portal's signing key (receipts verify against it).
pub const SIGNING_SEED: [u8; 32] = [24; 32];

pub struct TestApp {
    pub address: String,
    /// Where `/metrics` is served without a token, with `--metrics-address`.
    pub metrics_address: Option<std::net::SocketAddr>,
    pub pool: PgPool,
    pub database: String,
    pub client: reqwest::Client,
    pub totp_key: SealingKey,
    pub signing_keys: Arc<SigningKeys>,
    /// What the portal's handlers use, for running its background work (jobs) in a test.
    pub services: Services,
    /// Seconds added to the real time: tests move the portal's clock forward with `advance`.
    clock_offset: Arc<AtomicI64>,
}

impl TestApp {
    pub fn advance(&self, seconds: i64) {
        self.clock_offset.fetch_add(seconds, Ordering::SeqCst);
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.address, path)
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client
            .get(self.url(path))
            .send()
            .await
            .expect("request failed")
    }

    /// A `postgres://` URL for this test's database, for running the server binary on it.
    pub fn database_url(&self) -> String {
        server_options()
            .database(&self.database)
            .to_url_lossy()
            .to_string()
    }

    /// An account with [`PASSWORD`] and `roles` (plus employee), created as an operator would.
    pub async fn create_user(&self, email: &str, name: &str, roles: &[Role]) -> Uuid {
        let user = parse_new_user(email, name, PASSWORD, roles).expect("valid account");
        create(&self.pool, Actor::Operator, user, chrono::Utc::now())
            .await
            .expect("account created")
    }

    /// Puts `user_id` on team `team` as member or manager.
    pub async fn join(&self, user_id: Uuid, team: &str, membership: app::domain::Membership) {
        sqlx::query(
            "INSERT INTO team_members (team_id, user_id, membership, added_at)
             SELECT team_id, $1, $2, now() FROM teams WHERE slug = $3",
        )
        .bind(user_id)
        .bind(membership.as_str())
        .bind(team)
        .execute(&self.pool)
        .await
        .expect("member");
    }

    /// Enrolls (already confirmed) a fresh TOTP secret for `user` and returns it.
    pub async fn enroll_totp(&self, user: Uuid) -> TotpSecret {
        let secret = TotpSecret::generate();
        let mut conn = self.pool.acquire().await.expect("connection");
        store_confirmed(&mut conn, &self.totp_key, user, &secret, chrono::Utc::now())
            .await
            .expect("enrolled");
        secret
    }

    /// The portal's clock (real time plus whatever `advance` added).
    pub fn now(&self) -> chrono::DateTime<chrono::Utc> {
        chrono::Utc::now() + chrono::Duration::seconds(self.clock_offset.load(Ordering::SeqCst))
    }

    /// Posts `form` to the server function `function` with exactly `headers`.
    pub async fn post(
        &self,
        function: &str,
        form: &[(&str, &str)],
        headers: &[(&str, &str)],
    ) -> reqwest::Response {
        let mut request = self
            .client
            .post(self.url(&format!("/api/{function}")))
            .form(form);
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        request.send().await.expect("request")
    }

    /// A same-origin call of a server function, as the hydrated page makes it.
    pub async fn call(
        &self,
        function: &str,
        form: &[(&str, &str)],
        cookie: Option<&str>,
    ) -> reqwest::Response {
        let mut headers = vec![("origin", self.address.as_str())];
        headers.extend(cookie.map(|cookie| ("cookie", cookie)));
        self.post(function, form, &headers).await
    }

    /// A same-origin call as `cookie`: the status and the JSON body (null when there is none).
    pub async fn call_json(
        &self,
        function: &str,
        form: &[(&str, &str)],
        cookie: Option<&str>,
    ) -> (u16, serde_json::Value) {
        let response = self.call(function, form, cookie).await;
        let status = response.status().as_u16();
        (
            status,
            response.json().await.unwrap_or(serde_json::Value::Null),
        )
    }

    /// A page as a browser with `cookie` gets it.
    pub async fn page(&self, path: &str, cookie: &str) -> reqwest::Response {
        self.client
            .get(self.url(path))
            .header("cookie", cookie)
            .header("accept", "text/html")
            .send()
            .await
            .expect("request")
    }

    /// A GET of the JSON API with a bearer token.
    pub async fn api_get(&self, path: &str, token: &str) -> reqwest::Response {
        self.client
            .get(self.url(path))
            .bearer_auth(token)
            .send()
            .await
            .expect("request")
    }

    /// Posts `form` to `function` as a browser without JavaScript does from the page `path`,
    /// signed in with `cookie`, expecting it refused: returns the address the browser is sent
    /// back to (`path` with the error in it).
    pub async fn refused_form(
        &self,
        function: &str,
        form: &[(&str, &str)],
        path: &str,
        cookie: &str,
    ) -> String {
        let referer = self.url(path);
        let plain_form = [
            ("origin", self.address.as_str()),
            ("accept", "text/html"),
            ("referer", referer.as_str()),
            ("cookie", cookie),
        ];
        let refused = self.post(function, form, &plain_form).await;
        let location = refused.headers()["location"].to_str().expect("ascii");
        assert!(location.contains("__err="), "{location}");
        location
            .strip_prefix(&self.address)
            .expect("back on this site")
            .to_owned()
    }

    /// The HTML of `path` as a browser with `cookie` gets it.
    pub async fn html(&self, path: &str, cookie: &str) -> String {
        self.page(path, cookie).await.text().await.expect("html")
    }

    /// Whether `column` of `table` holds the SHA-256 of `secret`: what the portal keeps in place
    /// of a token or code.
    pub async fn holds_sha256_of(&self, table: &str, column: &str, secret: &str) -> bool {
        sqlx::query_scalar(&format!(
            "SELECT EXISTS (SELECT 1 FROM {table} WHERE {column} = sha256(convert_to($1, 'UTF8')))"
        ))
        .bind(secret)
        .fetch_one(&self.pool)
        .await
        .expect("hash lookup")
    }

    /// The password step for `email`: the session cookie it sets (signed in, or waiting for a
    /// code when a second factor is enrolled).
    pub async fn password_step(&self, email: &str) -> String {
        let response = self
            .call("sign_in", &[("email", email), ("password", PASSWORD)], None)
            .await;
        assert_eq!(response.status(), 200, "password step for {email}");
        cookie_of(&response).expect("a session cookie")
    }

    /// Signs `email` in through the server functions (password, then a code when `totp` is
    /// given) and returns the session cookie.
    pub async fn sign_in(&self, email: &str, totp: Option<&TotpSecret>) -> String {
        let cookie = self.password_step(email).await;
        let Some(secret) = totp else {
            return cookie;
        };
        let code = secret.code_at(self.now()).expect("code");
        let response = self
            .call("sign_in_code", &[("code", code.as_str())], Some(&cookie))
            .await;
        assert_eq!(response.status(), 200, "code step for {email}");
        cookie_of(&response).expect("a new session cookie")
    }

    /// A new account with `roles`, its second factor enrolled when the roles require one,
    /// signed in.
    pub async fn signed_in(&self, email: &str, roles: &[Role]) -> SignedIn {
        let user_id = self.create_user(email, email, roles).await;
        let totp = if roles.iter().any(|r| r.requires_totp()) {
            Some(self.enroll_totp(user_id).await)
        } else {
            None
        };
        let cookie = self.sign_in(email, totp.as_ref()).await;
        SignedIn {
            user_id,
            cookie,
            totp,
        }
    }

    /// Puts `form` into the registry through the workflow, as a reviewer's approved change:
    /// proposed by one test reviewer and signed off by one or two others, with real receipts.
    pub async fn approve_tool(&self, form: &app::domain::ToolForm) {
        use app::backend::identity::users::active_principal;
        use app::backend::requests::{act_in, changes, decisions::demo_sign_off};
        use app::domain::requests::decision::ValidDecision;
        use app::domain::requests::state::{Decision, RequestAction};
        let mut reviewers = vec![];
        for email in [
            "proposer@example.com",
            "first@example.com",
            "second@example.com",
        ] {
            let id =
                match sqlx::query_scalar::<_, Uuid>("SELECT user_id FROM users WHERE email = $1")
                    .bind(email)
                    .fetch_optional(&self.pool)
                    .await
                    .expect("user")
                {
                    Some(id) => id,
                    None => {
                        let id = self.create_user(email, email, &[Role::Reviewer]).await;
                        self.enroll_totp(id).await;
                        id
                    }
                };
            reviewers.push(
                active_principal(&self.pool, id)
                    .await
                    .expect("principal")
                    .expect("active"),
            );
        }
        let tool = form.validate().expect("a valid tool");
        let now = self.now() - chrono::Duration::days(1);
        let mut tx = self.pool.begin().await.expect("tx");
        let proposal = changes::NewProposal {
            before: None,
            form,
            tool: &tool,
            widened: &["test set-up".into()],
            reinstates: None,
        };
        let number = changes::propose(&mut tx, &reviewers[0], &proposal, now)
            .await
            .expect("proposed");
        act_in(
            &mut tx,
            &reviewers[1],
            number,
            RequestAction::Assign,
            "",
            now,
        )
        .await
        .expect("assigned");
        let decision = ValidDecision {
            decision: Decision::Approve,
            rationale: "Test set-up.".into(),
            conditions: String::new(),
            next_review: tool.next_review,
            version: String::new(),
            code: app::domain::TotpCode::parse("000000").expect("code"),
        };
        let mut at = now;
        for reviewer in &reviewers[1..] {
            at += chrono::Duration::minutes(1);
            let decided =
                demo_sign_off(&mut tx, &self.signing_keys, reviewer, number, &decision, at)
                    .await
                    .expect("signed off");
            if decided.state.is_final() {
                break;
            }
        }
        tx.commit().await.expect("commit");
    }

    /// Request `number` as `who` reads it.
    pub async fn request(&self, who: &SignedIn, number: &str) -> serde_json::Value {
        let (status, request) = self
            .call_json("request", &[("number", number)], Some(&who.cookie))
            .await;
        assert_eq!(status, 200, "{request}");
        request
    }

    /// Writes every recorded scan to the audit chain, as the portal does once their minute is
    /// over.
    pub async fn flush_scans(&self) {
        app::backend::scan::records::flush(
            &self.pool,
            chrono::Utc::now() + chrono::Duration::days(1),
        )
        .await
        .expect("scans written to the audit log");
    }

    /// The single number `sql` counts.
    pub async fn count(&self, sql: &str) -> i64 {
        sqlx::query_scalar(sql)
            .fetch_one(&self.pool)
            .await
            .expect("count")
    }

    /// The code `reviewer`'s app shows once the portal's clock has moved to the next time step
    /// (the current one may have been used to sign in).
    pub fn fresh_code(&self, reviewer: &SignedIn) -> String {
        self.advance(30);
        reviewer
            .totp
            .as_ref()
            .expect("a reviewer has TOTP")
            .code_at(self.now())
            .expect("code")
    }

    /// Takes request `number` for review as `reviewer`.
    /// `who` (on the payments team) files and submits the usual draft request; its number.
    pub async fn submit_request(&self, who: &SignedIn) -> String {
        self.submit_form(who, &crate::requests::draft()).await
    }

    /// Files request `form` as `who` and submits it for review; its number.
    pub async fn submit_form(&self, who: &SignedIn, form: &[(&str, &str)]) -> String {
        let (status, number) = self
            .call_json("save_request", form, Some(&who.cookie))
            .await;
        assert_eq!(status, 200, "{number}");
        let number = number.as_i64().expect("a number").to_string();
        let submit = [
            ("number", number.as_str()),
            ("action", "submit"),
            ("body", ""),
        ];
        let (status, body) = self
            .call_json("request_action", &submit, Some(&who.cookie))
            .await;
        assert_eq!(status, 200, "{body}");
        number
    }

    pub async fn assign(&self, reviewer: &SignedIn, number: &str) {
        let (status, body) = self
            .call_json(
                "request_action",
                &[("number", number), ("action", "assign")],
                Some(&reviewer.cookie),
            )
            .await;
        assert_eq!(status, 200, "assign: {body}");
    }

    /// Decides as `reviewer` with `code` on the version the reviewer reads now; the response.
    pub async fn decide_with(
        &self,
        reviewer: &SignedIn,
        number: &str,
        fields: &[(&str, &str)],
        code: &str,
    ) -> reqwest::Response {
        let version = self.request(reviewer, number).await["version"]
            .as_str()
            .expect("version")
            .to_owned();
        let mut form = vec![
            ("number", number),
            ("decision[version]", version.as_str()),
            ("decision[code]", code),
            (
                "decision[rationale]",
                "Checked the vendor's data processing terms.",
            ),
        ];
        form.extend_from_slice(fields);
        self.call("decide_request", &form, Some(&reviewer.cookie))
            .await
    }

    /// Decides with a fresh code; keeps `reviewer`'s session cookie current (a decision renews
    /// it).
    pub async fn decide(
        &self,
        reviewer: &mut SignedIn,
        number: &str,
        decision: &str,
    ) -> (u16, serde_json::Value) {
        let code = match &reviewer.totp {
            Some(_) => self.fresh_code(reviewer),
            None => "123456".to_owned(),
        };
        let response = self
            .decide_with(reviewer, number, &[("decision[decision]", decision)], &code)
            .await;
        let status = response.status().as_u16();
        if let Some(cookie) = cookie_of(&response) {
            reviewer.cookie = cookie;
        }
        (
            status,
            response.json().await.unwrap_or(serde_json::Value::Null),
        )
    }

    /// A personal API token for `email`'s account, as `server token create` makes one (read
    /// and write, 90 days).
    pub async fn api_token(&self, email: &str) -> String {
        self.api_token_with(email, app::domain::TokenScope::ReadWrite, 90)
            .await
    }

    /// A personal API token for `email`'s account with `scope`, living `days` days.
    pub async fn api_token_with(
        &self,
        email: &str,
        scope: app::domain::TokenScope,
        days: u16,
    ) -> String {
        app::backend::identity::tokens::create(
            &self.pool,
            Actor::Operator,
            &app::domain::Email::parse(email).expect("email"),
            "tests",
            scope,
            days,
            self.now(),
        )
        .await
        .expect("token")
        .token
    }

    pub async fn load_demo(&self) {
        app::backend::demo::load(
            &self.pool,
            &self.totp_key,
            &self.signing_keys,
            chrono::Utc::now(),
        )
        .await
        .expect("demo loads");
    }
}

/// Someone signed in through the browser's server functions.
pub struct SignedIn {
    pub user_id: Uuid,
    pub cookie: String,
    pub totp: Option<TotpSecret>,
}

/// `name=value` of the session cookie a response sets.
pub fn cookie_of(response: &reqwest::Response) -> Option<String> {
    let header = response.headers().get("set-cookie")?.to_str().ok()?;
    Some(header.split(';').next()?.trim().to_owned())
}

/// The server all test databases are created on.
pub fn server_options() -> PgConnectOptions {
    static URL: OnceLock<String> = OnceLock::new();
    let url = URL.get_or_init(|| match std::env::var("DATABASE_URL") {
        Ok(url) => url,
        Err(_) => start_private_server(),
    });
    url.parse().expect("DATABASE_URL is a PostgreSQL URL")
}

/// Starts a throw-away cluster on a thread that lives as long as the test process.
fn start_private_server() -> String {
    let (sender, receiver) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime");
        runtime.block_on(async move {
            let dir = world_searchable_tempdir();
            let cluster = PrivateCluster::start(dir.path(), "postgres", Durability::Ephemeral)
                .await
                .expect("private PostgreSQL starts");
            sender.send(cluster.url("postgres")).expect("send url");
            // Keep the cluster (and its folder) until the process exits.
            std::future::pending::<()>().await;
            drop((cluster, dir));
        });
    });
    receiver.recv().expect("private PostgreSQL url")
}

/// A temporary folder PostgreSQL's own OS user can reach when the tests run as root.
pub fn world_searchable_tempdir() -> tempfile::TempDir {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::Builder::new()
        .prefix("portal-test-")
        .tempdir_in(std::env::temp_dir())
        .expect("tempdir");
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755))
        .expect("chmod tempdir");
    dir
}

/// Creates an empty database with a unique name and returns its name.
pub async fn create_database() -> String {
    let name = format!("test_{}", uuid::Uuid::new_v4().simple());
    let mut admin = PgConnection::connect_with(&server_options().database("postgres"))
        .await
        .expect("connect to the test server");
    admin
        .execute(format!(r#"CREATE DATABASE "{name}""#).as_str())
        .await
        .expect("create test database");
    name
}

pub async fn pool_for(database: &str) -> PgPool {
    pool_options()
        .connect_with(server_options().database(database))
        .await
        .expect("connect to the test database")
}

/// A pool on `database` connecting as `role` (the test server trusts local connections).
pub async fn pool_as(database: &str, role: &str) -> PgPool {
    pool_options()
        .connect_with(server_options().database(database).username(role))
        .await
        .expect("connect as the role")
}

/// The first `/pkg/…` address in `html` ending in `extension` (the bundle a page links).
pub fn linked(html: &str, extension: &str) -> String {
    html.split(['"', '\''])
        .find(|part| part.starts_with("/pkg/") && part.ends_with(extension))
        .unwrap_or_else(|| panic!("no {extension} linked in {html}"))
        .to_owned()
}

/// A portal on a fresh, migrated database.
pub async fn spawn_app() -> TestApp {
    let database = create_database().await;
    let pool = pool_for(&database).await;
    migrate(&MIGRATOR, &pool).await.expect("migrations apply");
    spawn_app_on(database, pool).await
}

/// Options for a test portal: a free port, and the built site folder if there is one.
pub fn test_options() -> ServeOptions {
    ServeOptions {
        port: 0,
        site_root: PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target/site"),
        ..ServeOptions::default()
    }
}

/// A portal on the given database, as it is (tests of readiness use an unmigrated one).
pub async fn spawn_app_on(database: String, pool: PgPool) -> TestApp {
    spawn_app_with(database, pool, test_options()).await
}

/// A portal on the given (migrated) database with the given options: another instance.
pub async fn spawn_app_on_configured(
    database: String,
    pool: PgPool,
    options: ServeOptions,
) -> TestApp {
    spawn_app_with(database, pool, options).await
}

/// A portal on a fresh, migrated database with the given options.
pub async fn spawn_configured_app(options: ServeOptions) -> TestApp {
    let database = create_database().await;
    let pool = pool_for(&database).await;
    migrate(&MIGRATOR, &pool).await.expect("migrations apply");
    spawn_app_with(database, pool, options).await
}

async fn spawn_app_with(database: String, pool: PgPool, options: ServeOptions) -> TestApp {
    // `TEST_LOG=1` shows the portal's log (causes of internal errors included) for the test.
    if std::env::var_os("TEST_LOG").is_some() {
        server::telemetry::init(server::config::LogFormat::Human);
    }
    let clock_offset = Arc::new(AtomicI64::new(0));
    let offset = clock_offset.clone();
    let totp_key = SealingKey::from_bytes([42; 32]);
    let signing_keys = Arc::new(
        SigningKeys::from_pairs(vec![KeyPair::from_seed(SIGNING_SEED)]).expect("a signing key"),
    );
    let services = Services {
        pool: pool.clone(),
        clock: Clock::from_fn(move || {
            chrono::Utc::now() + chrono::Duration::seconds(offset.load(Ordering::SeqCst))
        }),
        totp_key: totp_key.clone(),
        signing_keys: signing_keys.clone(),
        public_url: String::new(),
        trusted_proxies: Vec::new(),
        scanners: Arc::new(app::backend::scan::ScannerCache::new(options.cache_ttl())),
        policies: app::backend::registry::policy::new_cache(options.cache_ttl()),
        scan_records: Default::default(),
        mailer: options
            .smtp
            .mailer()
            .expect("valid e-mail settings")
            .map(Arc::new),
        sso: options
            .oidc
            .sso()
            .expect("valid single sign-on settings")
            .map(Arc::new),
    };
    let application = Application::build(&options, services.clone())
        .await
        .expect("application binds");
    let address = format!("http://127.0.0.1:{}", application.port());
    let metrics_address = application.metrics_address();
    tokio::spawn(application.run_until(std::future::pending()));
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(std::time::Duration::from_secs(30))
        .build()
        .expect("client");
    TestApp {
        metrics_address,
        pool,
        database,
        client,
        totp_key,
        signing_keys,
        // As the worker gets them: links lead to this portal.
        services: Services {
            public_url: address.clone(),
            ..services
        },
        address,
        clock_offset,
    }
}

/// Walks every (tool, data class, team) through the policy check: each "yes" must name the
/// receipt of a final approval that verifies with the portal's keys. Returns how many yeses.
pub async fn assert_every_yes_has_a_receipt(app: &TestApp) -> usize {
    use app::backend::registry::policy::check;
    use app::domain::requests::receipt::SignedReceipt;
    let slugs = |table: &'static str| {
        let pool = app.pool.clone();
        async move {
            sqlx::query_scalar::<_, String>(&format!("SELECT slug FROM {table} ORDER BY slug"))
                .fetch_all(&pool)
                .await
                .expect("slugs")
        }
    };
    let (tools, classes, teams) = (
        slugs("tools").await,
        slugs("data_classes").await,
        slugs("teams").await,
    );
    let today = app::backend::platform::change::today(app.now()).expect("today");
    let mut yeses = 0;
    for tool in &tools {
        for class in &classes {
            for team in &teams {
                let answer = check(&app.pool, tool, class, team, today)
                    .await
                    .expect("answer");
                if !answer.allowed {
                    continue;
                }
                yeses += 1;
                let id: Uuid = answer
                    .receipt_id
                    .as_deref()
                    .unwrap_or_else(|| panic!("{tool} {class} {team}: a yes without a receipt"))
                    .parse()
                    .expect("a receipt id");
                let (key_id, payload, signature): (String, String, String) = sqlx::query_as(
                    "SELECT key_id, payload, signature FROM request_signoffs WHERE receipt_id = $1",
                )
                .bind(id)
                .fetch_one(&app.pool)
                .await
                .expect("the receipt is stored");
                let receipt = SignedReceipt {
                    algorithm: "Ed25519".into(),
                    key_id,
                    payload,
                    signature,
                };
                let document = app
                    .signing_keys
                    .verify_receipt(&receipt)
                    .unwrap_or_else(|e| panic!("{tool} {class} {team}: {e}"));
                assert_ne!(document.decision, "reject", "{tool} {class} {team}");
                assert!(
                    document.request_state.starts_with("approved"),
                    "{tool} {class} {team}: granted by a final approval, not {}",
                    document.request_state
                );
            }
        }
    }
    yeses
}

/// Runs `end2end/<script>` with node — a real server on loopback from an npm `package` — until
/// dropped; returns it and the rest of the first line it prints that starts with `ready`.
pub async fn node_service(
    script: &str,
    package: &str,
    args: &[&str],
    ready: &str,
) -> (tokio::process::Child, String) {
    use tokio::io::{AsyncBufReadExt, BufReader};
    let end2end = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../end2end");
    assert!(
        end2end.join("node_modules").join(package).exists(),
        "{script} uses npm's {package}: run scripts/test once, or `npm ci` in end2end/"
    );
    let mut process = tokio::process::Command::new("node")
        .arg(end2end.join(script))
        .args(args)
        .stdout(std::process::Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("node starts");
    let mut lines = BufReader::new(process.stdout.take().expect("stdout")).lines();
    let line = tokio::time::timeout(std::time::Duration::from_secs(20), async {
        while let Some(line) = lines.next_line().await.expect("reads") {
            if let Some(rest) = line.strip_prefix(ready) {
                return rest.to_owned();
            }
        }
        panic!("{script} ended before saying {ready:?}");
    })
    .await
    .unwrap_or_else(|_| panic!("{script} starts within 20 s"));
    // Later lines are not read: keep the pipe drained so the service never blocks writing.
    tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
    (process, line)
}
