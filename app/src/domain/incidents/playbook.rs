//! A playbook: what to do, in order, when an incident of its kind is reported, and who tells
//! whom, when and how. Admins edit it as lines of text so the form works without JavaScript;
//! each saved edit is a new version.

use serde::{Deserialize, Serialize};

use super::IncidentKind;
use crate::domain::form::text;
use crate::error::AppError;

/// One step of a playbook, and of an incident's checklist.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct PlaybookStep {
    pub what: String,
    pub who: String,
}

/// One communication channel: who notifies whom, when, and how.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Channel {
    pub who: String,
    pub whom: String,
    pub when: String,
    pub how: String,
}

/// The most steps and channels a playbook holds.
pub const MAX_STEPS: usize = 30;
pub const MAX_CHANNELS: usize = 20;

/// The form as submitted (`playbook[steps]`, …): one step per line as `what | who`, one
/// channel per line as `who | whom | when | how`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct PlaybookForm {
    pub kind: String,
    pub steps: String,
    pub channels: String,
    /// Why this version.
    pub note: String,
}

/// A playbook that passed every rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidPlaybook {
    pub kind: IncidentKind,
    pub steps: Vec<PlaybookStep>,
    pub channels: Vec<Channel>,
    pub note: String,
}

/// The lines of `field`, each cut at `|` into exactly `parts` non-empty parts of at most `max`
/// characters.
fn lines(
    field: &str,
    input: &str,
    shape: &str,
    max: &[usize],
) -> Result<Vec<Vec<String>>, AppError> {
    let input = text(field, input, 20_000, true)?;
    let mut out = vec![];
    for (number, line) in input.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let parts: Vec<String> = line.split('|').map(|p| p.trim().to_owned()).collect();
        if parts.len() != max.len() || parts.iter().any(String::is_empty) {
            return Err(AppError::invalid(
                field,
                format!("line {} must read “{shape}”", number + 1),
            ));
        }
        if let Some((_, limit)) = parts.iter().zip(max).find(|(p, m)| p.chars().count() > **m) {
            return Err(AppError::invalid(
                field,
                format!(
                    "line {}: each part is at most {limit} characters",
                    number + 1
                ),
            ));
        }
        out.push(parts);
    }
    Ok(out)
}

impl PlaybookForm {
    pub fn validate(&self) -> Result<ValidPlaybook, AppError> {
        let kind =
            IncidentKind::parse(self.kind.trim()).map_err(|m| AppError::invalid("kind", m))?;
        let steps: Vec<PlaybookStep> = lines(
            "steps",
            &self.steps,
            "what to do | who does it",
            &[300, 100],
        )?
        .into_iter()
        .map(|mut p| PlaybookStep {
            who: p.pop().unwrap_or_default(),
            what: p.pop().unwrap_or_default(),
        })
        .collect();
        if steps.is_empty() {
            return Err(AppError::invalid(
                "steps",
                "a playbook needs at least one step",
            ));
        }
        if steps.len() > MAX_STEPS {
            return Err(AppError::invalid(
                "steps",
                format!("at most {MAX_STEPS} steps"),
            ));
        }
        let channels: Vec<Channel> = lines(
            "channels",
            &self.channels,
            "who | whom | when | how",
            &[100, 200, 100, 200],
        )?
        .into_iter()
        .map(|p| {
            let mut p = p.into_iter();
            let mut next = || p.next().unwrap_or_default();
            Channel {
                who: next(),
                whom: next(),
                when: next(),
                how: next(),
            }
        })
        .collect();
        if channels.len() > MAX_CHANNELS {
            return Err(AppError::invalid(
                "channels",
                format!("at most {MAX_CHANNELS} channels"),
            ));
        }
        let note = text("note", &self.note, 2000, true)?;
        Ok(ValidPlaybook {
            kind,
            steps,
            channels,
            note,
        })
    }

    /// The form that shows `steps` and `channels` for editing.
    pub fn of(kind: IncidentKind, steps: &[PlaybookStep], channels: &[Channel]) -> Self {
        Self {
            kind: kind.as_str().to_owned(),
            steps: steps
                .iter()
                .map(|s| format!("{} | {}", s.what, s.who))
                .collect::<Vec<_>>()
                .join("\n"),
            channels: channels
                .iter()
                .map(|c| format!("{} | {} | {} | {}", c.who, c.whom, c.when, c.how))
                .collect::<Vec<_>>()
                .join("\n"),
            note: String::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Breaks one rule of a valid form.
    type Breaks = fn(&mut PlaybookForm);

    fn form() -> PlaybookForm {
        PlaybookForm {
            kind: "malicious_package".into(),
            steps: "Block the package | Platform team\n\n  Rotate credentials |IT operations "
                .into(),
            channels: "Owner | Developers | Within 1 hour | Team chat".into(),
            note: "After the exercise".into(),
        }
    }

    #[test]
    fn lines_become_steps_and_channels_and_round_trip() {
        let valid = form().validate().expect("valid");
        assert_eq!(
            valid.steps,
            vec![
                PlaybookStep {
                    what: "Block the package".into(),
                    who: "Platform team".into()
                },
                PlaybookStep {
                    what: "Rotate credentials".into(),
                    who: "IT operations".into()
                },
            ]
        );
        assert_eq!(valid.channels[0].how, "Team chat");
        let again = PlaybookForm::of(valid.kind, &valid.steps, &valid.channels);
        let revalid = PlaybookForm {
            note: valid.note.clone(),
            ..again
        }
        .validate()
        .expect("valid");
        assert_eq!(revalid, valid);
    }

    #[test]
    fn each_broken_rule_names_its_field_and_line() {
        let cases: [(&str, &str, Breaks); 6] = [
            ("kind", "", |f| f.kind = "fire".into()),
            ("steps", "at least one", |f| f.steps = " \n ".into()),
            ("steps", "line 2", |f| f.steps = "A | B\nNo owner".into()),
            ("steps", "line 1", |f| {
                f.steps = format!("{} | B", "x".repeat(301))
            }),
            ("channels", "line 1", |f| {
                f.channels = "Owner | Developers | Now".into()
            }),
            ("note", "", |f| f.note = "n".repeat(2001)),
        ];
        for (field, says, breaks) in cases {
            let mut broken = form();
            breaks(&mut broken);
            let error = broken.validate().expect_err(field);
            assert_eq!(error.field(), Some(field), "{field}");
            assert!(error.to_string().contains(says), "{field}: {error}");
        }
        let many = PlaybookForm {
            steps: "Do | Someone\n".repeat(MAX_STEPS + 1),
            ..form()
        };
        assert_eq!(
            many.validate().expect_err("too many").field(),
            Some("steps")
        );
    }
}
