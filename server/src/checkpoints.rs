//! Taking signed audit checkpoints while the portal runs, and sending copies outside the
//! database: appended to a file, posted to a webhook.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use app::backend::audit::checkpoints::{take_if_due, Cadence};
use app::backend::platform::clock::Clock;
use app::backend::platform::signing::SigningKeys;
use app::domain::checkpoint::SignedCheckpoint;
use sqlx::PgPool;

use crate::config::ServeOptions;

/// Where copies of each checkpoint go, and how often one is taken.
#[derive(Debug, Clone)]
pub struct Sinks {
    pub cadence: Cadence,
    pub file: Option<PathBuf>,
    pub url: Option<String>,
}

impl Sinks {
    pub fn of(options: &ServeOptions) -> Self {
        Self {
            cadence: Cadence {
                events: options.audit_checkpoint_events,
                every: chrono::Duration::minutes(options.audit_checkpoint_minutes),
            },
            file: options.audit_checkpoint_file.clone(),
            url: options.audit_checkpoint_url.clone(),
        }
    }
}

/// Checks every 30 seconds whether a checkpoint is due (any number of instances may run this:
/// one checkpoint is kept per head) and sends each new one to the sinks.
pub async fn run(pool: PgPool, keys: Arc<SigningKeys>, clock: Clock, sinks: Sinks) {
    let client = reqwest::Client::new();
    let mut every = tokio::time::interval(std::time::Duration::from_secs(30));
    loop {
        every.tick().await;
        if let Err(error) = once(&pool, &keys, &clock, &sinks, &client).await {
            tracing::warn!(%error, "taking an audit checkpoint failed");
        }
    }
}

/// Takes a checkpoint if one is due and sends it to the sinks; returns it.
pub async fn once(
    pool: &PgPool,
    keys: &SigningKeys,
    clock: &Clock,
    sinks: &Sinks,
    client: &reqwest::Client,
) -> Result<Option<SignedCheckpoint>, Box<dyn std::error::Error + Send + Sync>> {
    let Some(checkpoint) = take_if_due(pool, keys, sinks.cadence, clock.now()).await? else {
        return Ok(None);
    };
    tracing::info!(key_id = %checkpoint.key_id, "audit checkpoint signed");
    if let Some(path) = &sinks.file {
        if let Err(error) = append(path, &checkpoint) {
            tracing::error!(%error, path = %path.display(), "could not write the audit checkpoint file");
        }
    }
    if let Some(url) = &sinks.url {
        let sent = client
            .post(url)
            .timeout(std::time::Duration::from_secs(10))
            .json(&checkpoint)
            .send()
            .await
            .and_then(reqwest::Response::error_for_status);
        if let Err(error) = sent {
            // Without the URL: a collector's address often carries its secret.
            tracing::error!(error = %error.without_url(), "could not post the audit checkpoint");
        }
    }
    Ok(Some(checkpoint))
}

/// Appends `checkpoint` to `path` as one line of JSON.
pub fn append(path: &Path, checkpoint: &SignedCheckpoint) -> std::io::Result<()> {
    let mut line = serde_json::to_vec(checkpoint).map_err(std::io::Error::other)?;
    line.push(b'\n');
    std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)?
        .write_all(&line)
}

/// The checkpoints in a file `append` wrote (blank lines skipped).
pub fn read_file(path: &Path) -> Result<Vec<SignedCheckpoint>, String> {
    let text = std::fs::read_to_string(path)
        .map_err(|error| format!("cannot read {}: {error}", path.display()))?;
    text.lines()
        .enumerate()
        .filter(|(_, line)| !line.trim().is_empty())
        .map(|(n, line)| {
            serde_json::from_str(line).map_err(|error| {
                format!(
                    "{} line {}: not a checkpoint: {error}",
                    path.display(),
                    n + 1
                )
            })
        })
        .collect()
}
