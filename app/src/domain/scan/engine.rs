//! The scanner: every detector of the organization compiled into one multi-pattern regular
//! expression, so a text is read once whatever the number of detectors. A candidate is reported
//! when its detector's check passes; when it fails, the other detectors are tried anchored at
//! the same place (a Thai ID number is not lost to a card-number candidate that failed Luhn),
//! and the search goes on one byte further. The page, the API and the CLI all scan through here.

use regex_automata::meta::{self, Regex};
use regex_automata::{Anchored, Input, MatchKind, PatternID, PatternSet};

use super::builtins::Builtin;
use super::detector::{DetectorKind, DetectorSpec, ValidDetector};
use crate::error::AppError;

/// Compile limits: a hostile pattern cannot make the server build a huge automaton.
const NFA_LIMIT: usize = 4 << 20;
const DFA_LIMIT: usize = 8 << 20;
const NEST_LIMIT: u32 = 64;
const HYBRID_CACHE: usize = 32 << 20;
/// The longest text a reviewer's regular expression may match, in bytes.
pub const MAX_MATCH: usize = 1024;

/// Something found: which detector (an index into the rules), and where (byte offsets).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Hit {
    pub detector: usize,
    pub start: usize,
    pub end: usize,
}

/// A set of detectors, compiled.
#[derive(Debug)]
pub struct Scanner {
    regex: Regex,
    /// The same patterns with every match reported: which detectors match at a place, asked
    /// once where a candidate was rejected (rather than one search per detector).
    every: Regex,
    specs: Vec<DetectorSpec>,
    builtins: Vec<Option<Builtin>>,
}

/// The regular expression a detector contributes (what `rg` is given in the benchmark).
pub fn pattern_of(spec: &DetectorSpec) -> Result<String, String> {
    match spec.kind {
        DetectorKind::Regex => Ok(spec.pattern.clone()),
        DetectorKind::Builtin => Builtin::parse(&spec.pattern)
            .map(Builtin::pattern)
            .ok_or_else(|| format!("“{}” is not a built-in detector", spec.pattern)),
        DetectorKind::Keywords => Ok(keywords_pattern(&spec.keywords, spec.case_sensitive)),
    }
}

/// Keywords as one alternation, each matched as a whole word where it starts or ends with a
/// letter or digit.
fn keywords_pattern(keywords: &[String], case_sensitive: bool) -> String {
    let word = |c: Option<char>| c.is_some_and(|c| c.is_ascii_alphanumeric() || c == '_');
    let alternatives: Vec<String> = keywords
        .iter()
        .map(|keyword| {
            let escaped = regex_syntax::escape(keyword);
            let before = if word(keyword.chars().next()) {
                r"(?-u:\b)"
            } else {
                ""
            };
            let after = if word(keyword.chars().last()) {
                r"(?-u:\b)"
            } else {
                ""
            };
            format!("{before}{escaped}{after}")
        })
        .collect();
    let flags = if case_sensitive { "" } else { "(?i)" };
    format!("{flags}(?:{})", alternatives.join("|"))
}

fn builder() -> meta::Builder {
    builder_of(MatchKind::LeftmostFirst)
}

fn builder_of(kind: MatchKind) -> meta::Builder {
    let mut builder = Regex::builder();
    builder
        .configure(
            Regex::config()
                .match_kind(kind)
                .nfa_size_limit(Some(NFA_LIMIT))
                .dfa_size_limit(Some(DFA_LIMIT))
                // Room for the lazy DFA of every detector at once: with the default 2 MB it
                // is cleared over and over on a large input and the search falls back to the
                // (much slower) PikeVM.
                .hybrid_cache_capacity(HYBRID_CACHE),
        )
        .syntax(regex_automata::util::syntax::Config::new().nest_limit(NEST_LIMIT));
    builder
}

/// A regular expression a reviewer wrote: it must compile within the limits and must not match
/// an empty text (it would report every position of every input). The error is the reason.
pub fn check_regex(pattern: &str) -> Result<(), String> {
    let hir = regex_syntax::ParserBuilder::new()
        .nest_limit(NEST_LIMIT)
        .build()
        .parse(pattern)
        .map_err(|error| first_line(&error.to_string()))?;
    match hir.properties().minimum_len() {
        None => return Err("can never match anything".to_owned()),
        Some(0) => return Err("can match an empty text: it would report everything".to_owned()),
        Some(_) => {}
    }
    // A finding hides whatever it spans: an unbounded pattern (`.+`) could swallow a whole
    // text and every other finding in it.
    if hir
        .properties()
        .maximum_len()
        .is_none_or(|len| len > MAX_MATCH)
    {
        return Err(format!(
            "can match more than {MAX_MATCH} characters: bound its repetitions (e.g. {{1,64}} instead of +)"
        ));
    }
    builder()
        .build(pattern)
        .map(drop)
        .map_err(|error| first_line(&error.to_string()))
}

/// Compile errors span lines (the pattern with a caret under the fault); the message is the last.
fn first_line(error: &str) -> String {
    let message = error
        .lines()
        .rev()
        .find(|line| line.trim_start().starts_with("error:"))
        .map_or(error, |line| {
            line.trim_start().trim_start_matches("error:").trim()
        });
    format!("does not compile: {message}")
}

impl Scanner {
    /// Compiles every detector into one pass. An error names the detector that broke it.
    pub fn new(specs: Vec<DetectorSpec>) -> Result<Self, String> {
        let mut patterns = Vec::with_capacity(specs.len());
        let mut builtins = Vec::with_capacity(specs.len());
        for spec in &specs {
            patterns.push(pattern_of(spec).map_err(|e| format!("{}: {e}", spec.name))?);
            builtins.push(match spec.kind {
                DetectorKind::Builtin => Builtin::parse(&spec.pattern),
                _ => None,
            });
        }
        let regex = builder()
            .build_many(&patterns)
            .map_err(|error| format!("the detectors do not compile together: {error}"))?;
        let every = builder_of(MatchKind::All)
            .build_many(&patterns)
            .map_err(|error| format!("the detectors do not compile together: {error}"))?;
        Ok(Self {
            regex,
            every,
            specs,
            builtins,
        })
    }

    pub fn specs(&self) -> &[DetectorSpec] {
        &self.specs
    }

    fn accepts(&self, detector: usize, text: &[u8]) -> bool {
        match self.builtins.get(detector).copied().flatten() {
            // Built-in patterns match ASCII only.
            Some(builtin) => std::str::from_utf8(text).is_ok_and(|text| builtin.validate(text)),
            None => true,
        }
    }

    /// Calls `found` for every finding in `haystack`, in order.
    pub fn scan(&self, haystack: &[u8], mut found: impl FnMut(Hit)) {
        let mut at = 0;
        while at <= haystack.len() {
            let Some(candidate) = self.regex.search(&Input::new(haystack).range(at..)) else {
                return;
            };
            let (start, end) = (candidate.start(), candidate.end());
            let first = candidate.pattern().as_usize();
            if self.accepts(first, &haystack[start..end]) {
                found(Hit {
                    detector: first,
                    start,
                    end,
                });
                at = end.max(start + 1);
                continue;
            }
            let mut matching = PatternSet::new(self.every.pattern_len());
            self.every.which_overlapping_matches(
                &Input::new(haystack).range(start..).anchored(Anchored::Yes),
                &mut matching,
            );
            let other = matching
                .iter()
                .map(|pattern| pattern.as_usize())
                .filter(|d| *d != first)
                .find_map(|d| {
                    let input = Input::new(haystack)
                        .range(start..)
                        .anchored(Anchored::Pattern(PatternID::new(d).ok()?));
                    let m = self.regex.search(&input)?;
                    self.accepts(d, &haystack[m.start()..m.end()])
                        .then_some(Hit {
                            detector: d,
                            start: m.start(),
                            end: m.end(),
                        })
                });
            match other {
                Some(hit) => {
                    found(hit);
                    at = hit.end.max(start + 1);
                }
                None if self
                    .builtins
                    .get(first)
                    .copied()
                    .flatten()
                    .is_some_and(Builtin::rejection_covers_candidate) =>
                {
                    at = end.max(start + 1);
                }
                None => at = start + 1,
            }
        }
    }

    /// Every finding of `haystack`.
    pub fn hits(&self, haystack: &[u8]) -> Vec<Hit> {
        let mut hits = vec![];
        self.scan(haystack, |hit| hits.push(hit));
        hits
    }
}

/// The field of the form that holds what a detector of `kind` looks for.
pub fn pattern_field(kind: DetectorKind) -> &'static str {
    match kind {
        DetectorKind::Regex => "pattern",
        DetectorKind::Keywords => "keywords",
        DetectorKind::Builtin => "builtin",
    }
}

/// A detector as the scanner runs it, before it has an id or a class.
pub fn spec_of(detector: &ValidDetector) -> DetectorSpec {
    DetectorSpec {
        id: String::new(),
        name: detector.name.clone(),
        class: String::new(),
        class_name: String::new(),
        prohibited: false,
        kind: detector.kind,
        pattern: detector.pattern.clone(),
        keywords: detector.keywords.clone(),
        case_sensitive: detector.case_sensitive,
    }
}

/// A detector's own examples: each of `must_match` holds a finding of it, none of
/// `must_not_match` does. Compiles it as a reviewer saves it; the error names the field.
pub fn check_detector(detector: &ValidDetector) -> Result<(), AppError> {
    let field = pattern_field(detector.kind);
    match detector.kind {
        DetectorKind::Regex => {
            check_regex(&detector.pattern).map_err(|message| AppError::invalid(field, message))?
        }
        DetectorKind::Builtin if Builtin::parse(&detector.pattern).is_none() => {
            return Err(AppError::invalid(field, "is not a built-in detector"));
        }
        _ => {}
    }
    let spec = spec_of(detector);
    let scanner = Scanner::new(vec![spec]).map_err(|message| AppError::invalid(field, message))?;
    if let Some(missed) = detector
        .must_match
        .iter()
        .position(|example| scanner.hits(example.as_bytes()).is_empty())
    {
        return Err(AppError::invalid(
            "must_match",
            format!("example {} is not found by this detector", missed + 1),
        ));
    }
    if let Some(found) = detector
        .must_not_match
        .iter()
        .position(|example| !scanner.hits(example.as_bytes()).is_empty())
    {
        return Err(AppError::invalid(
            "must_not_match",
            format!("example {} is found by this detector", found + 1),
        ));
    }
    Ok(())
}

/// Line and column (1-based; the column in characters) of byte offsets visited in order, so a
/// large input's lines are counted once.
#[derive(Debug, Default)]
pub struct Locator {
    offset: usize,
    line: usize,
    line_start: usize,
}

impl Locator {
    pub fn locate(&mut self, haystack: &[u8], at: usize) -> (usize, usize) {
        if at < self.offset {
            *self = Self::default();
        }
        let span = &haystack[self.offset..at];
        for newline in memchr::memchr_iter(b'\n', span) {
            self.line += 1;
            self.line_start = self.offset + newline + 1;
        }
        self.offset = at;
        (self.line + 1, column(&haystack[self.line_start..at]))
    }
}

/// The 1-based character column after `before` (bytes that start a UTF-8 character).
pub fn column(before: &[u8]) -> usize {
    before.iter().filter(|b| (**b & 0xC0) != 0x80).count() + 1
}

/// What a finding shows of what it found: the first four and last two characters
/// (`AKIA…7Q`); shorter findings keep only their first character.
pub fn excerpt(found: &[u8]) -> String {
    let text = String::from_utf8_lossy(found);
    let chars: Vec<char> = text.chars().collect();
    if chars.len() <= 8 {
        return chars.first().map(|c| format!("{c}…")).unwrap_or_default();
    }
    let head: String = chars[..4].iter().collect();
    let tail: String = chars[chars.len() - 2..].iter().collect();
    format!("{head}…{tail}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(name: &str, kind: DetectorKind, pattern: &str, keywords: &[&str]) -> DetectorSpec {
        DetectorSpec {
            id: name.into(),
            name: name.into(),
            class: "c".into(),
            class_name: "C".into(),
            prohibited: true,
            kind,
            pattern: pattern.into(),
            keywords: keywords.iter().map(|k| (*k).to_owned()).collect(),
            case_sensitive: false,
        }
    }

    fn builtins() -> Scanner {
        Scanner::new(
            Builtin::ALL
                .iter()
                .map(|b| spec(b.slug(), DetectorKind::Builtin, b.slug(), &[]))
                .collect(),
        )
        .unwrap()
    }

    fn found(scanner: &Scanner, text: &str) -> Vec<(String, String)> {
        scanner
            .hits(text.as_bytes())
            .into_iter()
            .map(|hit| {
                (
                    scanner.specs()[hit.detector].name.clone(),
                    text[hit.start..hit.end].to_owned(),
                )
            })
            .collect()
    }

    #[test]
    fn one_pass_finds_every_kind_and_skips_look_alikes() {
        let text = "deploy with AKIAIOSFODNN7EXAMPLE and card 4111 1111 1111 1111\n\
                    not a card: 4111 1111 1111 1112; id 1-1017-00230-07-4\n\
                    mail somchai.k@bank.co.th or someone@example.com, call +66 81 234 5678";
        let found = found(&builtins(), text);
        let names: Vec<&str> = found.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(
            names,
            [
                "aws-access-key-id",
                "payment-card",
                "thai-national-id",
                "email",
                "phone"
            ],
            "{found:?}"
        );
        assert_eq!(found[2].1, "1-1017-00230-07-4");
    }

    #[test]
    fn a_rejected_candidate_gives_way_to_another_detector_at_the_same_place() {
        // Thirteen digits: a Thai ID candidate first (its check digit fails), then a card
        // number at the same place (Luhn passes).
        let found = found(&builtins(), "card 4000000000006 end");
        assert_eq!(found, [("payment-card".into(), "4000000000006".into())]);
    }

    #[test]
    fn assignments_are_found_behind_a_prefix_and_placeholders_hide_nothing_else() {
        let scanner = builtins();
        for line in [
            "DB_PASSWORD=Tr0ub4dor-and-3",
            "  postgres_password: 'hunter22x'",
            "export MY_APP_API_KEY=9f8e7d6c5b4a",
        ] {
            let found = found(&scanner, line);
            assert_eq!(found.len(), 1, "{line}: {found:?}");
            assert_eq!(found[0].0, "config-password", "{line}");
        }
        // A placeholder's host is not reported as an e-mail address.
        assert!(found(&scanner, "url = postgres://app:xxxxxxxx@db.internal/app").is_empty());
        // Twelve digits are too often the tail of another number to be a card.
        assert!(found(&scanner, "ref 4111 1111 1111").is_empty());
    }

    #[test]
    fn rejected_token_shaped_runs_are_not_read_again_and_again() {
        // Each `-eyJ` would start a JWT candidate reaching to the end and failing its header
        // check: searched again one byte on, this 200 KB text took minutes (the test runner
        // stops a test after two); now the rejected candidate covers its span.
        let text = format!(
            "eyJ{}.eyJaaaaaaaa.{}",
            "-eyJ".repeat(50_000),
            "a".repeat(16)
        );
        assert!(builtins().hits(text.as_bytes()).is_empty());
    }

    #[test]
    fn keywords_match_whole_words_in_any_case_unless_told() {
        let mut falcon = spec(
            "names",
            DetectorKind::Keywords,
            "",
            &["Falcon", "acme/ledger"],
        );
        let scanner = Scanner::new(vec![falcon.clone()]).unwrap();
        assert_eq!(found(&scanner, "the FALCON plan").len(), 1);
        assert!(found(&scanner, "falconry").is_empty());
        assert_eq!(found(&scanner, "git clone acme/ledger.git").len(), 1);
        falcon.case_sensitive = true;
        let scanner = Scanner::new(vec![falcon]).unwrap();
        assert!(found(&scanner, "the FALCON plan").is_empty());
    }

    #[test]
    fn regexes_that_match_nothing_or_everything_are_refused() {
        assert!(check_regex(r"PRJ-[0-9]{4}").is_ok());
        assert!(check_regex(r"a*").unwrap_err().contains("empty"));
        assert!(check_regex(r"^").unwrap_err().contains("empty"));
        assert!(check_regex(r"(unclosed")
            .unwrap_err()
            .starts_with("does not compile"));
        // A pattern whose automaton would be huge is refused by the size limit.
        assert!(check_regex(r"\w{1000}\w{1000}\w{1000}").is_err());
    }

    #[test]
    fn a_detector_must_pass_its_own_examples() {
        let mut detector = ValidDetector {
            name: "Tickets".into(),
            kind: DetectorKind::Regex,
            pattern: r"PRJ-[0-9]{4}".into(),
            keywords: vec![],
            case_sensitive: false,
            must_match: vec!["see PRJ-1234".into()],
            must_not_match: vec!["PRJ-12".into()],
        };
        assert!(check_detector(&detector).is_ok());
        detector.must_not_match.push("PRJ-9999".into());
        assert_eq!(
            check_detector(&detector).unwrap_err().field(),
            Some("must_not_match")
        );
        detector.must_not_match.pop();
        detector.must_match.push("nothing here".into());
        assert_eq!(
            check_detector(&detector).unwrap_err().field(),
            Some("must_match")
        );
        detector.pattern = "x*".into();
        assert_eq!(
            check_detector(&detector).unwrap_err().field(),
            Some("pattern")
        );
    }

    #[test]
    fn findings_are_located_and_redacted() {
        let text = "first\nsecond line é AKIAIOSFODNN7EXAMPLE";
        let at = text.find("AKIA").unwrap();
        let mut locator = Locator::default();
        assert_eq!(locator.locate(text.as_bytes(), 2), (1, 3));
        assert_eq!(locator.locate(text.as_bytes(), at), (2, 15));
        assert_eq!(excerpt(b"AKIAIOSFODNN7EXAMPLE"), "AKIA…LE");
        assert_eq!(excerpt(b"secret"), "s…");
    }
}
