//! Tabletop exercises: a scenario from a playbook, rehearsed on a day with its participants;
//! once held, what went well and the gaps found.

use serde::{Deserialize, Serialize};

use super::IncidentKind;
use crate::domain::form::{required_text, text};
use crate::domain::Day;
use crate::error::AppError;

/// The scheduling form as submitted (`exercise[title]`, …).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ExerciseForm {
    pub title: String,
    /// The playbook rehearsed, by incident kind.
    pub kind: String,
    pub scenario: String,
    /// `YYYY-MM-DD`; a past day records an exercise already held.
    pub held_on: String,
    /// Who takes part: names and roles.
    pub participants: String,
}

/// An exercise that passed every rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidExercise {
    pub title: String,
    pub kind: IncidentKind,
    pub scenario: String,
    pub held_on: Day,
    pub participants: String,
}

impl ExerciseForm {
    /// `today` bounds the day: at most two years ahead.
    pub fn validate(&self, today: Day) -> Result<ValidExercise, AppError> {
        let title = required_text("title", &self.title, 200)?;
        let kind =
            IncidentKind::parse(self.kind.trim()).map_err(|m| AppError::invalid("kind", m))?;
        let scenario = text("scenario", &self.scenario, 8000, true)?;
        if scenario.is_empty() {
            return Err(AppError::invalid(
                "scenario",
                "describe what happens in the exercise",
            ));
        }
        let held_on =
            Day::parse(self.held_on.trim()).map_err(|m| AppError::invalid("held_on", m))?;
        if held_on > today.plus_months(24) {
            return Err(AppError::invalid(
                "held_on",
                "must be within the next two years",
            ));
        }
        let participants = text("participants", &self.participants, 4000, true)?;
        if participants.is_empty() {
            return Err(AppError::invalid(
                "participants",
                "name who takes part (people or roles)",
            ));
        }
        Ok(ValidExercise {
            title,
            kind,
            scenario,
            held_on,
            participants,
        })
    }
}

/// What an exercise showed, as submitted (`outcome[went_well]`, `outcome[gaps]`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct OutcomeForm {
    pub went_well: String,
    pub gaps: String,
}

impl OutcomeForm {
    /// (what went well, the gaps found); at least one of them.
    pub fn validate(&self) -> Result<(String, String), AppError> {
        let went_well = text("went_well", &self.went_well, 8000, true)?;
        let gaps = text("gaps", &self.gaps, 8000, true)?;
        if went_well.is_empty() && gaps.is_empty() {
            return Err(AppError::invalid(
                "went_well",
                "say what went well or which gaps were found",
            ));
        }
        Ok((went_well, gaps))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Breaks one rule of a valid form.
    type Breaks = fn(&mut ExerciseForm);

    fn today() -> Day {
        Day::parse("2026-12-06").expect("a day")
    }

    fn form() -> ExerciseForm {
        ExerciseForm {
            title: " Leaked coding assistant ".into(),
            kind: "tool_compromised".into(),
            scenario: "The vendor announces its source leaked; a fake package follows.".into(),
            held_on: "2026-11-20".into(),
            participants: "Security, Platform, two team leads".into(),
        }
    }

    #[test]
    fn an_exercise_may_be_recorded_after_the_fact_or_scheduled_ahead() {
        let valid = form().validate(today()).expect("valid");
        assert_eq!(valid.title, "Leaked coding assistant");
        assert_eq!(valid.kind, IncidentKind::ToolCompromised);
        let ahead = ExerciseForm {
            held_on: "2027-03-01".into(),
            ..form()
        };
        assert!(ahead.validate(today()).is_ok());
    }

    #[test]
    fn each_broken_rule_names_its_field() {
        let cases: [(&str, Breaks); 6] = [
            ("title", |f| f.title = " ".into()),
            ("kind", |f| f.kind = "drill".into()),
            ("scenario", |f| f.scenario = String::new()),
            ("held_on", |f| f.held_on = "soon".into()),
            ("held_on", |f| f.held_on = "2029-01-01".into()),
            ("participants", |f| f.participants = "\n".into()),
        ];
        for (field, breaks) in cases {
            let mut broken = form();
            breaks(&mut broken);
            let error = broken.validate(today()).expect_err(field);
            assert_eq!(error.field(), Some(field), "{field}");
        }
    }

    #[test]
    fn an_outcome_says_something() {
        let empty = OutcomeForm::default();
        assert_eq!(
            empty.validate().expect_err("empty").field(),
            Some("went_well")
        );
        let gaps = OutcomeForm {
            went_well: String::new(),
            gaps: "Nobody knew who calls the vendor.".into(),
        };
        assert!(gaps.validate().is_ok());
        let long = OutcomeForm {
            went_well: String::new(),
            gaps: "g".repeat(8001),
        };
        assert_eq!(long.validate().expect_err("long").field(), Some("gaps"));
    }
}
