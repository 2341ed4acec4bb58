//! The AI security checklist: item statuses and categories, the completion arithmetic every
//! dashboard uses, the rules of a team's item update, and CSV cells that spreadsheets cannot
//! mistake for formulas.
//!
//! Completion: an item counts as done only when its status is `done`; `in_progress` and
//! `not_started` count as not done; `not_applicable` (always with a reason) leaves the item out
//! of the count altogether. Every item weighs the same. Completion = done ÷ applicable items,
//! shown as a whole percentage rounded down (so 100 % means every applicable item is done); a
//! team for which no item applies has no completion figure rather than 0 % or 100 %.

use serde::{Deserialize, Serialize};

use super::form::{checkbox, text, web_address};
use super::Day;
use crate::error::AppError;

named_values! {
    /// Where a team stands on one checklist item.
    ItemStatus, "checklist item status" {
        NotStarted => "not_started", "Not started",
        InProgress => "in_progress", "In progress",
        Done => "done", "Done",
        NotApplicable => "not_applicable", "Not applicable",
    }
}

named_values! {
    /// The article's categories.
    ChecklistCategory, "checklist category" {
        Policy => "policy", "Policy",
        DataProtection => "data_protection", "Data Protection",
        Security => "security", "Security",
        SupplyChain => "supply_chain", "Supply Chain",
        Quality => "quality", "Quality",
        Training => "training", "Training",
        Response => "response", "Response",
    }
}

/// Done and applicable items of some set (a team, a category, the organization).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Counts {
    pub done: i64,
    /// Items that count: all but the not-applicable ones.
    pub applicable: i64,
}

impl Counts {
    /// From `items` items of which `done` are done and `not_applicable` do not apply.
    pub fn of(items: i64, done: i64, not_applicable: i64) -> Self {
        Self {
            done,
            applicable: (items - not_applicable).max(0),
        }
    }

    /// Whole percent, rounded down; `None` when nothing applies.
    pub fn percent(self) -> Option<i64> {
        (self.applicable > 0).then(|| (self.done.clamp(0, self.applicable) * 100) / self.applicable)
    }
}

impl std::ops::Add for Counts {
    type Output = Self;

    fn add(self, other: Self) -> Self {
        Self {
            done: self.done + other.done,
            applicable: self.applicable + other.applicable,
        }
    }
}

/// What moving an item from `before` (`None`: never touched, i.e. not started) to `after` does
/// to a team's (done, not applicable) counts.
pub fn delta(before: Option<ItemStatus>, after: ItemStatus) -> (i64, i64) {
    let weigh = |status: Option<ItemStatus>| match status {
        Some(ItemStatus::Done) => (1, 0),
        Some(ItemStatus::NotApplicable) => (0, 1),
        _ => (0, 0),
    };
    let (done_before, na_before) = weigh(before);
    let (done_after, na_after) = weigh(Some(after));
    (done_after - done_before, na_after - na_before)
}

/// A team's update of one item as submitted (`item[status]`, …).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ItemForm {
    pub status: String,
    /// Required for `not_applicable`.
    pub na_reason: String,
    /// The owner's user id; empty: nobody.
    pub owner: String,
    /// `YYYY-MM-DD`; empty: none.
    pub due_date: String,
    pub evidence: String,
    /// Web addresses, one per line.
    pub links: String,
}

/// An update that passed every rule that needs no database.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidItem {
    pub status: ItemStatus,
    pub na_reason: String,
    pub owner: Option<String>,
    pub due_date: Option<Day>,
    pub evidence: String,
    pub links: Vec<String>,
}

impl ItemForm {
    /// Checks the form for an item that does (`evidence_required`) or does not require
    /// evidence before it can be done.
    pub fn validate(&self, evidence_required: bool) -> Result<ValidItem, AppError> {
        let status =
            ItemStatus::parse(self.status.trim()).map_err(|m| AppError::invalid("status", m))?;
        let na_reason = text("na_reason", &self.na_reason, 2000, true)?;
        if status == ItemStatus::NotApplicable && na_reason.is_empty() {
            return Err(AppError::invalid(
                "na_reason",
                "say why the item does not apply to this team",
            ));
        }
        let na_reason = if status == ItemStatus::NotApplicable {
            na_reason
        } else {
            String::new()
        };
        let owner = Some(self.owner.trim().to_owned()).filter(|o| !o.is_empty());
        let due_date = match self.due_date.trim() {
            "" => None,
            day => Some(Day::parse(day).map_err(|m| AppError::invalid("due_date", m))?),
        };
        let evidence = text("evidence", &self.evidence, 8000, true)?;
        let links = self
            .links
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .map(|l| web_address("links", l))
            .collect::<Result<Vec<_>, _>>()?;
        if links.len() > 20 {
            return Err(AppError::invalid("links", "at most 20 links"));
        }
        if status == ItemStatus::Done
            && evidence_required
            && evidence.is_empty()
            && links.is_empty()
        {
            return Err(AppError::invalid(
                "evidence",
                "this item needs evidence before it is done: describe it or link to it",
            ));
        }
        Ok(ValidItem {
            status,
            na_reason,
            owner,
            due_date,
            evidence,
            links,
        })
    }
}

/// An admin's checklist item as submitted (`item[title]`, …).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct FrameworkItemForm {
    pub title: String,
    pub category: String,
    pub guidance: String,
    /// Checkbox.
    pub evidence_required: Option<String>,
}

/// A framework item that passed its rules.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidFrameworkItem {
    pub title: String,
    pub category: ChecklistCategory,
    pub guidance: String,
    pub evidence_required: bool,
}

impl FrameworkItemForm {
    pub fn validate(&self) -> Result<ValidFrameworkItem, AppError> {
        let title = text("title", &self.title, 200, false)?;
        if title.is_empty() {
            return Err(AppError::invalid("title", "must not be empty"));
        }
        Ok(ValidFrameworkItem {
            title,
            category: ChecklistCategory::parse(self.category.trim())
                .map_err(|m| AppError::invalid("category", m))?,
            guidance: text("guidance", &self.guidance, 8000, true)?,
            evidence_required: checkbox("evidence_required", self.evidence_required.as_deref())?,
        })
    }
}

/// One CSV cell: quoted, quotes doubled, and a leading `=`, `+`, `-`, `@`, tab or carriage
/// return neutralised with an apostrophe so a spreadsheet shows text instead of running a
/// formula (OWASP "CSV injection").
pub fn csv_cell(value: &str) -> String {
    let risky = value.starts_with(['=', '+', '-', '@', '\t', '\r']);
    let value = if risky {
        format!("'{value}")
    } else {
        value.to_owned()
    };
    format!("\"{}\"", value.replace('"', "\"\""))
}

/// One CSV line of `cells`, ending in CRLF (RFC 4180).
pub fn csv_line<'a>(cells: impl IntoIterator<Item = &'a str>) -> String {
    let mut line = cells
        .into_iter()
        .map(csv_cell)
        .collect::<Vec<_>>()
        .join(",");
    line.push_str("\r\n");
    line
}

/// What a team stands at, as its managers' weekly summary says it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Week {
    pub counts: Counts,
    /// Items marked done during the week before.
    pub done_last_week: i64,
    pub overdue: i64,
    /// Its requests not decided yet (waiting for a reviewer or for changes).
    pub open_requests: i64,
}

/// The managers' weekly summary of `team`, one sentence.
pub fn weekly_summary(team: &str, week: Week) -> String {
    let plural = |n: i64, one: &str, many: &str| {
        if n == 1 {
            format!("1 {one}")
        } else {
            format!("{n} {many}")
        }
    };
    let progress = match week.counts.percent() {
        Some(percent) => format!(
            "{} of {} checklist items done ({percent}%)",
            week.counts.done, week.counts.applicable
        ),
        None => "no checklist item applies".to_owned(),
    };
    format!(
        "Weekly summary for {team}: {progress}, {} last week, {}; {}.",
        plural(week.done_last_week, "completed", "completed"),
        plural(week.overdue, "overdue", "overdue"),
        plural(
            week.open_requests,
            "tool request open",
            "tool requests open"
        ),
    )
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_weekly_summary_says_where_a_team_stands_in_one_sentence() {
        let week = Week {
            counts: Counts::of(10, 6, 2),
            done_last_week: 1,
            overdue: 2,
            open_requests: 1,
        };
        assert_eq!(
            weekly_summary("Payments", week),
            "Weekly summary for Payments: 6 of 8 checklist items done (75%), 1 completed last week, 2 overdue; 1 tool request open."
        );
        let empty = Week {
            counts: Counts::of(3, 0, 3),
            done_last_week: 0,
            overdue: 0,
            open_requests: 3,
        };
        assert_eq!(
            weekly_summary("Legal", empty),
            "Weekly summary for Legal: no checklist item applies, 0 completed last week, 0 overdue; 3 tool requests open."
        );
    }

    use super::*;

    #[test]
    fn completion_counts_done_over_applicable_and_leaves_not_applicable_out() {
        assert_eq!(Counts::of(10, 3, 0).percent(), Some(30));
        assert_eq!(Counts::of(10, 3, 4).percent(), Some(50));
        assert_eq!(Counts::of(3, 2, 0).percent(), Some(66), "rounded down");
        assert_eq!(Counts::of(10, 10, 0).percent(), Some(100));
        assert_eq!(Counts::of(2, 0, 2).percent(), None, "nothing applies");
        assert_eq!(Counts::of(0, 0, 0).percent(), None);
        assert_eq!(
            (Counts::of(10, 5, 0) + Counts::of(10, 0, 5)).percent(),
            Some(33),
            "organization figures add items, not percentages"
        );
    }

    #[test]
    fn a_change_moves_the_counts_by_what_it_changes() {
        use ItemStatus::*;
        assert_eq!(delta(None, Done), (1, 0));
        assert_eq!(delta(None, InProgress), (0, 0));
        assert_eq!(delta(Some(Done), InProgress), (-1, 0));
        assert_eq!(delta(Some(Done), NotApplicable), (-1, 1));
        assert_eq!(delta(Some(NotApplicable), Done), (1, -1));
        assert_eq!(delta(Some(NotApplicable), NotStarted), (0, -1));
        assert_eq!(delta(Some(Done), Done), (0, 0));
    }

    fn form(status: &str) -> ItemForm {
        ItemForm {
            status: status.into(),
            ..ItemForm::default()
        }
    }

    #[test]
    fn not_applicable_needs_a_reason_and_done_needs_evidence_where_required() {
        let field = |form: &ItemForm, required: bool| {
            form.validate(required)
                .expect_err("invalid")
                .field()
                .unwrap_or_default()
                .to_owned()
        };
        assert_eq!(field(&form("not_applicable"), false), "na_reason");
        assert_eq!(field(&form("done"), true), "evidence");
        assert!(form("done").validate(false).is_ok());
        let mut linked = form("done");
        linked.links = "https://wiki.example/ai-policy\n\n".into();
        assert_eq!(
            linked.validate(true).expect("valid").links,
            ["https://wiki.example/ai-policy"]
        );
        let mut reasoned = form("not_applicable");
        reasoned.na_reason = "We write no code".into();
        assert!(reasoned.validate(false).is_ok());
        reasoned.status = "in_progress".into();
        assert_eq!(
            reasoned.validate(false).expect("valid").na_reason,
            "",
            "dropped"
        );
        assert_eq!(field(&form("finished"), false), "status");
        let mut bad = form("in_progress");
        bad.due_date = "soon".into();
        assert_eq!(field(&bad, false), "due_date");
        let mut bad = form("in_progress");
        bad.links = "javascript:alert(1)".into();
        assert_eq!(field(&bad, false), "links");
    }

    #[test]
    fn a_framework_item_needs_a_title_and_a_known_category() {
        let form = FrameworkItemForm {
            title: " Review AI vendors yearly ".into(),
            category: "supply_chain".into(),
            guidance: "Ask for their SOC 2 report.".into(),
            evidence_required: Some("on".into()),
        };
        let valid = form.validate().expect("valid");
        assert_eq!(valid.title, "Review AI vendors yearly");
        assert!(valid.evidence_required);
        let field = |form: FrameworkItemForm| {
            form.validate()
                .expect_err("invalid")
                .field()
                .unwrap_or_default()
                .to_owned()
        };
        assert_eq!(
            field(FrameworkItemForm {
                title: " ".into(),
                ..form.clone()
            }),
            "title"
        );
        assert_eq!(
            field(FrameworkItemForm {
                title: "x".repeat(201),
                ..form.clone()
            }),
            "title"
        );
        assert_eq!(
            field(FrameworkItemForm {
                category: "hr".into(),
                ..form.clone()
            }),
            "category"
        );
        assert_eq!(
            field(FrameworkItemForm {
                evidence_required: Some("yes".into()),
                ..form
            }),
            "evidence_required"
        );
    }

    #[test]
    fn csv_cells_are_quoted_and_never_formulas() {
        assert_eq!(csv_cell("Payments"), "\"Payments\"");
        assert_eq!(csv_cell("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(csv_cell("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
        for risky in ["+1", "-1", "@SUM(A1)", "\tx", "\rx"] {
            assert!(csv_cell(risky).starts_with("\"'"), "{risky}");
        }
        assert_eq!(csv_line(["a", "b"]), "\"a\",\"b\"\r\n");
    }
}
