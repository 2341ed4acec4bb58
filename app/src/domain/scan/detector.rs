//! A detector as people edit it and as rules carry it: which data class it finds, how (a regular
//! expression, keywords, or a built-in detector with validation) and the examples it must and
//! must not match. The form's rules that need no compiler live here; compiling and running the
//! examples is `engine::check_detector`'s.

use serde::{Deserialize, Serialize};

use crate::domain::form::{required_text, text};
use crate::error::AppError;

/// How a detector finds its data.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub enum DetectorKind {
    Regex,
    Keywords,
    Builtin,
}

impl DetectorKind {
    pub const ALL: [DetectorKind; 3] = [Self::Builtin, Self::Keywords, Self::Regex];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Regex => "regex",
            Self::Keywords => "keywords",
            Self::Builtin => "builtin",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Regex => "Regular expression",
            Self::Keywords => "Keywords or phrases",
            Self::Builtin => "Built-in detector",
        }
    }

    pub fn parse(input: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == input.trim())
    }
}

/// One detector as the scanner runs it (`GET /api/v1/scan/rules` serves a list of these).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct DetectorSpec {
    pub id: String,
    pub name: String,
    /// The data class's slug.
    pub class: String,
    pub class_name: String,
    /// Whether the class is prohibited by default: a finding makes `server scan` exit 1.
    pub prohibited: bool,
    pub kind: DetectorKind,
    /// The regular expression, or the built-in detector's slug; empty for keywords.
    #[serde(default)]
    pub pattern: String,
    #[serde(default)]
    pub keywords: Vec<String>,
    #[serde(default)]
    pub case_sensitive: bool,
}

/// The most keywords one detector holds, and examples of each sort.
pub const MAX_KEYWORDS: usize = 500;
pub const MAX_EXAMPLES: usize = 20;
/// The longest regular expression accepted.
pub const MAX_PATTERN: usize = 2000;

/// The form as submitted. `pattern` is the regular expression, `keywords` one per line,
/// `builtin` the built-in detector's slug; the one `kind` names is used. Examples are one per
/// line.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct DetectorForm {
    pub name: String,
    pub kind: String,
    pub pattern: String,
    pub keywords: String,
    pub builtin: String,
    pub case_sensitive: Option<String>,
    pub must_match: String,
    pub must_not_match: String,
}

/// A detector that passed the form's rules (not yet compiled).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidDetector {
    pub name: String,
    pub kind: DetectorKind,
    /// The regular expression, the built-in's slug, or the keywords one per line.
    pub pattern: String,
    pub keywords: Vec<String>,
    pub case_sensitive: bool,
    pub must_match: Vec<String>,
    pub must_not_match: Vec<String>,
}

fn examples(field: &str, input: &str) -> Result<Vec<String>, AppError> {
    let input = text(field, input, 20_000, true)?;
    let lines: Vec<String> = input
        .lines()
        .map(str::trim)
        .filter(|line| !line.is_empty())
        .map(str::to_owned)
        .collect();
    if lines.is_empty() {
        return Err(AppError::invalid(field, "needs at least one example"));
    }
    if lines.len() > MAX_EXAMPLES {
        return Err(AppError::invalid(
            field,
            format!("holds at most {MAX_EXAMPLES} examples"),
        ));
    }
    if let Some(long) = lines.iter().position(|line| line.chars().count() > 500) {
        return Err(AppError::invalid(
            field,
            format!("example {} is longer than 500 characters", long + 1),
        ));
    }
    Ok(lines)
}

impl DetectorForm {
    pub fn validate(&self) -> Result<ValidDetector, AppError> {
        let name = required_text("name", &self.name, 120)?;
        let kind = DetectorKind::parse(&self.kind)
            .ok_or_else(|| AppError::invalid("kind", "must be builtin, keywords or regex"))?;
        let case_sensitive =
            crate::domain::form::checkbox("case_sensitive", self.case_sensitive.as_deref())?;
        let (pattern, keywords) = match kind {
            DetectorKind::Regex => {
                let pattern = required_text("pattern", &self.pattern, MAX_PATTERN)?;
                (pattern, vec![])
            }
            DetectorKind::Builtin => {
                let builtin = required_text("builtin", &self.builtin, 64)?;
                (builtin, vec![])
            }
            DetectorKind::Keywords => {
                let input = text("keywords", &self.keywords, 50_000, true)?;
                let mut keywords: Vec<String> = input
                    .lines()
                    .map(str::trim)
                    .filter(|line| !line.is_empty())
                    .map(str::to_owned)
                    .collect();
                keywords.dedup();
                if keywords.is_empty() {
                    return Err(AppError::invalid("keywords", "needs at least one keyword"));
                }
                if keywords.len() > MAX_KEYWORDS {
                    return Err(AppError::invalid(
                        "keywords",
                        format!("holds at most {MAX_KEYWORDS} keywords"),
                    ));
                }
                if let Some(short) = keywords.iter().find(|k| k.chars().count() < 3) {
                    return Err(AppError::invalid(
                        "keywords",
                        format!("“{short}” is too short: keywords have at least 3 characters"),
                    ));
                }
                if let Some(long) = keywords.iter().find(|k| k.chars().count() > 200) {
                    return Err(AppError::invalid(
                        "keywords",
                        format!(
                            "“{}…” is too long: keywords have at most 200 characters",
                            long.chars().take(20).collect::<String>()
                        ),
                    ));
                }
                (String::new(), keywords)
            }
        };
        Ok(ValidDetector {
            name,
            kind,
            pattern,
            keywords,
            case_sensitive,
            must_match: examples("must_match", &self.must_match)?,
            must_not_match: examples("must_not_match", &self.must_not_match)?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form() -> DetectorForm {
        DetectorForm {
            name: "Project code names".into(),
            kind: "keywords".into(),
            keywords: "Falcon\n\nOsprey\n".into(),
            must_match: "the Falcon launch".into(),
            must_not_match: "a falconry club".into(),
            ..DetectorForm::default()
        }
    }

    #[test]
    fn a_keyword_detector_keeps_its_non_empty_lines() {
        let valid = form().validate().unwrap();
        assert_eq!(valid.keywords, ["Falcon", "Osprey"]);
        assert_eq!(valid.kind, DetectorKind::Keywords);
        assert!(!valid.case_sensitive);
    }

    #[test]
    fn each_rule_names_its_field() {
        type Breaks = fn(&mut DetectorForm);
        let cases: [(&str, Breaks); 7] = [
            ("name", |f| f.name = " ".into()),
            ("kind", |f| f.kind = "magic".into()),
            ("keywords", |f| f.keywords = "\n \n".into()),
            ("keywords", |f| f.keywords = "ab".into()),
            ("pattern", |f| f.kind = "regex".into()),
            ("must_match", |f| f.must_match = String::new()),
            ("must_not_match", |f| f.must_not_match = "x\n".repeat(21)),
        ];
        for (field, breaks) in cases {
            let mut broken = form();
            breaks(&mut broken);
            let error = broken.validate().unwrap_err();
            assert_eq!(error.field(), Some(field), "{error:?}");
        }
    }
}
