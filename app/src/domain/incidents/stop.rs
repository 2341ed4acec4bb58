//! The kill switch as a reviewer submits it: which tool, why, what to use instead, under which
//! incident, signed with a fresh code.

use serde::{Deserialize, Serialize};

use crate::domain::form::{required_text, text};
use crate::domain::TotpCode;
use crate::error::AppError;

/// The form as submitted (`stop[tool]`, …).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct StopForm {
    /// The tool's slug.
    pub tool: String,
    /// The incident's number; empty when stopped from the tool page without one.
    pub incident: String,
    pub reason: String,
    /// What people use instead; empty keeps the tool's rollback plan.
    pub instead: String,
    /// A fresh code from the reviewer's authenticator app.
    pub code: String,
}

/// A kill switch that passed every rule that needs no database.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidStop {
    pub tool: String,
    pub incident: Option<i64>,
    pub reason: String,
    pub instead: String,
    pub code: TotpCode,
}

impl StopForm {
    pub fn validate(&self) -> Result<ValidStop, AppError> {
        let tool = required_text("tool", &self.tool, 100)?;
        let incident = match self.incident.trim() {
            "" => None,
            n => Some(
                n.parse::<i64>()
                    .ok()
                    .filter(|n| *n > 0)
                    .ok_or_else(|| AppError::invalid("incident", "must be an incident number"))?,
            ),
        };
        let reason = text("reason", &self.reason, 2000, true)?;
        if reason.is_empty() {
            return Err(AppError::invalid(
                "reason",
                "say why: everyone who uses the tool reads it",
            ));
        }
        let instead = text("instead", &self.instead, 4000, true)?;
        let code = TotpCode::parse(&self.code).map_err(|m| AppError::invalid("code", m))?;
        Ok(ValidStop {
            tool,
            incident,
            reason,
            instead,
            code,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_stop_needs_a_tool_a_reason_and_a_code() {
        let form = StopForm {
            tool: "cursor".into(),
            incident: "3".into(),
            reason: "Malicious package published under its name".into(),
            instead: String::new(),
            code: "123 456".into(),
        };
        let valid = form.validate().expect("valid");
        assert_eq!(valid.incident, Some(3));
        type Change = fn(&mut StopForm);
        let cases: [(&str, Change); 5] = [
            ("tool", |f| f.tool = " ".into()),
            ("incident", |f| f.incident = "three".into()),
            ("incident", |f| f.incident = "-1".into()),
            ("reason", |f| f.reason = String::new()),
            ("code", |f| f.code = "12".into()),
        ];
        for (field, change) in cases {
            let mut bad = form.clone();
            change(&mut bad);
            assert_eq!(
                bad.validate().expect_err("refused").field(),
                Some(field),
                "{bad:?}"
            );
        }
    }
}
