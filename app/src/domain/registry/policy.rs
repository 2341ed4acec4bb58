//! "May my team use tool X with data class Y?" — one pure function, used by the tool page's
//! widget and by `GET /api/v1/policy/check`, so both always give the same answer and reason.

use serde::{Deserialize, Serialize};

use crate::domain::{Day, ToolStatus};

/// A team a tool is approved for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct TeamRef {
    pub slug: String,
    pub name: String,
}

/// Which teams a tool is approved for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum TeamScope {
    All,
    Only(Vec<TeamRef>),
}

/// What the decision needs to know about a tool.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ToolFacts {
    pub name: String,
    pub status: ToolStatus,
    /// Why it was suspended or prohibited.
    pub status_reason: Option<String>,
    /// When the status last changed.
    pub status_since: Option<Day>,
    /// What people use instead when it is suspended or retired.
    pub rollback_plan: Option<String>,
    pub conditions: Option<String>,
    pub teams: TeamScope,
    /// Slugs of the data classes its approval lists.
    pub data_classes: Vec<String>,
    pub next_review: Option<Day>,
}

/// What the decision needs to know about a data class.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DataClassFacts {
    pub slug: String,
    pub name: String,
    pub prohibited_by_default: bool,
}

/// The answer, with the reason a person reads.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Decision {
    pub allowed: bool,
    pub reason: String,
}

impl Decision {
    fn yes(reason: String) -> Self {
        Self {
            allowed: true,
            reason,
        }
    }

    fn no(reason: String) -> Self {
        Self {
            allowed: false,
            reason,
        }
    }
}

fn sentence(text: &Option<String>) -> Option<&str> {
    text.as_deref()
        .map(str::trim)
        .filter(|text| !text.is_empty())
        .map(|text| text.trim_end_matches('.'))
}

/// The refusals that hold whatever the data: the tool's status, then the team scope.
pub fn refusal(tool: &ToolFacts, team: &str) -> Option<Decision> {
    let since = tool
        .status_since
        .map(|day| format!(" on {day}"))
        .unwrap_or_default();
    let reason = sentence(&tool.status_reason)
        .map(|reason| format!(": {reason}"))
        .unwrap_or_default();
    let instead = sentence(&tool.rollback_plan)
        .map(|plan| format!(" Instead: {plan}."))
        .unwrap_or_default();
    let refused = match tool.status {
        ToolStatus::Prohibited => Some(format!(
            "Prohibited{since}{reason}. {} may not be used at all.{instead}",
            tool.name
        )),
        ToolStatus::Suspended => Some(format!("Suspended{since}{reason}.{instead}")),
        ToolStatus::Retired => Some(format!("Retired{since}{reason}.{instead}")),
        ToolStatus::Approved | ToolStatus::ApprovedWithConditions => None,
    };
    if let Some(refused) = refused {
        return Some(Decision::no(refused));
    }
    match &tool.teams {
        TeamScope::Only(teams) if !teams.iter().any(|t| t.slug == team) => {
            let names: Vec<&str> = teams.iter().map(|t| t.name.as_str()).collect();
            Some(Decision::no(match names.as_slice() {
                [] => format!("{} is not approved for any team yet.", tool.name),
                [one] => format!("Approved for the {one} team only."),
                many => format!("Approved only for these teams: {}.", many.join(", ")),
            }))
        }
        _ => None,
    }
}

/// Whether `team` (a slug) may use `tool` with `class` on `today`, and why.
///
/// The checks, in order: the tool's status (prohibited, suspended, retired refuse everything);
/// the team scope; the data class (a class prohibited by default needs the approval to list it
/// explicitly, any other class must be listed too); then an approval is given, noting its
/// conditions and an overdue review.
pub fn check(tool: &ToolFacts, class: &DataClassFacts, team: &str, today: Day) -> Decision {
    if let Some(refused) = refusal(tool, team) {
        return refused;
    }
    let listed = tool.data_classes.contains(&class.slug);
    if !listed {
        return Decision::no(if class.prohibited_by_default {
            format!(
                "Prohibited: {} may not be sent to any AI tool unless its approval names it.",
                class.name.to_lowercase()
            )
        } else {
            format!(
                "{} is not approved for {}.",
                tool.name,
                class.name.to_lowercase()
            )
        });
    }
    let mut reason = match (tool.status, sentence(&tool.conditions)) {
        (ToolStatus::ApprovedWithConditions, Some(conditions)) => {
            format!("Approved with conditions: {conditions}.")
        }
        (ToolStatus::ApprovedWithConditions, None) => "Approved with conditions.".to_owned(),
        _ => "Approved.".to_owned(),
    };
    if class.prohibited_by_default {
        reason.push_str(&format!(
            " {} is prohibited by default; this approval names it explicitly.",
            class.name
        ));
    }
    match tool.next_review {
        Some(review) if review < today => {
            reason.push_str(&format!(" Approved until {review}, review overdue."));
        }
        Some(review) => reason.push_str(&format!(" Next review {review}.")),
        None => {}
    }
    Decision::yes(reason)
}

named_values! {
    /// What the policy check answers while an approval is being re-reviewed.
    StalePolicy, "While a re-review is open" {
        Deny => "deny", "No until re-reviewed",
        Warn => "warn", "Yes, with a warning",
    }
}

named_values! {
    /// What happens the day after a tool's review date passes without a review.
    OverduePolicy, "Past a tool's review date" {
        Warn => "warn", "Keep it approved; the policy check warns that the review is overdue",
        Suspend => "suspend", "Suspend it automatically until a reviewer reinstates it",
    }
}

/// Where the approval behind a "yes" stands: the receipt that granted the pair, and an open
/// re-review.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ApprovalFacts {
    /// The receipt of the decision that granted this (tool, data class, team).
    pub receipt: Option<String>,
    /// Since when the approval is stale, and why.
    pub stale: Option<Stale>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stale {
    pub since: Day,
    /// What changed, in words (`pinned version 1.0 → 1.1`).
    pub changes: String,
    pub re_review: Option<i64>,
}

/// The answer `check` gave, held against the approval behind it: a "yes" without a signed
/// receipt is a no (only decisions widen what is allowed), and a "yes" whose approval is being
/// re-reviewed is a no, or a yes with a warning, as the organization chose.
pub fn with_approval(
    decision: Decision,
    approval: &ApprovalFacts,
    policy: StalePolicy,
) -> Decision {
    if !decision.allowed {
        return decision;
    }
    if approval.receipt.is_none() {
        return Decision::no(
            "No signed decision grants this: a reviewer must file the approval for review."
                .to_owned(),
        );
    }
    let Some(stale) = &approval.stale else {
        return decision;
    };
    let review = stale
        .re_review
        .map(|number| format!(" (re-review request #{number})"))
        .unwrap_or_default();
    let what = format!(
        "its approval is being re-reviewed{review} since {}: {}",
        stale.since, stale.changes
    );
    match policy {
        StalePolicy::Deny => Decision::no(format!("Not until re-reviewed: {what}.")),
        StalePolicy::Warn => Decision::yes(format!("{} Warning: {what}.", decision.reason)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(text: &str) -> Day {
        Day::parse(text).expect("day")
    }

    fn tool(status: ToolStatus) -> ToolFacts {
        ToolFacts {
            name: "Cursor".into(),
            status,
            status_reason: None,
            status_since: None,
            rollback_plan: None,
            conditions: None,
            teams: TeamScope::All,
            data_classes: vec!["internal-documents".into(), "source-code".into()],
            next_review: Some(day("2027-03-01")),
        }
    }

    fn class(slug: &str, prohibited: bool) -> DataClassFacts {
        DataClassFacts {
            slug: slug.into(),
            name: match slug {
                "source-code" => "Core-system source code".into(),
                "credentials" => "Credentials and secrets".into(),
                "internal-documents" => "Internal documents".into(),
                _ => "Customer data".into(),
            },
            prohibited_by_default: prohibited,
        }
    }

    const TODAY: &str = "2026-11-25";

    /// (case, tool, class, team, allowed, reason contains)
    fn cases() -> Vec<(
        &'static str,
        ToolFacts,
        DataClassFacts,
        &'static str,
        bool,
        &'static str,
    )> {
        let internal = || class("internal-documents", false);
        let mut suspended = tool(ToolStatus::Suspended);
        suspended.status_reason = Some("vendor breach under investigation".into());
        suspended.status_since = Some(day("2026-11-02"));
        suspended.rollback_plan = Some("use Copilot instead".into());
        let mut prohibited = tool(ToolStatus::Prohibited);
        prohibited.status_reason = Some("trains on customer prompts".into());
        let mut retired = tool(ToolStatus::Retired);
        retired.rollback_plan = Some("use Claude Code".into());
        let mut payments_only = tool(ToolStatus::Approved);
        payments_only.teams = TeamScope::Only(vec![TeamRef {
            slug: "payments".into(),
            name: "Payments".into(),
        }]);
        let mut two_teams = payments_only.clone();
        two_teams.teams = TeamScope::Only(vec![
            TeamRef {
                slug: "payments".into(),
                name: "Payments".into(),
            },
            TeamRef {
                slug: "marketing".into(),
                name: "Marketing".into(),
            },
        ]);
        let mut no_teams = payments_only.clone();
        no_teams.teams = TeamScope::Only(vec![]);
        let mut conditional = tool(ToolStatus::ApprovedWithConditions);
        conditional.conditions = Some("no customer names in prompts.".into());
        let bare_conditional = tool(ToolStatus::ApprovedWithConditions);
        let mut overdue = tool(ToolStatus::Approved);
        overdue.next_review = Some(day("2026-11-01"));
        let mut no_review = tool(ToolStatus::Approved);
        no_review.next_review = None;
        let mut names_source = tool(ToolStatus::Approved);
        names_source.data_classes = vec!["source-code".into()];
        vec![
            ("approved", tool(ToolStatus::Approved), internal(), "platform", true, "Approved. Next review 2027-03-01."),
            ("with conditions", conditional, internal(), "platform", true, "Approved with conditions: no customer names in prompts."),
            ("with unstated conditions", bare_conditional, internal(), "platform", true, "Approved with conditions."),
            ("suspended", suspended, internal(), "platform", false, "Suspended on 2026-11-02: vendor breach under investigation. Instead: use Copilot instead."),
            ("prohibited", prohibited, internal(), "platform", false, "Prohibited: trains on customer prompts. Cursor may not be used at all."),
            ("retired", retired, internal(), "platform", false, "Retired. Instead: use Claude Code."),
            ("team outside the scope", payments_only.clone(), internal(), "platform", false, "Approved for the Payments team only."),
            ("team inside the scope", payments_only, internal(), "payments", true, "Approved."),
            ("several teams", two_teams, internal(), "platform", false, "Approved only for these teams: Payments, Marketing."),
            ("no team yet", no_teams, internal(), "payments", false, "Cursor is not approved for any team yet."),
            ("prohibited class not named", tool(ToolStatus::Approved), class("credentials", true), "platform", false, "Prohibited: credentials and secrets may not be sent to any AI tool"),
            ("prohibited class named", names_source, class("source-code", true), "platform", true, "this approval names it explicitly"),
            ("class not listed", tool(ToolStatus::Approved), class("customer-data", false), "platform", false, "Cursor is not approved for customer data."),
            ("review overdue", overdue, internal(), "platform", true, "Approved until 2026-11-01, review overdue."),
            ("no review date", no_review, internal(), "platform", true, "Approved."),
        ]
    }

    fn granted() -> ApprovalFacts {
        ApprovalFacts {
            receipt: Some("5c2b1c1e-0f5e-4c0e-9d55-3f2f0d3c9a11".into()),
            stale: None,
        }
    }

    #[test]
    fn a_yes_needs_a_receipt_and_a_stale_approval_is_no_or_a_warning() {
        let yes = Decision::yes("Approved.".into());
        assert_eq!(
            with_approval(yes.clone(), &granted(), StalePolicy::Deny),
            yes
        );
        let unsigned = with_approval(yes.clone(), &ApprovalFacts::default(), StalePolicy::Warn);
        assert!(!unsigned.allowed);
        assert!(unsigned.reason.contains("No signed decision"));
        let stale = ApprovalFacts {
            stale: Some(Stale {
                since: Day::parse("2026-11-20").expect("day"),
                changes: "pinned version 1.0 → 1.1".into(),
                re_review: Some(7),
            }),
            ..granted()
        };
        let denied = with_approval(yes.clone(), &stale, StalePolicy::Deny);
        assert!(!denied.allowed);
        assert_eq!(
            denied.reason,
            "Not until re-reviewed: its approval is being re-reviewed (re-review request #7) \
             since 2026-11-20: pinned version 1.0 → 1.1."
        );
        let warned = with_approval(yes, &stale, StalePolicy::Warn);
        assert!(warned.allowed);
        assert!(warned
            .reason
            .starts_with("Approved. Warning: its approval is being re-reviewed"));
        // A no stays a no whatever the approval.
        let no = Decision::no("Suspended.".into());
        assert_eq!(with_approval(no.clone(), &stale, StalePolicy::Warn), no);
    }

    #[test]
    fn every_branch_gives_its_answer_and_reason() {
        for (name, tool, class, team, allowed, reason) in cases() {
            let decision = check(&tool, &class, team, day(TODAY));
            assert_eq!(decision.allowed, allowed, "{name}: {}", decision.reason);
            assert!(
                decision.reason.contains(reason),
                "{name}: {:?} lacks {reason:?}",
                decision.reason
            );
        }
    }

    #[test]
    fn a_banned_tool_is_refused_whatever_the_class_and_team() {
        for status in [
            ToolStatus::Suspended,
            ToolStatus::Prohibited,
            ToolStatus::Retired,
        ] {
            let mut facts = tool(status);
            facts.data_classes.push("credentials".into());
            let decision = check(&facts, &class("credentials", true), "payments", day(TODAY));
            assert!(!decision.allowed, "{status}");
        }
    }

    #[test]
    fn the_review_day_itself_is_not_overdue() {
        let mut facts = tool(ToolStatus::Approved);
        facts.next_review = Some(day(TODAY));
        let decision = check(&facts, &class("internal-documents", false), "x", day(TODAY));
        assert!(decision.allowed);
        assert!(!decision.reason.contains("overdue"), "{}", decision.reason);
    }
}
