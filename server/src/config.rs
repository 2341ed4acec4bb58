//! Command line and environment configuration. Every flag has an environment variable, so a
//! service manager or container can configure the portal without arguments.

use std::net::IpAddr;
use std::path::PathBuf;

use app::backend::identity::sso::{Sso, SsoSettings};
use app::backend::mail::{Mailer, SmtpSecurity, SmtpSettings};
use app::backend::platform::{notified, rate};
use clap::{Args, Parser, Subcommand, ValueEnum};

#[derive(Debug, Parser)]
#[command(
    name = "server",
    version,
    about = "AI Governance Portal: the system of record for which AI tools may be used, with which data",
    long_about = None
)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalOptions,
    /// What to do; `serve` when omitted.
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Clone, Args)]
pub struct GlobalOptions {
    /// PostgreSQL to use, e.g. postgres://user:pass@host/db. When unset, the portal starts its
    /// own private PostgreSQL under <data-dir>/postgres and keeps the data there.
    #[arg(long, env = "DATABASE_URL", global = true, hide_env_values = true)]
    pub database_url: Option<String>,

    /// The role that owns the portal's tables, for migrations (with DATABASE_URL). Given, the
    /// migrations run as it and the DATABASE_URL role is granted only what the portal needs at
    /// run time: in particular it may read the audit log and append to it, never change it.
    /// Without it the DATABASE_URL role runs the migrations, and `serve` warns that it could
    /// rewrite the audit log. The private PostgreSQL makes both roles itself.
    #[arg(
        long,
        env = "DATABASE_OWNER_URL",
        global = true,
        hide_env_values = true
    )]
    pub database_owner_url: Option<String>,

    /// Folder for the portal's own files: the private PostgreSQL cluster and its log.
    #[arg(long, env = "PORTAL_DATA_DIR", default_value = "data", global = true)]
    pub data_dir: PathBuf,

    /// File with the 32-byte key that seals TOTP secrets at rest; created (mode 0600) if missing.
    /// Defaults to <data-dir>/keys/totp.key. Every instance must use the same key.
    #[arg(long, env = "PORTAL_TOTP_KEY_FILE", global = true)]
    pub totp_key_file: Option<PathBuf>,

    /// Folder of the Ed25519 keys that sign decision receipts (one `.key` file each, mode 0600;
    /// the newest signs, older ones still verify). Defaults to <data-dir>/keys/signing; the first
    /// key is created on first start. Every instance must use the same folder contents.
    #[arg(long, env = "PORTAL_SIGNING_KEY_DIR", global = true)]
    pub signing_key_dir: Option<PathBuf>,

    /// Most connections the portal opens to PostgreSQL. Default: twice this machine's CPU cores
    /// plus two; size it to the database server's cores when PostgreSQL runs elsewhere.
    #[arg(long, env = "PORTAL_DB_POOL_SIZE", global = true, value_parser = clap::value_parser!(u32).range(1..=1000))]
    pub db_pool_size: Option<u32>,

    /// Log format: `human` (readable, coloured on a terminal) or `json` (one object per line).
    #[arg(long, env = "PORTAL_LOG_FORMAT", value_enum, default_value_t = LogFormat::Human, global = true)]
    pub log_format: LogFormat,
}

impl GlobalOptions {
    pub fn signing_key_path(&self) -> PathBuf {
        self.signing_key_dir
            .clone()
            .unwrap_or_else(|| self.data_dir.join("keys").join("signing"))
    }

    pub fn pool_size(&self) -> u32 {
        self.db_pool_size
            .unwrap_or_else(crate::database::default_pool_size)
    }

    pub fn totp_key_path(&self) -> PathBuf {
        self.totp_key_file
            .clone()
            .unwrap_or_else(|| self.data_dir.join("keys").join("totp.key"))
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LogFormat {
    Human,
    Json,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the portal over HTTP (the default).
    Serve(Box<ServeOptions>),
    /// Manage the demo organization.
    Demo {
        #[command(subcommand)]
        action: DemoAction,
    },
    /// Manage people from the command line.
    Admin {
        #[command(subcommand)]
        action: AdminCommand,
    },
    /// Personal API tokens.
    Token {
        #[command(subcommand)]
        action: TokenCommand,
    },
    /// Work with the audit log.
    Audit {
        #[command(subcommand)]
        action: AuditCommand,
    },
    /// The keys that sign decision receipts.
    Keys {
        #[command(subcommand)]
        action: KeysCommand,
    },
    /// Decision receipts.
    Receipt {
        #[command(subcommand)]
        action: ReceiptCommand,
    },
    /// Scan files, directories or standard input for the organization's prohibited data
    /// classes (rules from a file or a portal); exits 1 when anything prohibited is found.
    Scan(crate::scan_cli::ScanOptions),
    /// Run only the private PostgreSQL until interrupted, printing its DATABASE_URL (for tests
    /// and maintenance with psql).
    Postgres(PostgresOptions),
}

#[derive(Debug, Subcommand)]
pub enum DemoAction {
    /// Load the demo organization and its teams. Safe to run again: nothing is duplicated.
    Load,
}

#[derive(Debug, Subcommand)]
pub enum AdminCommand {
    /// Create an administrator. The password is read from standard input (prompted for, without
    /// echo, on a terminal); it must be at least 12 characters and not a common password.
    Create {
        /// Their email address (also their sign-in name).
        #[arg(long)]
        email: String,
        /// Their name as others see it.
        #[arg(long)]
        name: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum TokenCommand {
    /// Create a token for an account and print it once (it is stored only as a hash).
    Create {
        /// The account's email address.
        #[arg(long)]
        email: String,
        /// What the token is for, e.g. "SIEM export".
        #[arg(long)]
        name: String,
        /// What it may do: `read`, `read-write` or `metrics`.
        #[arg(long, default_value = "read-write")]
        scope: String,
        /// Days until it stops working, 1 to 365 (no token lives for ever).
        #[arg(long, default_value_t = 90)]
        expires_in_days: u16,
    },
}

#[derive(Debug, Subcommand)]
pub enum KeysCommand {
    /// Print every public key (PEM, with its key id; the active one marked), to verify receipts
    /// offline, e.g. with `openssl pkeyutl -verify -pubin -inkey key.pem -rawin`.
    Public,
    /// Create a new signing key; it signs from the next start on, and older receipts still
    /// verify with the older keys.
    Rotate,
    /// Revoke a signing key (lost or stolen): receipts and checkpoints it signed from `--since`
    /// on no longer verify; earlier ones still do. Revoking the active key first creates a new
    /// one. Restart every instance afterwards.
    Revoke {
        /// The key's id (`server keys public` lists them).
        key_id: String,
        /// From when (RFC 3339, e.g. 2026-12-01T00:00:00Z); default: now.
        #[arg(long)]
        since: Option<String>,
    },
    /// Replace the TOTP sealing key: every stored second-factor secret is re-sealed with a new
    /// key in one transaction, then the new key replaces the old file. Stop every instance
    /// first; they hold the old key.
    RotateTotp,
}

#[derive(Debug, Subcommand)]
pub enum ReceiptCommand {
    /// Check a receipt file (JSON, as downloaded from the portal) against the portal's keys:
    /// prints what was decided, or fails saying why the receipt is not genuine.
    Verify {
        /// The receipt file.
        file: PathBuf,
    },
}

#[derive(Debug, Subcommand)]
pub enum AuditCommand {
    /// Re-compute the hash chain and hold it against the signed checkpoints: prints OK, or fails
    /// naming the first bad sequence number or the checkpoint it no longer matches.
    Verify {
        /// A file of signed checkpoints kept outside the database (one JSON object per line,
        /// as `--audit-checkpoint-file` writes them): detects a chain that was rewritten and
        /// fully re-hashed after they were taken.
        #[arg(long)]
        checkpoints: Option<PathBuf>,
    },
    /// Print the events after sequence number SEQ, oldest first, one JSON object per line
    /// (payload exactly as hashed, with the chain's hashes), for a SIEM.
    Export {
        #[arg(long, default_value_t = 0)]
        after: i64,
    },
}

#[derive(Debug, Clone, Args)]
pub struct ServeOptions {
    /// Address to listen on.
    #[arg(long, env = "PORTAL_ADDRESS", default_value = "127.0.0.1")]
    pub address: IpAddr,

    /// Port to listen on; 0 picks a free one.
    #[arg(long, env = "PORTAL_PORT", default_value_t = 3000)]
    pub port: u16,

    /// The address people use to reach the portal, e.g. https://ai.example.com. Defaults to
    /// http://<address>:<port>.
    #[arg(long, env = "PORTAL_PUBLIC_URL")]
    pub public_url: Option<String>,

    /// Folder with the built browser bundle and stylesheet (cargo-leptos' site root).
    #[arg(long, env = "LEPTOS_SITE_ROOT", default_value = "target/site")]
    pub site_root: PathBuf,

    /// Seconds a request may take before it is answered with 408.
    #[arg(long, env = "PORTAL_REQUEST_TIMEOUT", default_value_t = 30)]
    pub request_timeout: u64,

    /// Load the demo organization at start when the portal is empty.
    #[arg(long, env = "PORTAL_DEMO")]
    pub demo: bool,

    /// Address of a reverse proxy whose X-Forwarded-For header is believed (repeat the flag, or
    /// separate with commas in the variable). Without it, the client address is the socket's
    /// peer, so nobody can forge their address to dodge sign-in throttling.
    #[arg(
        long = "trusted-proxy",
        env = "PORTAL_TRUSTED_PROXIES",
        value_delimiter = ','
    )]
    pub trusted_proxies: Vec<IpAddr>,

    /// JSON API calls each account may make per minute, all its tokens together (429 with
    /// `Retry-After` past it). It applies to every account: raise it when a gateway calls the
    /// API under one account before every prompt.
    #[arg(long, env = "PORTAL_API_CALLS_PER_MINUTE", default_value_t = rate::API_CALLS.max, value_parser = clap::value_parser!(i32).range(1..))]
    pub api_calls_per_minute: i32,

    /// Sign an audit checkpoint after this many new events…
    #[arg(long, env = "PORTAL_AUDIT_CHECKPOINT_EVENTS", default_value_t = 1000, value_parser = clap::value_parser!(i64).range(1..))]
    pub audit_checkpoint_events: i64,

    /// …or this many minutes after the last one, when there are new events.
    #[arg(long, env = "PORTAL_AUDIT_CHECKPOINT_MINUTES", default_value_t = 10, value_parser = clap::value_parser!(i64).range(1..))]
    pub audit_checkpoint_minutes: i64,

    /// Also append each checkpoint to this file (one JSON object per line): a copy outside the
    /// database for `server audit verify --checkpoints FILE`.
    #[arg(long, env = "PORTAL_AUDIT_CHECKPOINT_FILE")]
    pub audit_checkpoint_file: Option<PathBuf>,

    /// Also POST each checkpoint (JSON) to this address, e.g. a SIEM's collector.
    #[arg(long, env = "PORTAL_AUDIT_CHECKPOINT_URL")]
    pub audit_checkpoint_url: Option<String>,

    /// Serve `/metrics` without a token on this separate address (e.g. 127.0.0.1:9100), for a
    /// scraper on a private network. Without it, `/metrics` on the main address answers only a
    /// token with the `metrics` scope.
    #[arg(long, env = "PORTAL_METRICS_ADDRESS")]
    pub metrics_address: Option<std::net::SocketAddr>,

    /// How long, in milliseconds, an instance may use a token, policy answer, registry page or
    /// rule set it keeps in memory without a PostgreSQL notification having cleared it. A change
    /// is seen everywhere within milliseconds while notifications arrive; this bounds staleness
    /// should one ever be missed.
    #[arg(long, env = "PORTAL_CACHE_TTL_MS", default_value_t = notified::TTL_MS, value_parser = clap::value_parser!(u64).range(1..=60_000))]
    pub cache_ttl_ms: u64,

    #[command(flatten)]
    pub smtp: SmtpOptions,

    #[command(flatten)]
    pub oidc: OidcOptions,
}

/// E-mail: without `--smtp-host`, notifications stay in the portal.
#[derive(Debug, Clone, Default, Args)]
pub struct SmtpOptions {
    /// The mail server notifications are sent through, e.g. smtp.example.com.
    #[arg(long, env = "PORTAL_SMTP_HOST")]
    pub smtp_host: Option<String>,

    /// Its port. Default: 587 with starttls, 465 with tls, 25 with none.
    #[arg(long, env = "PORTAL_SMTP_PORT")]
    pub smtp_port: Option<u16>,

    /// How the connection is protected: `starttls` (must succeed), `tls` (from the first byte)
    /// or `none` (a relay on this machine or network only; no sign-in then).
    #[arg(long, env = "PORTAL_SMTP_SECURITY", value_enum, default_value_t = SmtpSecurityOption::Starttls)]
    pub smtp_security: SmtpSecurityOption,

    /// The account to sign in to the mail server with (needs --smtp-password-file).
    #[arg(long, env = "PORTAL_SMTP_USERNAME")]
    pub smtp_username: Option<String>,

    /// File holding that account's password (its first line; never a flag, so it is not in
    /// the process list).
    #[arg(long, env = "PORTAL_SMTP_PASSWORD_FILE")]
    pub smtp_password_file: Option<PathBuf>,

    /// The sender, e.g. "AI Governance Portal <ai-portal@example.com>" (needed with --smtp-host).
    #[arg(long, env = "PORTAL_SMTP_FROM")]
    pub smtp_from: Option<String>,

    /// A PEM certificate to trust besides the public authorities (a private CA's, or a
    /// self-signed server's).
    #[arg(long, env = "PORTAL_SMTP_CA_FILE")]
    pub smtp_ca_file: Option<PathBuf>,
}

/// The first line of the secret file `path` given as `flag`; an unreadable file or an empty
/// first line is refused, naming both.
fn secret_line(flag: &str, path: &std::path::Path) -> Result<String, String> {
    let text = std::fs::read_to_string(path)
        .map_err(|error| format!("{flag} {}: {error}", path.display()))?;
    let line = text.lines().next().unwrap_or_default().to_owned();
    if line.is_empty() {
        return Err(format!(
            "{flag} {}: its first line is empty",
            path.display()
        ));
    }
    Ok(line)
}

/// Single sign-on: without `--oidc-issuer`, people sign in with passwords only.
#[derive(Debug, Clone, Default, Args)]
pub struct OidcOptions {
    /// The OpenID provider's issuer, exactly as its discovery document
    /// (`<issuer>/.well-known/openid-configuration`) spells it.
    #[arg(long, env = "PORTAL_OIDC_ISSUER")]
    pub oidc_issuer: Option<String>,

    /// The portal's client id at the provider.
    #[arg(long, env = "PORTAL_OIDC_CLIENT_ID")]
    pub oidc_client_id: Option<String>,

    /// File holding the portal's client secret (its first line; never a flag).
    #[arg(long, env = "PORTAL_OIDC_CLIENT_SECRET_FILE")]
    pub oidc_client_secret_file: Option<PathBuf>,

    /// What the sign-in page calls the provider: "Sign in with <name>".
    #[arg(long, env = "PORTAL_OIDC_NAME", default_value = "single sign-on")]
    pub oidc_name: String,
}

impl OidcOptions {
    /// The provider these flags describe: `None` without `--oidc-issuer`; `Err` names the flag.
    #[tracing::instrument(skip_all)]
    pub fn sso(&self) -> Result<Option<Sso>, String> {
        let Some(issuer) = &self.oidc_issuer else {
            let stray = [
                ("--oidc-client-id", self.oidc_client_id.is_some()),
                (
                    "--oidc-client-secret-file",
                    self.oidc_client_secret_file.is_some(),
                ),
            ];
            return match stray.iter().find(|(_, given)| *given) {
                Some((flag, _)) => Err(format!("{flag} needs --oidc-issuer")),
                None => Ok(None),
            };
        };
        let client_id = self
            .oidc_client_id
            .clone()
            .filter(|id| !id.trim().is_empty())
            .ok_or("--oidc-issuer needs --oidc-client-id")?;
        let path = self
            .oidc_client_secret_file
            .as_ref()
            .ok_or("--oidc-issuer needs --oidc-client-secret-file")?;
        let client_secret = secret_line("--oidc-client-secret-file", path)?;
        let name = self.oidc_name.trim();
        if name.is_empty() || name.chars().count() > 60 {
            return Err("--oidc-name must be 1 to 60 characters".into());
        }
        Sso::new(SsoSettings {
            issuer: issuer.clone(),
            client_id,
            client_secret,
            name: name.to_owned(),
        })
        .map(Some)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, ValueEnum)]
pub enum SmtpSecurityOption {
    #[default]
    Starttls,
    Tls,
    None,
}

impl SmtpOptions {
    /// The mailer these flags describe: `None` without `--smtp-host`; `Err` names the flag.
    #[tracing::instrument(skip_all)]
    pub fn mailer(&self) -> Result<Option<Mailer>, String> {
        let Some(host) = &self.smtp_host else {
            let stray = [
                ("--smtp-port", self.smtp_port.is_some()),
                ("--smtp-username", self.smtp_username.is_some()),
                ("--smtp-password-file", self.smtp_password_file.is_some()),
                ("--smtp-from", self.smtp_from.is_some()),
                ("--smtp-ca-file", self.smtp_ca_file.is_some()),
            ];
            return match stray.iter().find(|(_, given)| *given) {
                Some((flag, _)) => Err(format!("{flag} needs --smtp-host")),
                None => Ok(None),
            };
        };
        let from = self
            .smtp_from
            .clone()
            .ok_or("--smtp-host needs --smtp-from (the sender's address)")?;
        let password = match &self.smtp_password_file {
            Some(path) => Some(secret_line("--smtp-password-file", path)?),
            None => None,
        };
        let extra_root_pem = match &self.smtp_ca_file {
            Some(path) => Some(
                std::fs::read(path)
                    .map_err(|error| format!("--smtp-ca-file {}: {error}", path.display()))?,
            ),
            None => None,
        };
        Mailer::new(SmtpSettings {
            host: host.clone(),
            port: self.smtp_port,
            security: match self.smtp_security {
                SmtpSecurityOption::Starttls => SmtpSecurity::StartTls,
                SmtpSecurityOption::Tls => SmtpSecurity::Tls,
                SmtpSecurityOption::None => SmtpSecurity::None,
            },
            username: self.smtp_username.clone(),
            password,
            from,
            extra_root_pem,
        })
        .map(Some)
    }
}

impl Default for ServeOptions {
    fn default() -> Self {
        Self {
            address: IpAddr::from([127, 0, 0, 1]),
            port: 3000,
            public_url: None,
            site_root: PathBuf::from("target/site"),
            request_timeout: 30,
            demo: false,
            trusted_proxies: Vec::new(),
            api_calls_per_minute: rate::API_CALLS.max,
            audit_checkpoint_events: 1000,
            audit_checkpoint_minutes: 10,
            audit_checkpoint_file: None,
            audit_checkpoint_url: None,
            metrics_address: None,
            cache_ttl_ms: notified::TTL_MS,
            smtp: SmtpOptions::default(),
            oidc: OidcOptions::default(),
        }
    }
}

impl ServeOptions {
    /// The TTL of every cache an instance keeps (`--cache-ttl-ms`).
    pub fn cache_ttl(&self) -> std::time::Duration {
        std::time::Duration::from_millis(self.cache_ttl_ms)
    }

    /// Options read from the environment alone, for `server` without a subcommand.
    pub fn from_env() -> Result<Self, clap::Error> {
        #[derive(Parser)]
        struct OnlyServe {
            #[command(flatten)]
            serve: ServeOptions,
        }
        OnlyServe::try_parse_from(["server"]).map(|parsed| parsed.serve)
    }

    pub fn public_url(&self, port: u16) -> String {
        self.public_url
            .clone()
            .unwrap_or_else(|| match self.address {
                IpAddr::V6(address) => format!("http://[{address}]:{port}"),
                IpAddr::V4(address) => format!("http://{address}:{port}"),
            })
    }
}

#[derive(Debug, Clone, Args)]
pub struct PostgresOptions {
    /// Name of the database to create if missing.
    #[arg(long, default_value = "portal")]
    pub database: String,
    /// Trade durability for speed (no fsync): for throw-away test clusters.
    #[arg(long)]
    pub ephemeral: bool,
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn the_cli_definition_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn serve_is_optional_and_flags_parse() {
        let cli = Cli::try_parse_from(["server"]).expect("parses");
        assert!(cli.command.is_none());
        let cli = Cli::try_parse_from([
            "server",
            "serve",
            "--port",
            "0",
            "--address",
            "0.0.0.0",
            "--demo",
        ])
        .expect("parses");
        match cli.command {
            Some(Command::Serve(options)) => {
                assert_eq!(options.port, 0);
                assert!(options.demo);
                assert_eq!(options.public_url(8080), "http://0.0.0.0:8080");
            }
            other => panic!("expected serve, got {other:?}"),
        }
    }

    #[test]
    fn smtp_flags_without_a_host_or_with_an_empty_password_are_refused() {
        let stray = SmtpOptions {
            smtp_from: Some("portal@example.com".to_owned()),
            ..SmtpOptions::default()
        };
        assert_eq!(
            stray.mailer().map(|m| m.is_some()),
            Err("--smtp-from needs --smtp-host".to_owned())
        );
        assert_eq!(
            SmtpOptions::default().mailer().map(|m| m.is_some()),
            Ok(false)
        );
        let dir = tempfile::tempdir().expect("dir");
        let empty = dir.path().join("password");
        std::fs::write(&empty, "\nsecond line\n").expect("written");
        let error = SmtpOptions {
            smtp_host: Some("mail.example.com".to_owned()),
            smtp_from: Some("portal@example.com".to_owned()),
            smtp_username: Some("portal".to_owned()),
            smtp_password_file: Some(empty),
            ..SmtpOptions::default()
        }
        .mailer()
        .map(|m| m.is_some())
        .expect_err("refused");
        assert!(error.contains("its first line is empty"), "{error}");
    }

    #[test]
    fn single_sign_on_settings_name_the_flag_at_fault() {
        let dir = tempfile::tempdir().expect("dir");
        let secret = dir.path().join("secret");
        std::fs::write(&secret, "s3cret\n").expect("written");
        let options = |issuer: &str| OidcOptions {
            oidc_issuer: Some(issuer.to_owned()),
            oidc_client_id: Some("portal".to_owned()),
            oidc_client_secret_file: Some(secret.clone()),
            oidc_name: "Northwind SSO".to_owned(),
        };
        let sso = options("https://login.example.com/tenant")
            .sso()
            .expect("valid")
            .expect("configured");
        assert!(
            !format!("{sso:?}").contains("s3cret"),
            "the secret stays hidden"
        );
        assert!(
            options("http://127.0.0.1:8080").sso().is_ok(),
            "loopback may be http"
        );
        for (bad, expected) in [
            (options("http://login.example.com"), "https://"),
            (options("not a url"), "--oidc-issuer"),
            (
                OidcOptions {
                    oidc_client_id: None,
                    ..options("https://login.example.com")
                },
                "--oidc-client-id",
            ),
            (
                OidcOptions {
                    oidc_client_secret_file: Some(dir.path().join("missing")),
                    ..options("https://login.example.com")
                },
                "--oidc-client-secret-file",
            ),
            (
                OidcOptions {
                    oidc_issuer: None,
                    ..options("https://login.example.com")
                },
                "--oidc-client-id needs --oidc-issuer",
            ),
            (
                OidcOptions {
                    oidc_name: " ".to_owned(),
                    ..options("https://login.example.com")
                },
                "--oidc-name",
            ),
        ] {
            let error = bad.sso().map(|s| s.is_some()).expect_err(expected);
            assert!(error.contains(expected), "{error}");
        }
        assert_eq!(OidcOptions::default().sso().map(|s| s.is_some()), Ok(false));
    }

    #[test]
    fn bad_values_name_the_flag() {
        let error = Cli::try_parse_from(["server", "serve", "--port", "http"])
            .expect_err("a port must be a number")
            .to_string();
        assert!(error.contains("--port"), "{error}");
    }
}
