//! The closed sets of an incident and its life cycle, as one table:
//! `reported → triaged → contained → resolved → closed`, any open one `dismissed` with a
//! reason; triaged can go straight to resolved. Closed and dismissed are final.

use serde::{Deserialize, Serialize};

named_values! {
    /// What kind of incident it is; each kind has its playbook.
    IncidentKind, "incident kind" {
        ToolCompromised => "tool_compromised", "AI tool compromised",
        MaliciousPackage => "malicious_package", "Malicious package",
        DataSent => "data_sent", "Data sent to an AI tool",
        HarmfulOutput => "harmful_output", "Harmful or wrong output",
        VendorBreach => "vendor_breach", "Vendor breach",
        Other => "other", "Other",
    }
}

named_values! {
    /// How bad it is, least first.
    Severity, "severity" {
        Low => "low", "Low",
        Medium => "medium", "Medium",
        High => "high", "High",
        Critical => "critical", "Critical",
    }
}

named_values! {
    /// Where an incident stands.
    IncidentStatus, "incident status" {
        Reported => "reported", "Reported",
        Triaged => "triaged", "Triaged",
        Contained => "contained", "Contained",
        Resolved => "resolved", "Resolved",
        Closed => "closed", "Closed",
        Dismissed => "dismissed", "Dismissed",
    }
}

use IncidentStatus as S;

/// Every allowed change of status; staying where it is is always allowed while open.
const STEPS: &[(IncidentStatus, IncidentStatus)] = &[
    (S::Reported, S::Triaged),
    (S::Reported, S::Dismissed),
    (S::Triaged, S::Contained),
    (S::Triaged, S::Resolved),
    (S::Triaged, S::Dismissed),
    (S::Contained, S::Resolved),
    (S::Resolved, S::Closed),
];

impl IncidentStatus {
    /// Nothing changes an incident in this status any more.
    pub fn is_final(self) -> bool {
        matches!(self, Self::Closed | Self::Dismissed)
    }

    /// Still being worked on: not resolved, closed or dismissed.
    pub fn is_open(self) -> bool {
        matches!(self, Self::Reported | Self::Triaged | Self::Contained)
    }

    /// The statuses a triager may move an incident in `self` to (itself included while open).
    pub fn next(self) -> Vec<IncidentStatus> {
        if self.is_final() {
            return vec![];
        }
        std::iter::once(self)
            .chain(
                STEPS
                    .iter()
                    .filter(|(from, _)| *from == self)
                    .map(|(_, to)| *to),
            )
            .collect()
    }

    /// Why `self → to` is refused, if it is.
    pub fn refuse(self, to: IncidentStatus) -> Option<String> {
        if self.is_final() {
            return Some(format!(
                "this incident is {} and cannot change any more",
                self.label().to_lowercase()
            ));
        }
        (!self.next().contains(&to)).then(|| {
            format!(
                "cannot go from {} to {}",
                self.label().to_lowercase(),
                to.label().to_lowercase()
            )
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_life_cycle_moves_forward_only_and_ends_closed_or_dismissed() {
        assert_eq!(S::Reported.next(), [S::Reported, S::Triaged, S::Dismissed]);
        assert_eq!(
            S::Triaged.next(),
            [S::Triaged, S::Contained, S::Resolved, S::Dismissed]
        );
        assert_eq!(S::Contained.next(), [S::Contained, S::Resolved]);
        assert_eq!(S::Resolved.next(), [S::Resolved, S::Closed]);
        for last in [S::Closed, S::Dismissed] {
            assert!(last.next().is_empty());
            assert!(last
                .refuse(S::Reported)
                .is_some_and(|m| m.contains("cannot change")));
        }
        assert_eq!(
            S::Contained.refuse(S::Reported).as_deref(),
            Some("cannot go from contained to reported")
        );
        assert_eq!(
            S::Reported.refuse(S::Closed).as_deref(),
            Some("cannot go from reported to closed")
        );
        assert!(S::Reported.refuse(S::Reported).is_none());
        assert!(S::Triaged.is_open() && !S::Resolved.is_open());
    }

    #[test]
    fn severities_are_ordered_least_first() {
        assert!(Severity::Low < Severity::Medium && Severity::High < Severity::Critical);
    }
}
