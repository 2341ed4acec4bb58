//! Which registry edits widen what is allowed. Widening is never saved directly: it becomes a
//! registry change request, decided like a tool request (fresh codes, distinct reviewers, a
//! signed receipt). Everything else — descriptive fields, and anything that narrows — takes
//! effect at once; suspending or prohibiting a tool also needs a reason and a fresh code.

use std::collections::BTreeMap;

use super::input::{RequirementSetting, ValidTool};
use crate::domain::{ClassificationLevel, Day, ToolStatus};

/// What of a tool decides what it allows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Allowance {
    pub status: ToolStatus,
    /// `None`: every team.
    pub teams: Option<Vec<String>>,
    pub data_classes: Vec<String>,
    pub conditions: String,
    pub access_requirements: BTreeMap<String, RequirementSetting>,
    pub next_review: Option<Day>,
}

impl Allowance {
    pub fn of(tool: &ValidTool) -> Self {
        Self {
            status: tool.status,
            teams: tool.teams.clone(),
            data_classes: tool.data_classes.clone(),
            conditions: tool.conditions.clone(),
            access_requirements: tool.access_requirements.clone(),
            next_review: tool.next_review,
        }
    }
}

/// Whether tools of this status may be used at all.
pub fn allows(status: ToolStatus) -> bool {
    matches!(
        status,
        ToolStatus::Approved | ToolStatus::ApprovedWithConditions
    )
}

/// What in going from `before` (`None`: a new tool) to `after` widens what is allowed, in
/// words; empty when nothing does. A review date later than `today` plus the organization's
/// `max_review_months` widens too (an approval is only good until it is reviewed).
pub fn widenings(
    before: Option<&Allowance>,
    after: &Allowance,
    today: Day,
    max_review_months: u32,
) -> Vec<String> {
    if !allows(after.status) {
        // Suspended, retired or prohibited allows nothing, whatever else it lists; a later
        // reinstatement is reviewed with everything it lists then.
        return vec![];
    }
    let mut widened = vec![];
    let Some(before) = before.filter(|before| allows(before.status)) else {
        widened.push(match before {
            None => format!("a new tool, {}", after.status.label().to_lowercase()),
            Some(before) => format!(
                "status {} → {}",
                before.status.label().to_lowercase(),
                after.status.label().to_lowercase()
            ),
        });
        return widened;
    };
    if before.status == ToolStatus::ApprovedWithConditions && after.status == ToolStatus::Approved {
        widened.push("approved without its conditions".to_owned());
    }
    match (&before.teams, &after.teams) {
        (Some(_), None) => widened.push("every team instead of named ones".to_owned()),
        (Some(old), Some(new)) => widened.extend(
            new.iter()
                .filter(|team| !old.contains(team))
                .map(|team| format!("team {team} added")),
        ),
        (None, _) => {}
    }
    widened.extend(
        after
            .data_classes
            .iter()
            .filter(|class| !before.data_classes.contains(class))
            .map(|class| format!("data class {class} added")),
    );
    // Adding conditions narrows; they may only be added after the ones there are, word for
    // word, so nothing can be slipped in front of them.
    let old_conditions = before.conditions.trim();
    if !old_conditions.is_empty() && !after.conditions.trim().starts_with(old_conditions) {
        widened.push("conditions of use removed or changed".to_owned());
    }
    widened.extend(
        before
            .access_requirements
            .iter()
            .filter(|(_, setting)| setting.required)
            .filter(|(key, _)| {
                !after
                    .access_requirements
                    .get(*key)
                    .is_some_and(|s| s.required)
            })
            .map(|(key, _)| format!("requirement {key} dropped")),
    );
    let latest = today.plus_months(max_review_months);
    if before.next_review.is_some() && after.next_review.is_none() {
        widened.push("next review date removed".to_owned());
    }
    if let Some(review) = after.next_review {
        let later_than_before = before.next_review.is_none_or(|old| review > old);
        if review > latest && later_than_before {
            widened.push(format!(
                "next review {review}, later than {max_review_months} months from today"
            ));
        }
    }
    widened
}

/// The first field that changes from `before` to `after` among those a reinstatement is
/// reviewed on, by form name; `None` when only descriptive fields (description, rollback plan,
/// owner…) change. While the kill switch's stop is in force these wait for the reinstatement,
/// so what two reviewers approve is exactly what the tool allowed before the stop plus what the
/// reinstatement itself proposes. Suspended may still become prohibited or retired.
pub fn frozen_while_stopped(before: &ValidTool, after: &ValidTool) -> Option<&'static str> {
    let changed: [(&'static str, bool); 11] = [
        ("status", allows(after.status)),
        ("teams", before.teams != after.teams),
        ("data_classes", before.data_classes != after.data_classes),
        ("conditions", before.conditions != after.conditions),
        (
            "access_requirements",
            before.access_requirements != after.access_requirements,
        ),
        ("next_review", before.next_review != after.next_review),
        ("distribution", before.distribution != after.distribution),
        ("package_name", before.package_name != after.package_name),
        (
            "pinned_version",
            before.pinned_version != after.pinned_version,
        ),
        ("checksum", before.checksum != after.checksum),
        (
            "vendor_trains_on_data",
            before.vendor_trains_on_data != after.vendor_trains_on_data,
        ),
    ];
    changed
        .into_iter()
        .find(|(_, changed)| *changed)
        .map(|(field, _)| field)
}

/// Whether going from `before` to `after` suspends or prohibits the tool: effective at once,
/// but only with a reason and a fresh code.
pub fn stops(before: Option<ToolStatus>, after: ToolStatus) -> bool {
    matches!(after, ToolStatus::Suspended | ToolStatus::Prohibited) && before != Some(after)
}

/// What in changing a data class from `before` to `after` (classification, prohibited by
/// default) lowers the protection it gives, in words (levels are ordered least strict first).
/// A restricted or prohibited-by-default class makes every request that touches it need two
/// reviewers, so loosening one is signed with a fresh code and told to every reviewer and admin.
pub fn class_loosenings(
    before: (ClassificationLevel, bool),
    after: (ClassificationLevel, bool),
) -> Vec<String> {
    let mut loosened = vec![];
    if after.0 < before.0 {
        loosened.push(format!(
            "classification {} → {}",
            before.0.label().to_lowercase(),
            after.0.label().to_lowercase()
        ));
    }
    if before.1 && !after.1 {
        loosened.push("no longer prohibited by default".to_owned());
    }
    loosened
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lowering_a_class_or_clearing_its_prohibition_loosens_it() {
        use ClassificationLevel::{Confidential, Internal, Restricted};
        assert!(class_loosenings((Restricted, true), (Restricted, true)).is_empty());
        assert!(class_loosenings((Internal, false), (Restricted, true)).is_empty());
        assert_eq!(
            class_loosenings((Restricted, true), (Confidential, false)),
            [
                "classification restricted → confidential",
                "no longer prohibited by default"
            ]
        );
        assert_eq!(
            class_loosenings((Confidential, false), (Internal, false)),
            ["classification confidential → internal"]
        );
    }

    fn day(text: &str) -> Day {
        Day::parse(text).expect("a day")
    }

    fn approved() -> Allowance {
        Allowance {
            status: ToolStatus::Approved,
            teams: Some(vec!["payments".into()]),
            data_classes: vec!["internal-documents".into()],
            conditions: String::new(),
            access_requirements: BTreeMap::from([(
                "project_directory".into(),
                RequirementSetting {
                    required: true,
                    note: String::new(),
                },
            )]),
            next_review: Some(day("2027-06-01")),
        }
    }

    fn widen(before: Option<&Allowance>, after: &Allowance) -> Vec<String> {
        widenings(before, after, day("2026-12-01"), 12)
    }

    #[test]
    fn a_new_approved_tool_widens_and_a_new_prohibited_one_does_not() {
        assert_eq!(widen(None, &approved()), ["a new tool, approved"]);
        let prohibited = Allowance {
            status: ToolStatus::Prohibited,
            ..approved()
        };
        assert!(widen(None, &prohibited).is_empty());
        assert!(stops(None, ToolStatus::Prohibited));
    }

    #[test]
    fn reinstating_widens_and_stopping_narrows() {
        let suspended = Allowance {
            status: ToolStatus::Suspended,
            ..approved()
        };
        assert_eq!(
            widen(Some(&suspended), &approved()),
            ["status suspended → approved"]
        );
        assert!(widen(Some(&approved()), &suspended).is_empty());
        assert!(stops(Some(ToolStatus::Approved), ToolStatus::Suspended));
        assert!(!stops(Some(ToolStatus::Suspended), ToolStatus::Suspended));
        assert!(!stops(Some(ToolStatus::Approved), ToolStatus::Retired));
    }

    #[test]
    fn more_teams_or_classes_widen_fewer_narrow() {
        let mut more = approved();
        more.teams = Some(vec!["payments".into(), "research".into()]);
        more.data_classes.push("customer-data".into());
        assert_eq!(
            widen(Some(&approved()), &more),
            ["team research added", "data class customer-data added"]
        );
        assert!(widen(Some(&more), &approved()).is_empty());
        let everyone = Allowance {
            teams: None,
            ..approved()
        };
        assert_eq!(
            widen(Some(&approved()), &everyone),
            ["every team instead of named ones"]
        );
    }

    #[test]
    fn conditions_and_requirements_may_be_added_but_not_removed() {
        let conditional = Allowance {
            status: ToolStatus::ApprovedWithConditions,
            conditions: "Project directory only.".into(),
            ..approved()
        };
        let stricter = Allowance {
            conditions: "Project directory only. No customer data.".into(),
            ..conditional.clone()
        };
        assert!(widen(Some(&conditional), &stricter).is_empty());
        assert!(widen(Some(&approved()), &conditional).is_empty());
        let slipped_in_front = Allowance {
            conditions: "Ignore what follows. Project directory only.".into(),
            ..conditional.clone()
        };
        assert_eq!(
            widen(Some(&conditional), &slipped_in_front),
            ["conditions of use removed or changed"]
        );
        assert_eq!(
            widen(Some(&conditional), &approved()),
            [
                "approved without its conditions",
                "conditions of use removed or changed"
            ]
        );
        let loose = Allowance {
            access_requirements: BTreeMap::new(),
            ..approved()
        };
        assert_eq!(
            widen(Some(&approved()), &loose),
            ["requirement project_directory dropped"]
        );
    }

    #[test]
    fn a_review_date_may_move_forward_or_within_the_maximum_but_not_beyond() {
        let sooner = Allowance {
            next_review: Some(day("2027-01-01")),
            ..approved()
        };
        assert!(widen(Some(&approved()), &sooner).is_empty());
        let later_within = Allowance {
            next_review: Some(day("2027-11-30")),
            ..approved()
        };
        assert!(widen(Some(&approved()), &later_within).is_empty());
        let too_late = Allowance {
            next_review: Some(day("2028-01-01")),
            ..approved()
        };
        assert_eq!(
            widen(Some(&approved()), &too_late),
            ["next review 2028-01-01, later than 12 months from today"]
        );
        let never = Allowance {
            next_review: None,
            ..approved()
        };
        assert_eq!(
            widen(Some(&approved()), &never),
            ["next review date removed"]
        );
    }

    #[test]
    fn while_stopped_only_descriptive_fields_change() {
        let form = crate::domain::ToolForm {
            name: "Cursor".into(),
            vendor: "Anysphere".into(),
            category: "ai_coding".into(),
            status: "suspended".into(),
            status_reason: "Leaked".into(),
            scope: "teams".into(),
            teams: vec!["payments".into()],
            distribution: "binary".into(),
            pinned_version: "1.0.0".into(),
            ..crate::domain::ToolForm::default()
        };
        let stopped = form.validate().expect("valid");
        let mut described = stopped.clone();
        described.description = "An editor".into();
        described.rollback_plan = "Use Copilot".into();
        described.status = ToolStatus::Prohibited;
        assert_eq!(frozen_while_stopped(&stopped, &described), None);
        type Change = fn(&mut ValidTool);
        let cases: [(&str, Change); 5] = [
            ("status", |t| t.status = ToolStatus::Approved),
            ("teams", |t| t.teams = None),
            ("data_classes", |t| {
                t.data_classes.push("customer-data".into())
            }),
            ("pinned_version", |t| t.pinned_version = "1.0.1".into()),
            ("vendor_trains_on_data", |t| t.vendor_trains_on_data = true),
        ];
        for (field, change) in cases {
            let mut changed = stopped.clone();
            change(&mut changed);
            assert_eq!(frozen_while_stopped(&stopped, &changed), Some(field));
        }
    }
}
