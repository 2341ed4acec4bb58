//! 32-byte secrets kept in files outside the database (the TOTP sealing key, receipt signing
//! keys): read if present, else created from the OS's random source with mode 0600 in folders
//! made 0700. A key file another user owns, or others may read or change, is refused at load.

use std::io::Write;
use std::os::unix::fs::{DirBuilderExt, MetadataExt, OpenOptionsExt, PermissionsExt};
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
    #[error("{path} {problem}: the portal refuses keys others could read or swap; {fix}")]
    Unsafe {
        path: String,
        problem: String,
        fix: String,
    },
}

/// Refuses `path` (a key file, or a folder of keys) unless the portal's user owns it and nobody
/// else may read, write or enter it.
pub fn check_private(path: &Path) -> Result<(), KeyFileError> {
    let meta = std::fs::metadata(path).map_err(io_error(path))?;
    let shown = path.display().to_string();
    let me = rustix::process::geteuid().as_raw();
    if meta.uid() != me {
        return Err(KeyFileError::Unsafe {
            problem: format!("belongs to user id {}, not the portal's ({me})", meta.uid()),
            fix: format!("run: chown {me} {shown}"),
            path: shown,
        });
    }
    let mode = meta.permissions().mode() & 0o777;
    if mode & 0o077 != 0 {
        let wanted = if meta.is_dir() { "700" } else { "600" };
        return Err(KeyFileError::Unsafe {
            problem: format!("is open to other users (mode {mode:o})"),
            fix: format!("run: chmod {wanted} {shown}"),
            path: shown,
        });
    }
    Ok(())
}

/// Creates `dir` (and missing parents) for keys: mode 0700.
pub fn create_private_dir(dir: &Path) -> Result<(), KeyFileError> {
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)
        .map_err(io_error(dir))
}

/// Names the file an I/O error is about.
pub(super) fn io_error(path: &Path) -> impl Fn(std::io::Error) -> KeyFileError + '_ {
    move |source| KeyFileError::Io {
        path: path.display().to_string(),
        source,
    }
}

/// The 32 bytes in `path`, a file only the portal's user may read.
pub fn read(path: &Path) -> Result<[u8; 32], KeyFileError> {
    check_private(path)?;
    let bytes = std::fs::read(path).map_err(io_error(path))?;
    <[u8; 32]>::try_from(bytes.as_slice())
        .map_err(|_| KeyFileError::WrongLength(path.display().to_string()))
}

/// Writes 32 new random bytes to `path`, which must not exist yet (mode 0600, synced).
pub fn create(path: &Path) -> Result<[u8; 32], KeyFileError> {
    let io = io_error(path);
    if let Some(parent) = path.parent() {
        create_private_dir(parent)?;
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
        let folder = std::fs::metadata(dir.path().join("keys")).expect("meta");
        assert_eq!(
            folder.permissions().mode() & 0o777,
            0o700,
            "key folders are private"
        );
    }

    #[test]
    fn a_key_file_others_may_read_is_refused_naming_it() {
        let dir = tempfile::tempdir().expect("dir");
        let path = dir.path().join("k.key");
        load_or_create(&path).expect("created");
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).expect("chmod");
        let error = read(&path).expect_err("refused");
        let message = error.to_string();
        assert!(message.contains(&path.display().to_string()), "{message}");
        assert!(message.contains("chmod 600"), "{message}");
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).expect("chmod");
        assert!(read(&path).is_ok());
        std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755))
            .expect("chmod");
        let error = check_private(dir.path()).expect_err("a folder open to others");
        assert!(error.to_string().contains("chmod 700"), "{error}");
    }
}
