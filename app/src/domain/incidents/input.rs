//! What people submit about an incident, and the rules it must meet before the database sees
//! it. Whether named tools, teams, classes and owners exist is the backend's check.

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use serde::{Deserialize, Serialize};

use super::status::{IncidentKind, IncidentStatus, Severity};
use crate::domain::form::{distinct, required_text, text};
use crate::domain::Day;
use crate::error::AppError;

/// A report as submitted (`incident[title]`, `incident[tools][]`, …).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct IncidentForm {
    pub title: String,
    /// An [`IncidentKind`] name.
    pub kind: String,
    /// What happened.
    pub description: String,
    /// When it happened: `YYYY-MM-DDTHH:MM` (UTC, as a `datetime-local` field sends it) or
    /// RFC 3339; empty: now.
    pub occurred_at: String,
    /// Tool slugs.
    pub tools: Vec<String>,
    /// Data class slugs that may be affected.
    pub data_classes: Vec<String>,
    /// Team slugs that may be affected.
    pub teams: Vec<String>,
}

/// A report that passed the rules.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidIncident {
    pub title: String,
    pub kind: IncidentKind,
    pub description: String,
    pub occurred_at: DateTime<Utc>,
    pub tools: Vec<String>,
    pub data_classes: Vec<String>,
    pub teams: Vec<String>,
}

/// How far ahead of the server's clock a reported time may be (clocks drift).
const CLOCK_SLACK_MINUTES: i64 = 5;

/// A time as a form or a script sends it; `None` when empty.
fn moment(field: &str, input: &str) -> Result<Option<DateTime<Utc>>, AppError> {
    let input = input.trim();
    if input.is_empty() {
        return Ok(None);
    }
    if let Ok(at) = DateTime::parse_from_rfc3339(input) {
        return Ok(Some(at.with_timezone(&Utc)));
    }
    ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"]
        .iter()
        .find_map(|format| NaiveDateTime::parse_from_str(input, format).ok())
        .or_else(|| {
            NaiveDate::parse_from_str(input, "%Y-%m-%d")
                .ok()
                .and_then(|day| day.and_hms_opt(0, 0, 0))
        })
        .map(|at| Some(at.and_utc()))
        .ok_or_else(|| {
            AppError::invalid(
                field,
                "must be a date and time such as 2026-11-24T09:30 (UTC)",
            )
        })
}

impl IncidentForm {
    pub fn validate(&self, now: DateTime<Utc>) -> Result<ValidIncident, AppError> {
        let title = required_text("title", &self.title, 200)?;
        let kind = match self.kind.trim() {
            "" => {
                return Err(AppError::invalid(
                    "kind",
                    "choose what kind of incident it is",
                ))
            }
            kind => IncidentKind::parse(kind).map_err(|m| AppError::invalid("kind", m))?,
        };
        let description = text("description", &self.description, 8000, true)?;
        if description.is_empty() {
            return Err(AppError::invalid(
                "description",
                "say what happened: what you saw, where, and what you did",
            ));
        }
        let occurred_at = moment("occurred_at", &self.occurred_at)?.unwrap_or(now);
        if occurred_at > now + chrono::Duration::minutes(CLOCK_SLACK_MINUTES) {
            return Err(AppError::invalid(
                "occurred_at",
                "must not be in the future",
            ));
        }
        let list = |field: &str, values: &[String]| {
            let values = distinct(values);
            if values.len() > 50 {
                return Err(AppError::invalid(field, "name at most 50"));
            }
            Ok(values)
        };
        Ok(ValidIncident {
            title,
            kind,
            description,
            occurred_at,
            tools: list("tools", &self.tools)?,
            data_classes: list("data_classes", &self.data_classes)?,
            teams: list("teams", &self.teams)?,
        })
    }
}

/// A triager's change (`triage[severity]`, …): severity, owner and status together, with a
/// note for the timeline — the reason, when dismissing.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct TriageForm {
    pub severity: String,
    /// The owner's user id; a reviewer or admin.
    pub owner: String,
    pub status: String,
    pub note: String,
}

/// A triage change that passed the rules: the incident's severity, owner and status after it
/// (what the form leaves empty stays as it was).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidTriage {
    pub severity: Option<Severity>,
    pub owner: Option<uuid::Uuid>,
    pub status: IncidentStatus,
    pub note: String,
}

impl TriageForm {
    /// Checks the change against an incident now in `current`, with the severity and owner it
    /// has.
    pub fn validate(
        &self,
        current: IncidentStatus,
        severity: Option<Severity>,
        owner: Option<uuid::Uuid>,
    ) -> Result<ValidTriage, AppError> {
        let severity = match self.severity.trim() {
            "" => severity,
            s => Some(Severity::parse(s).map_err(|m| AppError::invalid("severity", m))?),
        };
        let owner = match self.owner.trim() {
            "" => owner,
            o => Some(
                uuid::Uuid::parse_str(o)
                    .map_err(|_| AppError::invalid("owner", "choose an owner from the list"))?,
            ),
        };
        let status = match self.status.trim() {
            "" => current,
            s => IncidentStatus::parse(s).map_err(|m| AppError::invalid("status", m))?,
        };
        if let Some(refusal) = current.refuse(status) {
            return Err(AppError::invalid("status", refusal));
        }
        let note = text("note", &self.note, 4000, true)?;
        if status == IncidentStatus::Dismissed && note.is_empty() {
            return Err(AppError::invalid(
                "note",
                "say why the incident is dismissed",
            ));
        }
        if !matches!(status, IncidentStatus::Reported | IncidentStatus::Dismissed) {
            if severity.is_none() {
                return Err(AppError::invalid("severity", "set the severity to triage"));
            }
            if owner.is_none() {
                return Err(AppError::invalid("owner", "choose who owns the response"));
            }
        }
        Ok(ValidTriage {
            severity,
            owner,
            status,
            note,
        })
    }
}

/// The post-incident review (`review[summary]`, `review[root_cause]`); both are needed before
/// an incident is closed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ReviewForm {
    pub summary: String,
    pub root_cause: String,
}

impl ReviewForm {
    pub fn validate(&self) -> Result<(String, String), AppError> {
        let summary = text("summary", &self.summary, 8000, true)?;
        let root_cause = text("root_cause", &self.root_cause, 8000, true)?;
        if summary.is_empty() {
            return Err(AppError::invalid("summary", "say what happened, in order"));
        }
        if root_cause.is_empty() {
            return Err(AppError::invalid("root_cause", "name the root cause"));
        }
        Ok((summary, root_cause))
    }
}

/// A follow-up action of the review (`follow_up[what]`, …).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct FollowUpForm {
    pub what: String,
    /// The owner's user id.
    pub owner: String,
    /// `YYYY-MM-DD`.
    pub due: String,
}

impl FollowUpForm {
    pub fn validate(&self, today: Day) -> Result<(String, uuid::Uuid, Day), AppError> {
        let what = required_text("what", &self.what, 500)?;
        let owner = uuid::Uuid::parse_str(self.owner.trim())
            .map_err(|_| AppError::invalid("owner", "choose an owner from the list"))?;
        let due = Day::parse(self.due.trim()).map_err(|m| AppError::invalid("due", m))?;
        if due < today {
            return Err(AppError::invalid("due", "must be today or later"));
        }
        Ok((what, owner, due))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 12, 6, 12, 0, 0)
            .single()
            .expect("a time")
    }

    fn report() -> IncidentForm {
        IncidentForm {
            title: "Fake cursor-agent package on npm".into(),
            kind: "malicious_package".into(),
            description: "A typosquatted package was installed on two laptops.".into(),
            occurred_at: "2026-12-06T09:30".into(),
            tools: vec!["cursor".into(), "cursor".into(), " ".into()],
            data_classes: vec![],
            teams: vec!["platform".into()],
        }
    }

    fn field(result: Result<impl std::fmt::Debug, AppError>) -> String {
        result
            .expect_err("refused")
            .field()
            .unwrap_or_default()
            .to_owned()
    }

    #[test]
    fn a_report_is_checked_field_by_field() {
        let valid = report().validate(now()).expect("valid");
        assert_eq!(valid.kind, IncidentKind::MaliciousPackage);
        assert_eq!(valid.tools, ["cursor"]);
        assert_eq!(
            valid.occurred_at,
            Utc.with_ymd_and_hms(2026, 12, 6, 9, 30, 0)
                .single()
                .expect("a time")
        );
        type Change = fn(&mut IncidentForm);
        let cases: [(&str, Change); 7] = [
            ("title", |f| f.title = " ".into()),
            ("title", |f| f.title = "x".repeat(201)),
            ("kind", |f| f.kind = String::new()),
            ("kind", |f| f.kind = "alien".into()),
            ("description", |f| f.description = "\n".into()),
            ("occurred_at", |f| f.occurred_at = "yesterday".into()),
            ("occurred_at", |f| f.occurred_at = "2026-12-07T12:00".into()),
        ];
        for (expected, change) in cases {
            let mut form = report();
            change(&mut form);
            assert_eq!(field(form.validate(now())), expected, "{form:?}");
        }
        let mut many = report();
        many.teams = (0..51).map(|n| format!("t{n}")).collect();
        assert_eq!(field(many.validate(now())), "teams");
    }

    #[test]
    fn a_report_without_a_time_happened_now_and_rfc3339_is_understood() {
        let mut form = report();
        form.occurred_at = String::new();
        assert_eq!(form.validate(now()).expect("valid").occurred_at, now());
        form.occurred_at = "2026-12-06T16:30:00+07:00".into();
        assert_eq!(
            form.validate(now()).expect("valid").occurred_at,
            Utc.with_ymd_and_hms(2026, 12, 6, 9, 30, 0)
                .single()
                .expect("a time")
        );
    }

    #[test]
    fn triage_needs_severity_and_owner_and_a_dismissal_needs_a_reason() {
        let owner = "0b8f6a52-8a3c-4f7e-9b42-6a1d2c3e4f50".to_owned();
        let triage = |severity: &str, owner: &str, status: &str, note: &str| TriageForm {
            severity: severity.into(),
            owner: owner.into(),
            status: status.into(),
            note: note.into(),
        };
        let ok = triage("high", &owner, "triaged", "")
            .validate(IncidentStatus::Reported, None, None)
            .expect("valid");
        assert_eq!(ok.severity, Some(Severity::High));
        assert_eq!(
            field(triage("", &owner, "triaged", "").validate(IncidentStatus::Reported, None, None)),
            "severity"
        );
        assert_eq!(
            field(triage("high", "", "triaged", "").validate(IncidentStatus::Reported, None, None)),
            "owner"
        );
        assert_eq!(
            field(triage("high", "nobody", "", "").validate(IncidentStatus::Reported, None, None)),
            "owner"
        );
        assert_eq!(
            field(triage("", "", "dismissed", " ").validate(IncidentStatus::Reported, None, None)),
            "note"
        );
        assert!(triage("", "", "dismissed", "a test alert")
            .validate(IncidentStatus::Reported, None, None)
            .is_ok());
        assert_eq!(
            field(triage("high", &owner, "closed", "").validate(
                IncidentStatus::Triaged,
                None,
                None
            )),
            "status"
        );
        assert_eq!(
            field(triage("urgent", &owner, "", "").validate(IncidentStatus::Triaged, None, None)),
            "severity"
        );
        // What the form leaves empty stays as it was.
        let kept = triage("", "", "", "note")
            .validate(
                IncidentStatus::Contained,
                Some(Severity::Low),
                Some(uuid::Uuid::nil()),
            )
            .expect("valid");
        assert_eq!(
            (kept.status, kept.severity, kept.owner),
            (
                IncidentStatus::Contained,
                Some(Severity::Low),
                Some(uuid::Uuid::nil())
            )
        );
    }

    #[test]
    fn a_review_and_a_follow_up_name_what_is_missing() {
        let review = |s: &str, r: &str| ReviewForm {
            summary: s.into(),
            root_cause: r.into(),
        };
        assert_eq!(field(review("", "x").validate()), "summary");
        assert_eq!(field(review("x", " ").validate()), "root_cause");
        assert!(review("x", "y").validate().is_ok());
        let today = Day::parse("2026-12-06").expect("day");
        let owner = "0b8f6a52-8a3c-4f7e-9b42-6a1d2c3e4f50".to_owned();
        let follow_up = |w: &str, o: &str, d: &str| FollowUpForm {
            what: w.into(),
            owner: o.into(),
            due: d.into(),
        };
        assert!(follow_up("Pin the package", &owner, "2026-12-20")
            .validate(today)
            .is_ok());
        assert_eq!(
            field(follow_up("", &owner, "2026-12-20").validate(today)),
            "what"
        );
        assert_eq!(
            field(follow_up("x", "", "2026-12-20").validate(today)),
            "owner"
        );
        assert_eq!(
            field(follow_up("x", &owner, "2026-12-01").validate(today)),
            "due"
        );
        assert_eq!(field(follow_up("x", &owner, "soon").validate(today)), "due");
    }
}
