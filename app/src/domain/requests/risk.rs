//! The risk score of a tool request: transparent rules, each with its points and the reason it
//! fired, shown on the request page. The level decides how many distinct reviewers must sign
//! off: high risk needs two.

use serde::{Deserialize, Serialize};

use crate::domain::{ClassificationLevel, Distribution};

/// A data class the request will touch, as the rules see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TouchedClass {
    pub name: String,
    pub level: ClassificationLevel,
    pub prohibited_by_default: bool,
}

/// What the tool will be able to reach.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccessNeeds {
    pub file_system: bool,
    pub terminal: bool,
    pub git: bool,
    pub internet: bool,
    pub production: bool,
}

/// The facts the rules read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RiskInput {
    pub data_classes: Vec<TouchedClass>,
    pub access: AccessNeeds,
    pub distribution: Distribution,
    pub pinned_version: bool,
    pub checksum: bool,
    pub vendor_trains_on_data: bool,
    pub users: u32,
    /// The tool it concerns is stopped by the kill switch: anything that would let it be used
    /// again needs two reviewers.
    pub stopped: bool,
}

named_values! {
    /// How risky a request is.
    RiskLevel, "risk level" {
        Low => "low", "Low",
        Medium => "medium", "Medium",
        High => "high", "High",
    }
}

/// One rule that fired.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct RuleHit {
    /// Stable key, e.g. `restricted_data`.
    pub rule: String,
    pub points: u32,
    /// Makes the request high risk whatever the total.
    pub forces_high: bool,
    /// Why it fired, for a person.
    pub reason: String,
}

/// The outcome: score, level, how many reviewers must approve, and every rule that fired.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct RiskAssessment {
    pub score: u32,
    pub level: RiskLevel,
    pub required_approvals: usize,
    pub hits: Vec<RuleHit>,
}

/// Scores from this total up are high risk; from [`MEDIUM_FROM`] medium.
pub const HIGH_FROM: u32 = 6;
pub const MEDIUM_FROM: u32 = 3;

fn names(classes: &[&TouchedClass]) -> String {
    classes
        .iter()
        .map(|c| c.name.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

/// Applies every rule to `input`.
pub fn assess(input: &RiskInput) -> RiskAssessment {
    let mut hits = vec![];
    let mut hit = |rule: &str, points: u32, forces_high: bool, reason: String| {
        hits.push(RuleHit {
            rule: rule.to_owned(),
            points,
            forces_high,
            reason,
        });
    };
    let restricted: Vec<&TouchedClass> = input
        .data_classes
        .iter()
        .filter(|c| c.level == ClassificationLevel::Restricted)
        .collect();
    if !restricted.is_empty() {
        hit(
            "restricted_data",
            3,
            true,
            format!("Restricted data: {}", names(&restricted)),
        );
    }
    let prohibited: Vec<&TouchedClass> = input
        .data_classes
        .iter()
        .filter(|c| c.prohibited_by_default)
        .collect();
    if !prohibited.is_empty() {
        hit(
            "prohibited_by_default_data",
            3,
            false,
            format!(
                "Data prohibited from AI tools by default: {}",
                names(&prohibited)
            ),
        );
    }
    let confidential: Vec<&TouchedClass> = input
        .data_classes
        .iter()
        .filter(|c| c.level == ClassificationLevel::Confidential)
        .collect();
    if !confidential.is_empty() {
        hit(
            "confidential_data",
            1,
            false,
            format!("Confidential data: {}", names(&confidential)),
        );
    }
    let access = input.access;
    if access.production {
        hit(
            "production_access",
            4,
            true,
            "Access to production systems".to_owned(),
        );
    }
    if access.terminal {
        hit(
            "terminal_access",
            2,
            false,
            "Runs commands in a terminal".to_owned(),
        );
    }
    for (needed, rule, reason) in [
        (
            access.file_system,
            "file_system_access",
            "Reads and writes files",
        ),
        (access.git, "git_access", "Uses git (can push code)"),
        (access.internet, "internet_access", "Reaches the internet"),
    ] {
        if needed {
            hit(rule, 1, false, reason.to_owned());
        }
    }
    // A hosted service has no package to pin; anything installed does.
    if input.distribution != Distribution::Saas {
        if !input.pinned_version {
            hit(
                "unpinned_version",
                2,
                true,
                "No pinned version: any release could be installed".to_owned(),
            );
        }
        if !input.checksum {
            hit(
                "no_checksum",
                2,
                false,
                "No SHA-256 checksum to verify the package".to_owned(),
            );
        }
    }
    if input.vendor_trains_on_data {
        hit(
            "vendor_trains_on_data",
            3,
            false,
            "The vendor trains its models on customer data".to_owned(),
        );
    }
    if input.users > 250 {
        hit(
            "many_users",
            2,
            false,
            format!("{} users (more than 250)", input.users),
        );
    } else if input.users > 50 {
        hit(
            "many_users",
            1,
            false,
            format!("{} users (more than 50)", input.users),
        );
    }
    if input.stopped {
        hit(
            "stopped_tool",
            0,
            true,
            "The tool is stopped by the kill switch: reinstating it needs two reviewers".to_owned(),
        );
    }
    let score = hits.iter().map(|h| h.points).sum();
    let level = if score >= HIGH_FROM || hits.iter().any(|h| h.forces_high) {
        RiskLevel::High
    } else if score >= MEDIUM_FROM {
        RiskLevel::Medium
    } else {
        RiskLevel::Low
    };
    RiskAssessment {
        score,
        level,
        required_approvals: if level == RiskLevel::High { 2 } else { 1 },
        hits,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn quiet() -> RiskInput {
        RiskInput {
            data_classes: vec![],
            access: AccessNeeds::default(),
            distribution: Distribution::Saas,
            pinned_version: false,
            checksum: false,
            vendor_trains_on_data: false,
            stopped: false,
            users: 5,
        }
    }

    fn class(name: &str, level: ClassificationLevel, prohibited: bool) -> TouchedClass {
        TouchedClass {
            name: name.into(),
            level,
            prohibited_by_default: prohibited,
        }
    }

    fn rules(assessment: &RiskAssessment) -> Vec<&str> {
        assessment.hits.iter().map(|h| h.rule.as_str()).collect()
    }

    #[test]
    fn a_hosted_tool_for_public_data_is_low_risk_with_one_reviewer() {
        let mut input = quiet();
        input.data_classes = vec![class(
            "Public information",
            ClassificationLevel::Public,
            false,
        )];
        let assessment = assess(&input);
        assert_eq!(assessment.score, 0);
        assert_eq!(assessment.level, RiskLevel::Low);
        assert_eq!(assessment.required_approvals, 1);
        assert!(assessment.hits.is_empty());
    }

    #[test]
    fn each_rule_fires_with_its_points_and_reason() {
        type Apply = Box<dyn Fn(&mut RiskInput)>;
        let cases: Vec<(&str, u32, Apply)> = vec![
            (
                "restricted_data",
                3,
                Box::new(|i: &mut RiskInput| {
                    i.data_classes =
                        vec![class("Health data", ClassificationLevel::Restricted, false)]
                }),
            ),
            (
                "prohibited_by_default_data",
                3,
                Box::new(|i: &mut RiskInput| {
                    i.data_classes = vec![class("Source", ClassificationLevel::Internal, true)]
                }),
            ),
            (
                "confidential_data",
                1,
                Box::new(|i: &mut RiskInput| {
                    i.data_classes = vec![class("Plans", ClassificationLevel::Confidential, false)]
                }),
            ),
            (
                "production_access",
                4,
                Box::new(|i: &mut RiskInput| i.access.production = true),
            ),
            (
                "terminal_access",
                2,
                Box::new(|i: &mut RiskInput| i.access.terminal = true),
            ),
            (
                "file_system_access",
                1,
                Box::new(|i: &mut RiskInput| i.access.file_system = true),
            ),
            (
                "git_access",
                1,
                Box::new(|i: &mut RiskInput| i.access.git = true),
            ),
            (
                "internet_access",
                1,
                Box::new(|i: &mut RiskInput| i.access.internet = true),
            ),
            (
                "vendor_trains_on_data",
                3,
                Box::new(|i: &mut RiskInput| i.vendor_trains_on_data = true),
            ),
            (
                "stopped_tool",
                0,
                Box::new(|i: &mut RiskInput| i.stopped = true),
            ),
            ("many_users", 1, Box::new(|i: &mut RiskInput| i.users = 51)),
            ("many_users", 2, Box::new(|i: &mut RiskInput| i.users = 251)),
        ];
        for (rule, points, apply) in cases {
            let mut input = quiet();
            apply(&mut input);
            let assessment = assess(&input);
            assert_eq!(rules(&assessment), [rule], "{input:?}");
            assert_eq!(assessment.score, points, "{rule}");
            assert!(!assessment.hits[0].reason.is_empty());
        }
        // The boundaries of the user-count rule.
        let mut input = quiet();
        input.users = 50;
        assert!(assess(&input).hits.is_empty());
    }

    #[test]
    fn installed_packages_must_be_pinned_and_checksummed() {
        let mut input = quiet();
        input.distribution = Distribution::Npm;
        let assessment = assess(&input);
        assert_eq!(rules(&assessment), ["unpinned_version", "no_checksum"]);
        assert_eq!(assessment.level, RiskLevel::High, "unpinned is high risk");
        input.pinned_version = true;
        let assessment = assess(&input);
        assert_eq!(rules(&assessment), ["no_checksum"]);
        assert_eq!(assessment.level, RiskLevel::Low);
        input.checksum = true;
        assert!(assess(&input).hits.is_empty());
    }

    #[test]
    fn restricted_data_or_production_access_alone_needs_two_reviewers() {
        let mut input = quiet();
        input.data_classes = vec![class(
            "Customer data",
            ClassificationLevel::Restricted,
            true,
        )];
        let assessment = assess(&input);
        assert_eq!(assessment.score, 6);
        assert_eq!(assessment.level, RiskLevel::High);
        assert_eq!(assessment.required_approvals, 2);
        assert_eq!(assessment.hits[0].reason, "Restricted data: Customer data");
        let mut input = quiet();
        input.access.production = true;
        let assessment = assess(&input);
        assert_eq!((assessment.score, assessment.level), (4, RiskLevel::High));
    }

    #[test]
    fn points_add_up_to_the_levels() {
        let mut input = quiet();
        input.access.terminal = true;
        input.access.git = true;
        let assessment = assess(&input);
        assert_eq!((assessment.score, assessment.level), (3, RiskLevel::Medium));
        assert_eq!(assessment.required_approvals, 1);
        input.access.file_system = true;
        input.access.internet = true;
        input.users = 60;
        let assessment = assess(&input);
        assert_eq!((assessment.score, assessment.level), (6, RiskLevel::High));
        assert_eq!(assessment.required_approvals, 2);
    }
}
