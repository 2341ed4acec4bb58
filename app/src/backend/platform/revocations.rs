//! Revoked signing keys, kept beside the keys (`revoked` in the key folder, mode 0600): one line
//! per key, `<key id> <RFC 3339 time>`. What a key signed from that time on no longer verifies;
//! what it signed before still does. Kept outside the database, like the keys themselves.

use std::io::Write;
use std::os::unix::fs::OpenOptionsExt;
use std::path::Path;

use chrono::{DateTime, SecondsFormat, Utc};

use super::key_file::{check_private, io_error, KeyFileError};

const FILE: &str = "revoked";

/// One key's revocation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Revocation {
    pub key_id: String,
    pub since: DateTime<Utc>,
}

/// The revocations recorded in `dir` (none when there is no file).
pub fn read(dir: &Path) -> Result<Vec<Revocation>, KeyFileError> {
    let path = dir.join(FILE);
    if !path.exists() {
        return Ok(vec![]);
    }
    check_private(&path)?;
    let text = std::fs::read_to_string(&path).map_err(io_error(&path))?;
    text.lines()
        .filter(|line| !line.trim().is_empty())
        .map(|line| {
            let (key_id, since) = line.trim().split_once(' ').unwrap_or((line, ""));
            let since = DateTime::parse_from_rfc3339(since.trim())
                .map_err(|_| KeyFileError::Io {
                    path: path.display().to_string(),
                    source: std::io::Error::other(format!("unreadable line {line:?}")),
                })?
                .with_timezone(&Utc);
            Ok(Revocation {
                key_id: key_id.to_owned(),
                since,
            })
        })
        .collect()
}

/// Records that `key_id` is revoked from `since` on.
pub fn append(dir: &Path, key_id: &str, since: DateTime<Utc>) -> Result<(), KeyFileError> {
    let path = dir.join(FILE);
    let mut file = std::fs::OpenOptions::new()
        .append(true)
        .create(true)
        .mode(0o600)
        .open(&path)
        .map_err(io_error(&path))?;
    writeln!(
        file,
        "{key_id} {}",
        since.to_rfc3339_opts(SecondsFormat::Secs, true)
    )
    .and_then(|()| file.sync_all())
    .map_err(io_error(&path))
}
