//! What a reviewer submits to decide on a request, and the rules it must meet before the
//! decision is attempted. Whether the code is right is the backend's check.

use serde::{Deserialize, Serialize};

use super::state::Decision;
use crate::domain::form::text;
use crate::domain::{Day, TotpCode};
use crate::error::AppError;

/// The decision form as submitted (`decision[decision]`, …).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct DecisionForm {
    /// `approve`, `approve_with_conditions` or `reject`.
    pub decision: String,
    pub rationale: String,
    /// Required when approving with conditions.
    pub conditions: String,
    /// `YYYY-MM-DD`; empty: twelve months from today.
    pub next_review: String,
    /// SHA-256 of the request as the reviewer read it (the request page carries it), so a
    /// decision never lands on a version nobody reviewed.
    pub version: String,
    /// A fresh code from the reviewer's authenticator app.
    pub code: String,
}

/// A decision that passed every rule that needs no database.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidDecision {
    pub decision: Decision,
    pub rationale: String,
    pub conditions: String,
    /// `None` for a rejection.
    pub next_review: Option<Day>,
    pub version: String,
    pub code: TotpCode,
}

/// How long an approval lasts unless the reviewer sets another review date.
pub const REVIEW_AFTER_MONTHS: u32 = 12;

impl DecisionForm {
    pub fn validate(&self, today: Day) -> Result<ValidDecision, AppError> {
        let decision =
            Decision::parse(self.decision.trim()).map_err(|m| AppError::invalid("decision", m))?;
        let rationale = text("rationale", &self.rationale, 4000, true)?;
        if rationale.is_empty() {
            return Err(AppError::invalid(
                "rationale",
                "say why: the receipt records it with your decision",
            ));
        }
        let conditions = text("conditions", &self.conditions, 4000, true)?;
        if decision == Decision::ApproveWithConditions && conditions.is_empty() {
            return Err(AppError::invalid(
                "conditions",
                "name the conditions of use, or approve without conditions",
            ));
        }
        let conditions = if decision == Decision::Reject {
            String::new()
        } else {
            conditions
        };
        let next_review = match (decision, self.next_review.trim()) {
            (Decision::Reject, _) => None,
            (_, "") => Some(today.plus_months(REVIEW_AFTER_MONTHS)),
            (_, day) => {
                let day = Day::parse(day).map_err(|m| AppError::invalid("next_review", m))?;
                if day <= today {
                    return Err(AppError::invalid(
                        "next_review",
                        "must be a day after today",
                    ));
                }
                Some(day)
            }
        };
        let version = self.version.trim();
        if version.len() != 64
            || !version
                .bytes()
                .all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
        {
            return Err(AppError::invalid(
                "version",
                "is missing: reload the request and decide again",
            ));
        }
        let code = TotpCode::parse(&self.code).map_err(|m| AppError::invalid("code", m))?;
        Ok(ValidDecision {
            decision,
            rationale,
            conditions,
            next_review,
            version: version.to_owned(),
            code,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> Day {
        Day::parse("2026-11-25").expect("day")
    }

    fn form() -> DecisionForm {
        DecisionForm {
            decision: "approve".into(),
            rationale: "Pinned and checksummed.".into(),
            conditions: String::new(),
            next_review: String::new(),
            version: "ab".repeat(32),
            code: "123 456".into(),
        }
    }

    fn field_of(form: &DecisionForm) -> String {
        form.validate(today())
            .expect_err("invalid")
            .field()
            .unwrap_or_default()
            .to_owned()
    }

    #[test]
    fn an_approval_gets_a_review_in_twelve_months_by_default() {
        let valid = form().validate(today()).expect("valid");
        assert_eq!(valid.decision, Decision::Approve);
        assert_eq!(valid.next_review, Day::parse("2027-11-25").ok());
        assert_eq!(valid.code.expose(), "123456");
    }

    #[test]
    fn a_chosen_review_date_must_lie_ahead() {
        let mut chosen = form();
        chosen.next_review = "2027-03-01".into();
        assert_eq!(
            chosen.validate(today()).expect("valid").next_review,
            Day::parse("2027-03-01").ok()
        );
        chosen.next_review = "2026-11-25".into();
        assert_eq!(field_of(&chosen), "next_review");
        chosen.next_review = "next year".into();
        assert_eq!(field_of(&chosen), "next_review");
    }

    #[test]
    fn conditions_are_required_only_for_a_conditional_approval_and_dropped_on_rejection() {
        let mut conditional = form();
        conditional.decision = "approve_with_conditions".into();
        assert_eq!(field_of(&conditional), "conditions");
        conditional.conditions = "Project directory only.".into();
        assert!(conditional.validate(today()).is_ok());
        let mut rejection = conditional.clone();
        rejection.decision = "reject".into();
        let valid = rejection.validate(today()).expect("valid");
        assert_eq!(valid.conditions, "");
        assert_eq!(valid.next_review, None);
    }

    #[test]
    fn each_bad_field_is_named() {
        type Spoil = fn(&mut DecisionForm);
        let cases: [(&str, Spoil); 6] = [
            ("decision", |f| f.decision = "maybe".into()),
            ("rationale", |f| f.rationale = "  ".into()),
            ("rationale", |f| f.rationale = "x".repeat(4001)),
            ("version", |f| f.version = "AB".repeat(32)),
            ("code", |f| f.code = "12345".into()),
            ("code", |f| f.code = String::new()),
        ];
        for (field, spoil) in cases {
            let mut bad = form();
            spoil(&mut bad);
            assert_eq!(field_of(&bad), field);
        }
    }
}
