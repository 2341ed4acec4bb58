//! `server scan [PATH…]`: the organization's detectors over files and directories (or standard
//! input) for pre-commit hooks and CI. Directories are walked as ripgrep walks them
//! (`.gitignore` and `.ignore` honoured) but hidden files are read (`.env` holds secrets;
//! `.git/` is skipped), binary files are skipped, and every file is
//! read in chunks cut at line ends, so memory stays flat however large the input. Exits 1 when
//! anything of a prohibited class is found, 2 when the scan itself failed.

use std::io::{self, BufWriter, Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Args, ValueEnum};
use serde_json::json;

use app::domain::scan::engine::{column, excerpt, Locator, Scanner};
use app::domain::scan::{DetectorKind, DetectorSpec};
use app::model::ScanRules;

/// How findings are printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// `path:line:column: class (detector) excerpt`, one per line, and a summary on stderr.
    Text,
    /// One JSON object per finding.
    Jsonl,
    /// SARIF 2.1.0, for code-scanning interfaces.
    Sarif,
}

#[derive(Debug, Clone, Args)]
pub struct ScanOptions {
    /// Files and directories to scan; none, or `-`, reads standard input.
    pub paths: Vec<PathBuf>,
    /// A rules file, as saved from `GET /api/v1/scan/rules`.
    #[arg(long, conflicts_with = "portal")]
    pub rules: Option<PathBuf>,
    /// A portal to fetch the rules from (its address); the token comes from `PORTAL_TOKEN` or
    /// `--token-file`.
    #[arg(long)]
    pub portal: Option<String>,
    /// A file holding the API token for `--portal` (instead of `PORTAL_TOKEN`).
    #[arg(long)]
    pub token_file: Option<PathBuf>,
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
    /// Print each detector's regular expression, one per line (what `rg -f` takes), and exit.
    #[arg(long)]
    pub print_patterns: bool,
}

/// Bytes read at a time; a chunk is cut at its last line end.
const CHUNK: usize = 1 << 20;
/// A line longer than this is cut where it stands (a finding across the cut may be missed).
const LONGEST_LINE: usize = 16 << 20;
/// Where a NUL byte marks a file as binary (as ripgrep and git decide).
const BINARY_PROBE: usize = 8 << 10;

type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// One finding, located in its file.
struct Found<'a> {
    path: &'a str,
    line: usize,
    column: usize,
    end_column: usize,
    spec: &'a DetectorSpec,
    excerpt: String,
}

pub async fn run(options: &ScanOptions) -> ExitCode {
    let rules = match load_rules(options).await {
        Ok(rules) => rules,
        Err(error) => {
            eprintln!("error: {error}");
            return ExitCode::from(2);
        }
    };
    if options.print_patterns {
        return print_patterns(&rules.detectors);
    }
    let format = options.format;
    let paths = options.paths.clone();
    // The scan is CPU work on one core: off the async runtime.
    let outcome = tokio::task::spawn_blocking(move || scan_all(rules, &paths, format)).await;
    match outcome {
        Ok(Ok(prohibited)) if prohibited > 0 => ExitCode::from(1),
        Ok(Ok(_)) => ExitCode::SUCCESS,
        Ok(Err(error)) => {
            eprintln!("error: {error}");
            ExitCode::from(2)
        }
        Err(error) => {
            eprintln!("error: the scan stopped: {error}");
            ExitCode::from(2)
        }
    }
}

fn print_patterns(detectors: &[DetectorSpec]) -> ExitCode {
    let mut out = io::stdout().lock();
    for spec in detectors {
        match app::domain::scan::engine::pattern_of(spec) {
            Ok(pattern) => {
                if writeln!(out, "{pattern}").is_err() {
                    return ExitCode::from(2);
                }
            }
            Err(error) => {
                eprintln!("error: {error}");
                return ExitCode::from(2);
            }
        }
    }
    ExitCode::SUCCESS
}

async fn load_rules(options: &ScanOptions) -> Result<ScanRules, BoxError> {
    match (&options.rules, &options.portal) {
        (Some(file), _) => {
            let text = std::fs::read_to_string(file).map_err(|error| {
                format!("cannot read the rules file {}: {error}", file.display())
            })?;
            Ok(serde_json::from_str(&text)
                .map_err(|error| format!("{} is not a rules file: {error}", file.display()))?)
        }
        (None, Some(portal)) => {
            let token = match &options.token_file {
                Some(file) => std::fs::read_to_string(file)
                    .map_err(|error| format!("cannot read {}: {error}", file.display()))?,
                None => std::env::var("PORTAL_TOKEN")
                    .map_err(|_| "--portal needs a token: set PORTAL_TOKEN or give --token-file")?,
            };
            let url = format!("{}/api/v1/scan/rules", portal.trim_end_matches('/'));
            let response = reqwest::Client::new()
                .get(&url)
                .bearer_auth(token.trim())
                .send()
                .await
                .map_err(|error| format!("cannot reach {url}: {error}"))?;
            let status = response.status();
            if !status.is_success() {
                return Err(format!("{url} answered {status}").into());
            }
            Ok(response
                .json()
                .await
                .map_err(|error| format!("{url} did not send rules: {error}"))?)
        }
        (None, None) => Err(
            "give the rules: --rules FILE (saved from GET /api/v1/scan/rules) or --portal URL"
                .into(),
        ),
    }
}

/// Scans every path; returns how many findings were of a prohibited class.
fn scan_all(rules: ScanRules, paths: &[PathBuf], format: Format) -> Result<usize, BoxError> {
    let scanner = Scanner::new(rules.detectors)
        .map_err(|error| format!("the rules do not compile: {error}"))?;
    let mut out = Output::new(format, &scanner);
    let stdin = paths.is_empty() || paths.iter().any(|p| p.as_os_str() == "-");
    if stdin {
        scan_reader(&scanner, "<stdin>", io::stdin().lock(), &mut out)?;
    }
    for root in paths.iter().filter(|p| p.as_os_str() != "-") {
        if !root.exists() {
            return Err(format!("{}: no such file or directory", root.display()).into());
        }
        let walk = ignore::WalkBuilder::new(root)
            // A .gitignore counts outside a git checkout too (an unpacked source tree).
            .require_git(false)
            // Hidden files are where secrets live (.env, .npmrc); git's own folder is not.
            .hidden(false)
            .filter_entry(|entry| entry.file_name() != ".git")
            .build();
        for entry in walk {
            let entry = entry?;
            if !entry.file_type().is_some_and(|t| t.is_file()) {
                continue;
            }
            let path = entry.path();
            let file = std::fs::File::open(path)
                .map_err(|error| format!("{}: {error}", path.display()))?;
            scan_reader(&scanner, &display(path), file, &mut out)?;
        }
    }
    out.finish()
}

fn display(path: &Path) -> String {
    path.strip_prefix("./")
        .unwrap_or(path)
        .display()
        .to_string()
}

/// Scans one file or stream in chunks cut at line ends; skips it when its start holds a NUL.
fn scan_reader(
    scanner: &Scanner,
    path: &str,
    mut reader: impl Read,
    out: &mut Output<'_>,
) -> Result<(), BoxError> {
    let mut buffer: Vec<u8> = Vec::new();
    let mut lines_before = 0;
    let mut first = true;
    loop {
        // Appends up to a chunk into spare capacity: nothing is zeroed first, and a small file
        // is read at its own size.
        let read = (&mut reader).take(CHUNK as u64).read_to_end(&mut buffer)?;
        let end_of_input = read < CHUNK;
        if first {
            first = false;
            let probe = &buffer[..buffer.len().min(BINARY_PROBE)];
            if memchr::memchr(0, probe).is_some() {
                return Ok(());
            }
            out.scanned += 1;
        }
        let cut = if end_of_input {
            buffer.len()
        } else {
            match memchr::memrchr(b'\n', &buffer) {
                Some(newline) => newline + 1,
                None if buffer.len() >= LONGEST_LINE => buffer.len(),
                None => continue,
            }
        };
        let chunk = &buffer[..cut];
        let mut locator = Locator::default();
        let specs = scanner.specs();
        let mut failed = None;
        scanner.scan(chunk, |hit| {
            if failed.is_some() {
                return;
            }
            let (line, col) = locator.locate(chunk, hit.start);
            let found = Found {
                path,
                line: lines_before + line,
                column: col,
                end_column: col + column(&chunk[hit.start..hit.end]) - 1,
                spec: &specs[hit.detector],
                excerpt: excerpt(&chunk[hit.start..hit.end]),
            };
            if let Err(error) = out.add(&found) {
                failed = Some(error);
            }
        });
        if let Some(error) = failed {
            return Err(error.into());
        }
        lines_before += memchr::memchr_iter(b'\n', chunk).count();
        buffer.drain(..cut);
        if end_of_input {
            return Ok(());
        }
    }
}

/// Where findings go: straight out (text, JSON lines) or gathered for one SARIF document.
struct Output<'a> {
    format: Format,
    scanner: &'a Scanner,
    out: BufWriter<io::StdoutLock<'static>>,
    sarif: Vec<serde_json::Value>,
    findings: usize,
    prohibited: usize,
    /// Files (and streams) read, and those with findings.
    scanned: usize,
    files: std::collections::BTreeSet<String>,
}

impl<'a> Output<'a> {
    fn new(format: Format, scanner: &'a Scanner) -> Self {
        Self {
            format,
            scanner,
            out: BufWriter::with_capacity(64 << 10, io::stdout().lock()),
            sarif: vec![],
            findings: 0,
            prohibited: 0,
            scanned: 0,
            files: Default::default(),
        }
    }

    fn add(&mut self, found: &Found<'_>) -> io::Result<()> {
        self.findings += 1;
        self.prohibited += usize::from(found.spec.prohibited);
        if !self.files.contains(found.path) {
            self.files.insert(found.path.to_owned());
        }
        let builtin = (found.spec.kind == DetectorKind::Builtin).then_some(&found.spec.pattern);
        match self.format {
            Format::Text => writeln!(
                self.out,
                "{}:{}:{}: {} ({}) {}{}",
                found.path,
                found.line,
                found.column,
                found.spec.class_name,
                found.spec.name,
                found.excerpt,
                if found.spec.prohibited {
                    " [prohibited]"
                } else {
                    ""
                }
            ),
            Format::Jsonl => {
                let line = json!({
                    "path": found.path,
                    "line": found.line,
                    "column": found.column,
                    "end_column": found.end_column,
                    "class": found.spec.class,
                    "class_name": found.spec.class_name,
                    "detector": builtin.unwrap_or(&found.spec.id),
                    "detector_name": found.spec.name,
                    "excerpt": found.excerpt,
                    "prohibited": found.spec.prohibited,
                });
                writeln!(self.out, "{line}")
            }
            Format::Sarif => {
                self.sarif.push(json!({
                    "ruleId": found.spec.id,
                    "level": if found.spec.prohibited { "error" } else { "warning" },
                    "message": { "text": format!("{} ({}): {}", found.spec.class_name, found.spec.name, found.excerpt) },
                    "locations": [{
                        "physicalLocation": {
                            "artifactLocation": { "uri": found.path },
                            "region": {
                                "startLine": found.line,
                                "startColumn": found.column,
                                "endColumn": found.end_column,
                            }
                        }
                    }],
                }));
                Ok(())
            }
        }
    }

    /// Writes what is left and the summary; returns how many findings were prohibited.
    fn finish(mut self) -> Result<usize, BoxError> {
        if self.format == Format::Sarif {
            let rules: Vec<_> = self
                .scanner
                .specs()
                .iter()
                .map(|spec| {
                    json!({
                        "id": spec.id,
                        "name": spec.name,
                        "shortDescription": { "text": format!("{}: {}", spec.class_name, spec.name) },
                        "properties": { "data_class": spec.class, "prohibited": spec.prohibited },
                    })
                })
                .collect();
            let document = json!({
                "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
                "version": "2.1.0",
                "runs": [{
                    "tool": { "driver": {
                        "name": "ai-governance-portal scan",
                        "version": env!("CARGO_PKG_VERSION"),
                        "rules": rules,
                    }},
                    "columnKind": "unicodeCodePoints",
                    "results": self.sarif,
                }],
            });
            serde_json::to_writer_pretty(&mut self.out, &document)?;
            writeln!(self.out)?;
        }
        self.out.flush()?;
        if self.format == Format::Text {
            let plural = |n: usize| if n == 1 { "" } else { "s" };
            eprintln!(
                "{} finding{} in {} of {} file{} scanned, {} of a prohibited class.",
                self.findings,
                plural(self.findings),
                self.files.len(),
                self.scanned,
                plural(self.scanned),
                self.prohibited
            );
        }
        Ok(self.prohibited)
    }
}
