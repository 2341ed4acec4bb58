//! 32-byte secrets kept in files outside the database (the TOTP sealing key, receipt signing
//! keys): read if present, else created from the OS's random source with mode 0600.

use std::io::Write;
use std::os::unix::fs::OpenOptionsExt;
use std::path::Path;

use rand::RngCore;

#[derive(Debug, thiserror::Error)]
pub enum KeyFileError {
    #[error("the key file {0} must hold exactly 32 bytes")]
    WrongLength(String),
    #[error("the key file {path}: {source}")]
    Io {
        path: String,
        source: std::io::Error,
    },
}

fn io_error(path: &Path) -> impl Fn(std::io::Error) -> KeyFileError + '_ {
    move |source| KeyFileError::Io {
        path: path.display().to_string(),
        source,
    }
}

/// The 32 bytes in `path`.
pub fn read(path: &Path) -> Result<[u8; 32], KeyFileError> {
    let bytes = std::fs::read(path).map_err(io_error(path))?;
    <[u8; 32]>::try_from(bytes.as_slice())
        .map_err(|_| KeyFileError::WrongLength(path.display().to_string()))
}

/// Writes 32 new random bytes to `path`, which must not exist yet (mode 0600, synced).
pub fn create(path: &Path) -> Result<[u8; 32], KeyFileError> {
    let io = io_error(path);
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).map_err(&io)?;
    }
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
        .map_err(&io)?;
    file.write_all(&bytes)
        .and_then(|()| file.sync_all())
        .map_err(&io)?;
    Ok(bytes)
}

/// The key in `path`, created on first use.
pub fn load_or_create(path: &Path) -> Result<[u8; 32], KeyFileError> {
    match read(path) {
        Err(KeyFileError::Io { source, .. }) if source.kind() == std::io::ErrorKind::NotFound => {
            create(path)
        }
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    #[test]
    fn a_key_is_created_once_private_and_read_back() {
        let dir = tempfile::tempdir().expect("dir");
        let path = dir.path().join("keys").join("k.key");
        let first = load_or_create(&path).expect("created");
        assert_eq!(load_or_create(&path).expect("read"), first);
        let mode = std::fs::metadata(&path).expect("meta").permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
        assert!(create(&path).is_err(), "never overwritten");
        std::fs::write(&path, b"short").expect("write");
        assert!(matches!(read(&path), Err(KeyFileError::WrongLength(_))));
    }
}
