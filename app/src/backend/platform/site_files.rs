//! The browser bundle (`portal.js`, `portal.wasm`, `portal.css`) under content-hashed names.
//!
//! Pages link `/pkg/portal.<hash>.wasm`: a name that changes whenever the content does, so a
//! browser may keep the file for a year without asking again, and a new release is fetched at
//! once. The hash is the first 16 hex digits of the file's SHA-256, computed when the server
//! starts (once per file version in a process: tests start many servers).

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::SystemTime;

use sha2::{Digest, Sha256};

/// The bundle's files as the server found them at start.
#[derive(Debug, Clone, Default)]
pub struct SiteFiles {
    dir: PathBuf,
    files: Vec<SiteFile>,
}

/// One file of the bundle.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SiteFile {
    /// The name on disk: `portal.wasm`.
    pub name: String,
    /// The name pages link: `portal.0123456789abcdef.wasm`.
    pub hashed: String,
    /// The content hash (16 hex digits): the name's and the entity tag's.
    pub hash: String,
    /// Size and modification time when hashed: a file replaced under a running server no
    /// longer matches its name.
    pub len: u64,
    pub modified: Option<SystemTime>,
    /// Whether `<name>.gz` beside it is at least as new (one left from an older build is not).
    pub gzip: bool,
}

impl SiteFile {
    /// Whether the file on disk is still the one that was hashed.
    pub fn unchanged(&self, meta: &std::fs::Metadata) -> bool {
        meta.len() == self.len && meta.modified().ok() == self.modified
    }
}

/// The bundle's files, in the order pages need them.
const BUNDLE: [&str; 3] = ["css", "js", "wasm"];

impl SiteFiles {
    /// Reads `pkg_dir` for `<output>.css`, `.js` and `.wasm`; a missing file is left out (pages
    /// then link the plain name, which answers 404 — a server built without its bundle).
    pub fn read(pkg_dir: &Path, output: &str) -> Self {
        let files = BUNDLE
            .iter()
            .filter_map(|extension| {
                let name = format!("{output}.{extension}");
                let path = pkg_dir.join(&name);
                let meta = std::fs::metadata(&path).ok()?;
                let hash = content_hash(&path)?;
                let modified = meta.modified().ok();
                let gzip = std::fs::metadata(pkg_dir.join(format!("{name}.gz")))
                    .and_then(|gz| gz.modified())
                    .is_ok_and(|gz| modified.is_some_and(|at| gz >= at));
                Some(SiteFile {
                    hashed: format!("{output}.{hash}.{extension}"),
                    hash,
                    len: meta.len(),
                    modified,
                    gzip,
                    name,
                })
            })
            .collect();
        Self {
            dir: pkg_dir.to_owned(),
            files,
        }
    }

    /// The address pages link for the file named `name` on disk.
    pub fn url(&self, name: &str) -> String {
        let linked = self
            .files
            .iter()
            .find(|file| file.name == name)
            .map_or(name, |file| file.hashed.as_str());
        format!("/pkg/{linked}")
    }

    /// The file a request for `/pkg/<requested>` means, when it names the current content.
    pub fn find(&self, requested: &str) -> Option<&SiteFile> {
        self.files.iter().find(|file| file.hashed == requested)
    }

    /// Where `file` lies on disk.
    pub fn path(&self, file: &SiteFile) -> PathBuf {
        self.dir.join(&file.name)
    }
}

/// The first 16 hex digits of the SHA-256 of the file at `path`, remembered per path, size and
/// modification time.
fn content_hash(path: &Path) -> Option<String> {
    type Key = (PathBuf, u64, Option<SystemTime>);
    static KNOWN: OnceLock<Mutex<HashMap<Key, Arc<str>>>> = OnceLock::new();
    let meta = std::fs::metadata(path).ok()?;
    let key = (path.to_owned(), meta.len(), meta.modified().ok());
    let known = KNOWN.get_or_init(Default::default);
    if let Some(hash) = known.lock().ok().and_then(|known| known.get(&key).cloned()) {
        return Some(hash.to_string());
    }
    let bytes = std::fs::read(path).ok()?;
    let digest = Sha256::digest(&bytes);
    let hash: String = digest
        .iter()
        .take(8)
        .map(|byte| format!("{byte:02x}"))
        .collect();
    if let Ok(mut known) = known.lock() {
        known.insert(key, Arc::from(hash.as_str()));
    }
    Some(hash)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_change_with_the_content_and_only_the_current_name_is_found() {
        let dir = tempfile::tempdir().expect("dir");
        std::fs::write(dir.path().join("portal.js"), "one").expect("write");
        let first = SiteFiles::read(dir.path(), "portal");
        let url = first.url("portal.js");
        assert!(
            url.starts_with("/pkg/portal.") && url.ends_with(".js"),
            "{url}"
        );
        assert_eq!(url.len(), "/pkg/portal..js".len() + 16);
        assert_eq!(
            first.url("portal.wasm"),
            "/pkg/portal.wasm",
            "missing: plain"
        );

        std::fs::write(dir.path().join("portal.js"), "two, longer").expect("write");
        let second = SiteFiles::read(dir.path(), "portal");
        assert_ne!(second.url("portal.js"), url);
        let current = second.url("portal.js");
        let file = second
            .find(current.trim_start_matches("/pkg/"))
            .expect("found");
        assert_eq!(second.path(file), dir.path().join("portal.js"));
        assert_eq!(file.hash.len(), 16);
        assert!(second.find(url.trim_start_matches("/pkg/")).is_none());
        assert!(second.find("portal.js").is_none());
        assert!(!file.gzip, "no copy");
    }

    #[test]
    fn a_gzip_copy_older_than_its_file_is_not_used() {
        let dir = tempfile::tempdir().expect("dir");
        let wasm = dir.path().join("portal.wasm");
        let gz = dir.path().join("portal.wasm.gz");
        std::fs::write(&wasm, "new content").expect("write");
        std::fs::write(&gz, "a copy").expect("write");
        let files = SiteFiles::read(dir.path(), "portal");
        let file = files.find(files.url("portal.wasm").trim_start_matches("/pkg/"));
        assert!(file.expect("found").gzip, "as new as the file");

        let older = SystemTime::now() - std::time::Duration::from_secs(3600);
        std::fs::File::options()
            .write(true)
            .open(&gz)
            .and_then(|f| f.set_modified(older))
            .expect("backdate");
        let files = SiteFiles::read(dir.path(), "portal");
        let file = files
            .find(files.url("portal.wasm").trim_start_matches("/pkg/"))
            .expect("found");
        assert!(!file.gzip, "left from an older build");
        let meta = std::fs::metadata(&wasm).expect("meta");
        assert!(file.unchanged(&meta));
        std::fs::write(&wasm, "replaced under a running server").expect("write");
        assert!(!file.unchanged(&std::fs::metadata(&wasm).expect("meta")));
    }
}
