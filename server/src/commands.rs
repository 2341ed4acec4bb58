//! What each subcommand does.

use std::io::{IsTerminal, Write};

use app::backend::identity::auth::totp::SealingKey;
use app::backend::platform::clock::Clock;
use app::backend::platform::services::Services;
use app::backend::platform::signing::SigningKeys;
use app::backend::registry::policy;
use app::backend::scan::ScannerCache;
use app::domain::{Actor, Email, Role};
use app::error::AppError;
use chrono::Utc;

use crate::config::{GlobalOptions, PostgresOptions, ServeOptions};
use crate::database::Database;
use crate::postgres::{Durability, PrivateCluster};
use crate::startup::{shutdown_signal, Application};

pub type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// `serve`: opens the database, optionally loads the demo, serves until Ctrl-C or SIGTERM,
/// then stops the private PostgreSQL (if any) after the last request has finished.
pub async fn serve(global: &GlobalOptions, options: &ServeOptions) -> Result<(), BoxError> {
    let database = Database::open(global).await?;
    if crate::database::can_rewrite_audit(&database.pool).await? {
        tracing::warn!(
            "the portal's database role could rewrite the audit log (it owns the tables, is a \
             superuser, or may update them): give it a role with only the run-time rights and \
             run migrations with --database-owner-url (docs/OPERATIONS.md → Database roles)"
        );
        eprintln!(
            "warning: the portal's database role could rewrite the audit log; see docs/OPERATIONS.md → Database roles"
        );
    }
    let totp_key = SealingKey::load_or_create(&global.totp_key_path())?;
    let signing_keys = SigningKeys::load_or_create(&global.signing_key_path(), Utc::now())?;
    if options.demo {
        load_demo(&database, &totp_key, &signing_keys).await?;
    }
    let services = Services {
        pool: database.pool.clone(),
        clock: Clock::system(),
        totp_key: totp_key.clone(),
        signing_keys: std::sync::Arc::new(signing_keys),
        public_url: String::new(),
        trusted_proxies: Vec::new(),
        scanners: std::sync::Arc::new(ScannerCache::new(options.cache_ttl())),
        policies: policy::new_cache(options.cache_ttl()),
        scan_records: Default::default(),
        mailer: options.smtp.mailer()?.map(std::sync::Arc::new),
        sso: options.oidc.sso()?.map(std::sync::Arc::new),
    };
    if services.mailer.is_some() && options.public_url.is_none() {
        tracing::warn!(
            "e-mails link to the listening address: set --public-url to the address people use"
        );
    }
    tokio::spawn(delete_expired_sessions(database.pool.clone()));
    tokio::spawn(flush_audit_tallies(
        database.pool.clone(),
        services.clock.clone(),
    ));
    tokio::spawn(crate::checkpoints::run(
        database.pool.clone(),
        services.signing_keys.clone(),
        services.clock.clone(),
        crate::checkpoints::Sinks::of(options),
    ));
    let application = Application::build(options, services.clone())
        .await
        .map_err(|error| {
            format!(
                "could not listen on {}:{}: {error}; choose another port with --port or PORTAL_PORT",
                options.address, options.port
            )
        })?;
    // The job queue's worker: today's scheduled work, then whatever is due (any number of
    // instances). Its links (e-mails, webhooks) lead to the address the listener got.
    tokio::spawn(app::backend::jobs::worker::run_forever(Services {
        public_url: application.public_url().trim_end_matches('/').to_owned(),
        ..services
    }));
    if options.demo {
        print_demo_sign_ins(&database, &totp_key).await?;
    }
    if let Some(cluster) = &database.private {
        println!(
            "Data: private PostgreSQL in {} (psql {})",
            cluster.cluster_dir().display(),
            cluster.url(crate::database::PRIVATE_DATABASE)
        );
    }
    let url = application.public_url().to_owned();
    if app::backend::identity::setup::is_open(&database.pool).await? {
        // Only who sees this console can set the portal up: not whoever reaches it first.
        let code = app::backend::identity::setup::issue_code(&database.pool, Utc::now()).await?;
        println!("First-run setup: open {url}/setup and enter the setup code {code}");
    }
    // Printed last: scripts wait for this line, so everything above is there when they read it.
    tracing::info!(%url, "portal listening");
    println!("AI Governance Portal is running at {url}");
    println!("Press Ctrl-C to stop.");
    let _ = std::io::stdout().flush();
    application.run_until(shutdown_signal()).await?;
    database.pool.close().await;
    drop(database);
    Ok(())
}

/// Removes expired session records every ten minutes. Any number of instances may do this.
async fn delete_expired_sessions(pool: sqlx::PgPool) {
    let mut every = tokio::time::interval(std::time::Duration::from_secs(600));
    loop {
        every.tick().await;
        match app::backend::identity::auth::session_store::delete_expired(&pool).await {
            Ok(0) => {}
            Ok(deleted) => tracing::info!(deleted, "expired sessions removed"),
            Err(error) => tracing::warn!(%error, "removing expired sessions failed"),
        }
    }
}

/// Writes the counted refusals and the recorded scans of each minute that is over to the audit
/// chain (any number of instances may run this: each row is written once).
async fn flush_audit_tallies(pool: sqlx::PgPool, clock: Clock) {
    let mut every = tokio::time::interval(std::time::Duration::from_secs(20));
    loop {
        every.tick().await;
        if let Err(error) = app::backend::audit::tallies::flush(&pool, clock.now()).await {
            tracing::warn!(
                ?error,
                "writing the counted refusals to the audit log failed"
            );
        }
        if let Err(error) = app::backend::scan::records::flush(&pool, clock.now()).await {
            tracing::warn!(?error, "writing the recorded scans to the audit log failed");
        }
    }
}

/// `demo load`.
pub async fn demo_load(global: &GlobalOptions) -> Result<(), BoxError> {
    let database = Database::open(global).await?;
    let totp_key = SealingKey::load_or_create(&global.totp_key_path())?;
    let signing_keys = SigningKeys::load_or_create(&global.signing_key_path(), Utc::now())?;
    load_demo(&database, &totp_key, &signing_keys).await?;
    print_demo_sign_ins(&database, &totp_key).await?;
    database.pool.close().await;
    Ok(())
}

async fn load_demo(
    database: &Database,
    totp_key: &SealingKey,
    signing_keys: &SigningKeys,
) -> Result<(), BoxError> {
    let loaded =
        app::backend::demo::load(&database.pool, totp_key, signing_keys, chrono::Utc::now())
            .await?;
    if loaded.organization
        || loaded.teams > 0
        || loaded.people > 0
        || loaded.tools > 0
        || loaded.requests > 0
        || loaded.incidents > 0
    {
        println!(
            "Demo organization loaded: {} ({} new teams, {} new people, {} new tools, {} requests, {} incidents and exercises).",
            app::backend::demo::DEMO_ORGANIZATION,
            loaded.teams,
            loaded.people,
            loaded.tools,
            loaded.requests,
            loaded.incidents
        );
    } else {
        println!("Demo organization already loaded; nothing changed.");
    }
    Ok(())
}

/// The demo people and how to sign in as them (demo passwords exist only in the demo).
async fn print_demo_sign_ins(database: &Database, totp_key: &SealingKey) -> Result<(), BoxError> {
    let people = app::backend::demo::sign_ins(&database.pool, totp_key).await?;
    if people.is_empty() {
        return Ok(());
    }
    println!(
        "Demo sign-in (password for everyone: {}):",
        app::backend::demo::DEMO_PASSWORD
    );
    for person in people {
        let roles: Vec<&str> = person.roles.iter().map(|role| role.as_str()).collect();
        println!("  {:<36} {}", person.email, roles.join(", "));
        if let Some(url) = person.otpauth_url {
            println!("    TOTP (add to an authenticator app): {url}");
        }
    }
    Ok(())
}

/// `postgres`: the private cluster alone, until interrupted.
pub async fn postgres(global: &GlobalOptions, options: &PostgresOptions) -> Result<(), BoxError> {
    let durability = if options.ephemeral {
        Durability::Ephemeral
    } else {
        Durability::Durable
    };
    let cluster = PrivateCluster::start(&global.data_dir, &options.database, durability).await?;
    println!("DATABASE_URL={}", cluster.url(&options.database));
    let _ = std::io::stdout().flush();
    shutdown_signal().await;
    cluster.stop()?;
    Ok(())
}

/// `admin create`: an administrator, with the password from standard input.
#[tracing::instrument(skip_all)]
pub async fn admin_create(global: &GlobalOptions, email: &str, name: &str) -> Result<(), BoxError> {
    let password = read_password()?;
    // Check the input before starting a database, so a typo costs nothing.
    let user =
        app::backend::identity::users::parse_new_user(email, name, &password, &[Role::Admin])?;
    let database = Database::open(global).await?;
    let created =
        app::backend::identity::users::create(&database.pool, Actor::Operator, user, Utc::now())
            .await;
    database.pool.close().await;
    created?;
    println!("Administrator {} created.", email.trim().to_lowercase());
    Ok(())
}

/// The password from standard input: prompted for without echo on a terminal, else the first
/// line (without its line ending).
fn read_password() -> Result<String, BoxError> {
    if std::io::stdin().is_terminal() {
        return Ok(rpassword::prompt_password(
            "Password for the new administrator: ",
        )?);
    }
    let mut line = String::new();
    std::io::stdin().read_line(&mut line)?;
    Ok(line.trim_end_matches(['\r', '\n']).to_owned())
}

/// `token create`: prints a new API token once.
#[tracing::instrument(skip_all)]
pub async fn token_create(
    global: &GlobalOptions,
    email: &str,
    name: &str,
    scope: &str,
    days: u16,
) -> Result<(), BoxError> {
    use app::domain::identity::token::{parse_days, parse_scope};
    let email = Email::parse(email).map_err(|message| AppError::invalid("email", message))?;
    let scope = parse_scope(scope)?;
    let days = parse_days(&days.to_string())?;
    let database = Database::open(global).await?;
    let created = app::backend::identity::tokens::create(
        &database.pool,
        Actor::Operator,
        &email,
        name,
        scope,
        days,
        Utc::now(),
    )
    .await;
    database.pool.close().await;
    let created = created?;
    // The only time the token is shown: on standard output, for a script to capture.
    println!("{}", created.token);
    eprintln!(
        "Token {} created for {email} ({scope}, {days} days); store it now, it cannot be shown again.",
        created.api_token_id
    );
    Ok(())
}

/// `keys public`: every public key, PEM, oldest first; the active one marked.
pub fn keys_public(global: &GlobalOptions) -> Result<(), BoxError> {
    let keys = SigningKeys::load_or_create(&global.signing_key_path(), Utc::now())?;
    for key in keys.public_keys() {
        let state = match (key.active, key.revoked_since) {
            (true, _) => "active".to_owned(),
            (false, Some(since)) => format!(
                "revoked since {}: verifies only what it signed before",
                since.to_rfc3339()
            ),
            (false, None) => "verifies older receipts".to_owned(),
        };
        println!("# key id {} ({}, {state})", key.key_id, key.algorithm);
        print!("{}", key.public_key_pem);
    }
    Ok(())
}

/// `keys rotate`: a new signing key for the next start.
pub fn keys_rotate(global: &GlobalOptions) -> Result<(), BoxError> {
    let dir = global.signing_key_path();
    let id = SigningKeys::rotate(&dir, Utc::now())?;
    println!("{id}");
    eprintln!(
        "New signing key {id} in {}; restart every instance to sign with it.",
        dir.display()
    );
    Ok(())
}

/// `keys revoke KEY_ID [--since TIME]`.
pub fn keys_revoke(
    global: &GlobalOptions,
    key_id: &str,
    since: Option<&str>,
) -> Result<(), BoxError> {
    let now = Utc::now();
    let since = match since {
        Some(text) => chrono::DateTime::parse_from_rfc3339(text)
            .map_err(|_| format!("--since: {text:?} is not a time like 2026-12-01T00:00:00Z"))?
            .with_timezone(&Utc),
        None => now,
    };
    let dir = global.signing_key_path();
    if let Some(new) = SigningKeys::revoke(&dir, key_id, since, now)? {
        println!("New signing key {new} signs from the next start on.");
    }
    println!(
        "Key {key_id} revoked from {}: what it signed from then on no longer verifies. Restart every instance.",
        since.to_rfc3339()
    );
    Ok(())
}

/// `keys rotate-totp`: re-seals every second-factor secret with a new key, then swaps the file.
/// The new key is written beside the old one first (`.next`); if the swap is interrupted after
/// the database committed, that file is the key to keep.
#[tracing::instrument(skip_all)]
pub async fn keys_rotate_totp(global: &GlobalOptions) -> Result<(), BoxError> {
    let path = global.totp_key_path();
    let old = SealingKey::load_or_create(&path)?;
    let next_path = path.with_extension("key.next");
    if next_path.exists() {
        return Err(format!(
            "{} exists: an earlier rotation did not finish. If `server` cannot open second factors, it is the key in use: move it over {}; otherwise remove it",
            next_path.display(),
            path.display()
        )
        .into());
    }
    let new = SealingKey::from_bytes(app::backend::platform::key_file::create(&next_path)?);
    let database = Database::open(global).await?;
    let resealed =
        app::backend::identity::auth::reseal::reseal_all(&database.pool, &old, &new, Utc::now())
            .await;
    database.pool.close().await;
    let count = match resealed {
        Ok(count) => count,
        Err(error) => {
            let _ = std::fs::remove_file(&next_path);
            return Err(error.into());
        }
    };
    std::fs::rename(&next_path, &path)?;
    println!(
        "{count} second-factor secrets re-sealed; the new key is in {}. Start the instances again.",
        path.display()
    );
    Ok(())
}

/// `receipt verify FILE`: whether this portal signed exactly this receipt, and what it says.
pub fn receipt_verify(global: &GlobalOptions, file: &std::path::Path) -> Result<(), BoxError> {
    let text = std::fs::read_to_string(file)
        .map_err(|error| format!("cannot read {}: {error}", file.display()))?;
    let receipt: app::domain::requests::receipt::SignedReceipt = serde_json::from_str(&text)
        .map_err(|error| format!("{} is not a receipt: {error}", file.display()))?;
    let keys = SigningKeys::load(&global.signing_key_path())?;
    if receipt.stop_document().is_ok() {
        let stop = keys
            .verify_stop(&receipt)
            .map_err(|error| format!("receipt INVALID: {error}"))?;
        let by = match (&stop.reviewer, stop.totp_step) {
            (Some(reviewer), Some(step)) => {
                format!(
                    "by {} <{}> (TOTP step {step})",
                    reviewer.name, reviewer.email
                )
            }
            _ => format!(
                "by the portal, its review due on {} having passed",
                stop.review_due_on.as_deref().unwrap_or("?")
            ),
        };
        println!(
            "receipt OK: {} on {} ({}) {by} at {}: {} (audit event {}, key {})",
            if stop.reviewer.is_some() {
                "kill switch"
            } else {
                "automatic suspension"
            },
            stop.tool_name,
            stop.tool,
            stop.stopped_at,
            stop.reason,
            stop.audit_seq,
            receipt.key_id
        );
        return Ok(());
    }
    let document = keys
        .verify_receipt(&receipt)
        .map_err(|error| format!("receipt INVALID: {error}"))?;
    println!(
        "receipt OK: {} on request #{} by {} <{}> at {} (TOTP step {}, audit event {}, key {})",
        document.decision,
        document.request_number,
        document.reviewer.name,
        document.reviewer.email,
        document.decided_at,
        document.totp_step,
        document.audit_seq,
        receipt.key_id
    );
    Ok(())
}

/// `audit verify`: re-computes the audit chain; fails naming the first bad sequence number.
pub async fn audit_verify(
    global: &GlobalOptions,
    checkpoints: Option<&std::path::Path>,
) -> Result<(), BoxError> {
    let outside = match checkpoints {
        Some(path) => crate::checkpoints::read_file(path)?,
        None => vec![],
    };
    // The chain needs no key; checkpoints do, and are reported unchecked without one.
    let keys = match SigningKeys::load(&global.signing_key_path()) {
        Ok(keys) => Some(keys),
        Err(error) if outside.is_empty() => {
            eprintln!("note: {error}; signed checkpoints cannot be checked");
            None
        }
        Err(error) => return Err(error.into()),
    };
    let database = Database::open(global).await?;
    let result =
        app::backend::audit::checkpoints::verification(&database.pool, keys.as_ref(), &outside)
            .await;
    database.pool.close().await;
    let result = result?;
    for problem in &result.checkpoint_problems {
        eprintln!("checkpoint: {problem}");
    }
    match (result.first_bad_seq, &result.problem) {
        (Some(seq), Some(problem)) => {
            Err(format!("audit chain BROKEN at sequence number {seq}: {problem}").into())
        }
        _ if !result.checkpoint_problems.is_empty() => Err(format!(
            "audit chain does NOT hold against {} of {} signed checkpoints (see above)",
            result.checkpoint_problems.len(),
            result.checkpoints_checked
        )
        .into()),
        _ => {
            println!(
                "audit chain OK: {} events verified, {} signed checkpoints match",
                result.events, result.checkpoints_checked
            );
            Ok(())
        }
    }
}

/// `audit export`: the events after `after`, one JSON object per line.
pub async fn audit_export(global: &GlobalOptions, after: i64) -> Result<(), BoxError> {
    let database = Database::open(global).await?;
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    let mut after = after;
    loop {
        let page = app::backend::audit::export(&database.pool, after, 1000).await?;
        let Some(last) = page.last() else { break };
        after = last.seq;
        for event in &page {
            serde_json::to_writer(&mut out, event)?;
            out.write_all(b"\n")?;
        }
    }
    out.flush()?;
    database.pool.close().await;
    Ok(())
}
