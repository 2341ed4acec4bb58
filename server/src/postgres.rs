//! A private PostgreSQL cluster owned by this process, for when no `DATABASE_URL` is given.
//!
//! The cluster lives in a folder of ours, listens only on a Unix socket, and runs as a direct child
//! process. The child is told by the kernel to shut down when the thread that started it goes
//! away (`PR_SET_PDEATHSIG`), so a crashed or killed portal never leaves a server behind; a stale
//! `postmaster.pid` from such a crash is recognised and removed on the next start.

use std::fs::{self, File, OpenOptions};
use std::io::{Read, Seek, SeekFrom};
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use nix::sys::signal::{kill, Signal};
use nix::unistd::{Pid, User};
use sqlx::postgres::PgConnectOptions;
use sqlx::{ConnectOptions, Connection, PgConnection};

/// The port number only names the socket file (`.s.PGSQL.<port>`); nothing listens on TCP.
const PORT: u16 = 5432;
const SUPERUSER: &str = "postgres";
/// The longest socket directory whose socket path still fits `sun_path` (108 bytes with NUL).
const MAX_SOCKET_DIR_LEN: usize = 107 - ".s.PGSQL.5432".len() - 1;
const START_TIMEOUT: Duration = Duration::from_secs(60);

#[derive(Debug, thiserror::Error)]
pub enum PostgresError {
    #[error(
        "no PostgreSQL server binaries (initdb, postgres) were found on PATH or under \
         /usr/lib/postgresql/<version>/bin. Install them with `apt-get install postgresql` \
         (Debian package `postgresql`), or set DATABASE_URL to use an existing server"
    )]
    BinariesMissing,
    #[error(
        "PostgreSQL refuses to run as root, and there is no `postgres` OS user to run it as. \
         Install Debian's `postgresql` package (it creates that user) or start the portal as a \
         normal user"
    )]
    NoServiceUser,
    #[error(
        "the OS user `{user}` that runs PostgreSQL cannot reach {path} (a parent folder is not \
         searchable by others). Choose a data folder it can reach with --data-dir, or make the \
         parents searchable (chmod o+x), or set DATABASE_URL"
    )]
    Unreachable { user: String, path: PathBuf },
    #[error("a PostgreSQL server (pid {pid}) is already running on {path}: another portal process is using this data folder")]
    AlreadyRunning { pid: i32, path: PathBuf },
    #[error("{action} failed: {detail}")]
    Command {
        action: &'static str,
        detail: String,
    },
    #[error("PostgreSQL did not become ready within {0:?}; its log says:\n{1}")]
    NotReady(Duration, String),
    #[error("{context}: {source}")]
    Io {
        context: String,
        source: std::io::Error,
    },
    #[error("could not create the database: {0}")]
    Database(#[from] sqlx::Error),
}

fn io(context: impl Into<String>) -> impl FnOnce(std::io::Error) -> PostgresError {
    let context = context.into();
    move |source| PostgresError::Io { context, source }
}

/// How the cluster is tuned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Durability {
    /// Every commit reaches the disk: for data people keep.
    Durable,
    /// No fsync: for throw-away test clusters, where speed matters and a crash loses nothing.
    Ephemeral,
}

/// A running private cluster. Stop it with [`PrivateCluster::stop`]; dropping it stops it too.
#[derive(Debug)]
pub struct PrivateCluster {
    cluster_dir: PathBuf,
    socket_dir: PathBuf,
    child: Option<Child>,
}

impl PrivateCluster {
    /// Starts the cluster under `root` (creating it with `initdb` on first use) and makes sure the
    /// database `database` exists.
    ///
    /// Call this from a long-lived thread (the main thread, or a test's own thread): the server is
    /// shut down when the thread that started it ends.
    #[tracing::instrument(skip_all, fields(root = %root.display()))]
    pub async fn start(
        root: &Path,
        database: &str,
        durability: Durability,
    ) -> Result<Self, PostgresError> {
        let bin_dir = find_binaries().ok_or(PostgresError::BinariesMissing)?;
        let run_as = service_user()?;
        fs::create_dir_all(root).map_err(io(format!("creating {}", root.display())))?;
        let root = root
            .canonicalize()
            .map_err(io(format!("resolving {}", root.display())))?;
        let cluster_dir = root.join("postgres");
        if let Some(user) = &run_as {
            check_reachable(&root, user)?;
        }
        prepare_dir(&cluster_dir, run_as.as_ref())?;
        if !cluster_dir.join("PG_VERSION").exists() {
            init_cluster(&bin_dir, &cluster_dir, run_as.as_ref(), durability)?;
        }
        remove_stale_pid_file(&cluster_dir)?;
        let socket_dir = socket_dir_for(&cluster_dir, run_as.as_ref())?;
        let log_path = root.join("postgres.log");
        let child = spawn_postgres(
            &bin_dir,
            &cluster_dir,
            &socket_dir,
            &log_path,
            run_as.as_ref(),
            durability,
        )?;
        let mut cluster = Self {
            cluster_dir,
            socket_dir,
            child: Some(child),
        };
        cluster.wait_until_ready(&log_path).await?;
        cluster.ensure_database(database).await?;
        tracing::info!(socket = %cluster.socket_dir.display(), "private PostgreSQL is ready");
        Ok(cluster)
    }

    /// Connection options for `database` on this cluster.
    pub fn connect_options(&self, database: &str) -> PgConnectOptions {
        PgConnectOptions::new()
            .socket(&self.socket_dir)
            .port(PORT)
            .username(SUPERUSER)
            .database(database)
    }

    /// A `postgres://` URL for `database` on this cluster, understood by sqlx and psql alike.
    pub fn url(&self, database: &str) -> String {
        format!(
            "postgres://{SUPERUSER}@{}:{PORT}/{}",
            percent_encode(&self.socket_dir.to_string_lossy()),
            percent_encode(database)
        )
    }

    pub fn cluster_dir(&self) -> &Path {
        &self.cluster_dir
    }

    /// The postmaster's process id while it runs.
    pub fn pid(&self) -> Option<u32> {
        self.child.as_ref().map(Child::id)
    }

    /// Fast shutdown: ends client sessions, writes a checkpoint, exits. Waits for the exit.
    pub fn stop(mut self) -> Result<(), PostgresError> {
        self.shutdown()
    }

    fn shutdown(&mut self) -> Result<(), PostgresError> {
        let Some(mut child) = self.child.take() else {
            return Ok(());
        };
        if let Ok(None) = child.try_wait() {
            let pid = Pid::from_raw(child.id() as i32);
            // SIGINT is PostgreSQL's "fast" shutdown.
            let _ = kill(pid, Signal::SIGINT);
            let deadline = Instant::now() + Duration::from_secs(30);
            while matches!(child.try_wait(), Ok(None)) && Instant::now() < deadline {
                std::thread::sleep(Duration::from_millis(50));
            }
            // Then "immediate" shutdown (crash recovery runs at the next start), then kill.
            for (signal, grace) in [(Signal::SIGQUIT, 10), (Signal::SIGKILL, 10)] {
                if !matches!(child.try_wait(), Ok(None)) {
                    break;
                }
                let _ = kill(pid, signal);
                let deadline = Instant::now() + Duration::from_secs(grace);
                while matches!(child.try_wait(), Ok(None)) && Instant::now() < deadline {
                    std::thread::sleep(Duration::from_millis(50));
                }
            }
            if matches!(child.try_wait(), Ok(None)) {
                return Err(PostgresError::Command {
                    action: "stopping PostgreSQL",
                    detail: format!("process {pid} did not exit"),
                });
            }
        }
        tracing::info!("private PostgreSQL stopped");
        Ok(())
    }

    async fn wait_until_ready(&mut self, log_path: &Path) -> Result<(), PostgresError> {
        let started = Instant::now();
        let options = self.connect_options("postgres").disable_statement_logging();
        loop {
            if let Some(child) = self.child.as_mut() {
                if let Ok(Some(status)) = child.try_wait() {
                    self.child = None;
                    return Err(PostgresError::Command {
                        action: "starting PostgreSQL",
                        detail: format!(
                            "it exited with {status}; its log says:\n{}",
                            log_tail(log_path)
                        ),
                    });
                }
            }
            if let Ok(conn) = PgConnection::connect_with(&options).await {
                let _ = conn.close().await;
                return Ok(());
            }
            if started.elapsed() > START_TIMEOUT {
                return Err(PostgresError::NotReady(START_TIMEOUT, log_tail(log_path)));
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    async fn ensure_database(&self, database: &str) -> Result<(), PostgresError> {
        let mut conn = PgConnection::connect_with(&self.connect_options("postgres")).await?;
        let exists: bool =
            sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)")
                .bind(database)
                .fetch_one(&mut conn)
                .await?;
        if !exists {
            let quoted = database.replace('"', "\"\"");
            sqlx::query(&format!("CREATE DATABASE \"{quoted}\""))
                .execute(&mut conn)
                .await?;
        }
        conn.close().await?;
        Ok(())
    }
}

impl Drop for PrivateCluster {
    fn drop(&mut self) {
        if let Err(error) = self.shutdown() {
            tracing::error!(%error, "stopping the private PostgreSQL failed");
        }
    }
}

/// A folder holding both `initdb` and `postgres`: PATH first, then Debian's versioned folders,
/// newest version first.
fn find_binaries() -> Option<PathBuf> {
    let has_both = |dir: &Path| dir.join("initdb").is_file() && dir.join("postgres").is_file();
    let on_path = std::env::var_os("PATH")
        .map(|paths| std::env::split_paths(&paths).collect::<Vec<_>>())
        .unwrap_or_default();
    if let Some(dir) = on_path.into_iter().find(|dir| has_both(dir)) {
        return Some(dir);
    }
    let mut debian: Vec<(u32, PathBuf)> = fs::read_dir("/usr/lib/postgresql")
        .ok()?
        .filter_map(Result::ok)
        .filter_map(|entry| {
            let version = entry.file_name().to_str()?.parse::<u32>().ok()?;
            Some((version, entry.path().join("bin")))
        })
        .filter(|(_, dir)| has_both(dir))
        .collect();
    debian.sort();
    debian.pop().map(|(_, dir)| dir)
}

/// The OS user to run PostgreSQL as: `None` means "as ourselves" (we are not root).
fn service_user() -> Result<Option<User>, PostgresError> {
    if !nix::unistd::geteuid().is_root() {
        return Ok(None);
    }
    match User::from_name(SUPERUSER) {
        Ok(Some(user)) => Ok(Some(user)),
        _ => Err(PostgresError::NoServiceUser),
    }
}

/// PostgreSQL runs as `user`, so every folder above the cluster must be searchable by it.
fn check_reachable(root: &Path, user: &User) -> Result<(), PostgresError> {
    for dir in root.ancestors() {
        let Ok(meta) = fs::metadata(dir) else {
            continue;
        };
        let mode = meta.mode();
        let searchable = if meta.uid() == user.uid.as_raw() {
            mode & 0o100 != 0
        } else if meta.gid() == user.gid.as_raw() {
            mode & 0o010 != 0
        } else {
            mode & 0o001 != 0
        };
        if !searchable {
            return Err(PostgresError::Unreachable {
                user: user.name.clone(),
                path: dir.to_owned(),
            });
        }
    }
    Ok(())
}

fn prepare_dir(dir: &Path, owner: Option<&User>) -> Result<(), PostgresError> {
    fs::create_dir_all(dir).map_err(io(format!("creating {}", dir.display())))?;
    if let Some(user) = owner {
        nix::unistd::chown(dir, Some(user.uid), Some(user.gid)).map_err(|errno| {
            PostgresError::Io {
                context: format!("handing {} to {}", dir.display(), user.name),
                source: errno.into(),
            }
        })?;
    }
    fs::set_permissions(dir, fs::Permissions::from_mode(0o700))
        .map_err(io(format!("restricting {}", dir.display())))
}

/// A command that runs as `user` (when given) and is stopped with `signal` if we go away.
fn command(program: PathBuf, user: Option<&User>, signal: Option<Signal>) -> Command {
    let mut cmd = Command::new(program);
    cmd.env_clear()
        .env("LC_ALL", "C.UTF-8")
        .env("PATH", "/usr/bin:/bin")
        .stdin(Stdio::null());
    if let Some(user) = user {
        cmd.uid(user.uid.as_raw())
            .gid(user.gid.as_raw())
            .env("HOME", &user.dir);
    }
    if let Some(signal) = signal {
        let parent = std::process::id();
        // SAFETY: only async-signal-safe calls (prctl, setpgid, getppid, _exit) between fork and exec.
        #[allow(unsafe_code)]
        unsafe {
            cmd.pre_exec(move || {
                if libc::prctl(libc::PR_SET_PDEATHSIG, signal as libc::c_ulong) != 0 {
                    return Err(std::io::Error::last_os_error());
                }
                // Our own process group: a Ctrl-C on the terminal reaches the portal, which
                // drains its requests and then stops PostgreSQL itself.
                libc::setpgid(0, 0);
                // The parent may have died before prctl took effect.
                if libc::getppid() as u32 != parent {
                    libc::_exit(1);
                }
                Ok(())
            });
        }
    }
    cmd
}

fn init_cluster(
    bin_dir: &Path,
    cluster_dir: &Path,
    user: Option<&User>,
    durability: Durability,
) -> Result<(), PostgresError> {
    let mut cmd = command(bin_dir.join("initdb"), user, None);
    cmd.arg("--pgdata")
        .arg(cluster_dir)
        .args([
            "--username",
            SUPERUSER,
            "--auth",
            "trust",
            "--encoding",
            "UTF8",
        ])
        .arg("--no-locale");
    if durability == Durability::Ephemeral {
        cmd.arg("--no-sync");
    }
    let output = cmd.output().map_err(io("running initdb"))?;
    if !output.status.success() {
        return Err(PostgresError::Command {
            action: "initdb",
            detail: String::from_utf8_lossy(&output.stderr).into_owned(),
        });
    }
    Ok(())
}

/// Removes `postmaster.pid` when the process it names is gone or is not a PostgreSQL server
/// (after a crash the number may since have been given to an unrelated process).
fn remove_stale_pid_file(cluster_dir: &Path) -> Result<(), PostgresError> {
    let pid_file = cluster_dir.join("postmaster.pid");
    let Ok(contents) = fs::read_to_string(&pid_file) else {
        return Ok(());
    };
    let pid = contents
        .lines()
        .next()
        .and_then(|line| line.trim().parse::<i32>().ok());
    if let Some(pid) = pid {
        let comm = fs::read_to_string(format!("/proc/{pid}/comm")).unwrap_or_default();
        if comm.trim() == "postgres" {
            return Err(PostgresError::AlreadyRunning {
                pid,
                path: cluster_dir.to_owned(),
            });
        }
    }
    tracing::warn!(path = %pid_file.display(), "removing a stale postmaster.pid left by a crash");
    fs::remove_file(&pid_file).map_err(io(format!("removing {}", pid_file.display())))
}

/// The socket lives in the cluster folder unless that path is too long for a Unix socket.
fn socket_dir_for(cluster_dir: &Path, user: Option<&User>) -> Result<PathBuf, PostgresError> {
    if cluster_dir.as_os_str().len() <= MAX_SOCKET_DIR_LEN {
        return Ok(cluster_dir.to_owned());
    }
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in cluster_dir.as_os_str().as_encoded_bytes() {
        hash = (hash ^ u64::from(*byte)).wrapping_mul(0x0100_0000_01b3);
    }
    let dir = std::env::temp_dir().join(format!("portal-pg-{hash:016x}"));
    prepare_dir(&dir, user)?;
    Ok(dir)
}

fn spawn_postgres(
    bin_dir: &Path,
    cluster_dir: &Path,
    socket_dir: &Path,
    log_path: &Path,
    user: Option<&User>,
    durability: Durability,
) -> Result<Child, PostgresError> {
    let log = OpenOptions::new()
        .create(true)
        .append(true)
        .open(log_path)
        .map_err(io(format!("opening {}", log_path.display())))?;
    let log_err = log
        .try_clone()
        .map_err(io(format!("opening {}", log_path.display())))?;
    let mut cmd = command(bin_dir.join("postgres"), user, Some(Signal::SIGINT));
    cmd.arg("-D")
        .arg(cluster_dir)
        .arg("-k")
        .arg(socket_dir)
        .args(["-p", &PORT.to_string()])
        .args(["-c", "listen_addresses="])
        .args(["-c", "unix_socket_permissions=0700"])
        .args(["-c", "max_connections=200"]);
    if durability == Durability::Ephemeral {
        for setting in [
            "fsync=off",
            "synchronous_commit=off",
            "full_page_writes=off",
        ] {
            cmd.args(["-c", setting]);
        }
    }
    cmd.stdout(log).stderr(log_err);
    cmd.spawn().map_err(io("starting postgres"))
}

fn percent_encode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                char::from(b).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// The last lines of PostgreSQL's log, for error messages.
fn log_tail(log_path: &Path) -> String {
    let mut text = String::new();
    if let Ok(mut file) = File::open(log_path) {
        let len = file.metadata().map(|m| m.len()).unwrap_or(0);
        let _ = file.seek(SeekFrom::Start(len.saturating_sub(4000)));
        let _ = file.read_to_string(&mut text);
    }
    let lines: Vec<&str> = text.lines().collect();
    lines[lines.len().saturating_sub(15)..].join("\n")
}
