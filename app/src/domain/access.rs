//! Authorization: the one table of what each role may do. Every server function and API handler
//! asks [`permits`] (through `backend::access`) before it touches anything.

use serde::{Deserialize, Serialize};

use super::Role;

/// Something a signed-in person may or may not do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Permission {
    /// See the organization and its teams.
    ViewOrganization,
    /// Their own password, second factor, sessions and API tokens.
    ManageOwnAccount,
    /// Invite people, change roles and teams, disable accounts, reset a second factor.
    ManagePeople,
    /// Create and rename teams, set their members and managers.
    ManageTeams,
    /// Organization settings.
    ManageSettings,
    /// Read and verify the audit log.
    ViewAuditLog,
    /// Look tools and data classes up and ask the policy check.
    ViewRegistry,
    /// Create and edit tools and data classes (IT security).
    ManageRegistry,
    /// Request tools and follow requests they may see (who sees which request is decided per
    /// request: requester, team managers, reviewers, admins).
    RequestTools,
    /// Decide on requests with a TOTP sign-off (IT security); never on one's own request.
    DecideRequests,
    /// Compliance dashboards: managers for the teams they manage, admins for all.
    ViewDashboards,
    /// Add, edit and retire checklist items.
    ManageChecklist,
    /// Work on any request as its reviewer: take it, ask for changes (IT security).
    ReviewRequests,
    /// The review queue: every request waiting for review.
    ViewReviewQueue,
    /// Read any request, as an observer (team managers read their teams' requests).
    ObserveAllRequests,
    /// File requests for any team, not only one's own.
    RequestForAnyTeam,
    /// Open and update every team's checklist, not only one's own teams'.
    ManageAllChecklists,
    /// The dashboards of the whole organization, not only of the teams one manages.
    ViewAllDashboards,
    /// Report an incident and follow the ones one may see (reporters their own, managers
    /// those touching their teams).
    ReportIncidents,
    /// See every incident and triage it: severity, owner, status, review (IT security, admins).
    ManageIncidents,
}

impl Permission {
    pub const ALL: [Permission; 20] = [
        Self::ViewOrganization,
        Self::ManageOwnAccount,
        Self::ManagePeople,
        Self::ManageTeams,
        Self::ManageSettings,
        Self::ViewAuditLog,
        Self::ViewRegistry,
        Self::ManageRegistry,
        Self::RequestTools,
        Self::DecideRequests,
        Self::ViewDashboards,
        Self::ManageChecklist,
        Self::ReviewRequests,
        Self::ViewReviewQueue,
        Self::ObserveAllRequests,
        Self::RequestForAnyTeam,
        Self::ManageAllChecklists,
        Self::ViewAllDashboards,
        Self::ReportIncidents,
        Self::ManageIncidents,
    ];

    /// The roles granted this permission.
    pub fn roles(self) -> &'static [Role] {
        const EVERYONE: &[Role] = &Role::ALL;
        const ADMINS: &[Role] = &[Role::Admin];
        const REVIEWERS: &[Role] = &[Role::Reviewer];
        match self {
            Self::ViewOrganization
            | Self::ManageOwnAccount
            | Self::ViewRegistry
            | Self::RequestTools
            | Self::ReportIncidents => EVERYONE,
            Self::ManageRegistry | Self::DecideRequests | Self::ReviewRequests => REVIEWERS,
            Self::ViewReviewQueue | Self::ManageIncidents => &[Role::Reviewer, Role::Admin],
            Self::ViewDashboards => &[Role::Manager, Role::Admin],
            Self::ManagePeople
            | Self::ManageTeams
            | Self::ManageSettings
            | Self::ViewAuditLog
            | Self::ManageChecklist
            | Self::ObserveAllRequests
            | Self::RequestForAnyTeam
            | Self::ManageAllChecklists
            | Self::ViewAllDashboards => ADMINS,
        }
    }
}

/// Whether someone holding `roles` may do `permission`.
pub fn permits(roles: &[Role], permission: Permission) -> bool {
    roles.iter().any(|role| permission.roles().contains(role))
}

/// Whether someone must enroll a second factor before doing anything but that: reviewers and
/// admins always, everyone when the organization requires it.
pub fn enrollment_owed(roles: &[Role], required_for_all: bool, enrolled: bool) -> bool {
    !enrolled && (required_for_all || roles.iter().any(|role| role.requires_totp()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn admin_only_permissions_are_refused_to_every_other_role() {
        for permission in [
            Permission::ManagePeople,
            Permission::ManageTeams,
            Permission::ManageSettings,
            Permission::ViewAuditLog,
        ] {
            assert!(permits(&[Role::Admin], permission));
            for role in [Role::Employee, Role::Reviewer, Role::Manager] {
                assert!(!permits(&[role], permission), "{role} {permission:?}");
            }
            assert!(permits(&[Role::Employee, Role::Admin], permission));
        }
    }

    #[test]
    fn only_reviewers_maintain_the_registry() {
        assert!(permits(&[Role::Reviewer], Permission::ManageRegistry));
        for role in [Role::Employee, Role::Manager, Role::Admin] {
            assert!(!permits(&[role], Permission::ManageRegistry), "{role}");
        }
    }

    #[test]
    fn everyone_sees_the_organization_the_registry_and_their_account() {
        for role in Role::ALL {
            assert!(permits(&[role], Permission::ViewOrganization));
            assert!(permits(&[role], Permission::ManageOwnAccount));
            assert!(permits(&[role], Permission::ViewRegistry));
        }
        assert!(
            !permits(&[], Permission::ViewOrganization),
            "no role, no access"
        );
    }

    #[test]
    fn reviewers_work_requests_and_admins_oversee_them() {
        assert!(permits(&[Role::Reviewer], Permission::ReviewRequests));
        assert!(!permits(&[Role::Admin], Permission::ReviewRequests));
        for role in [Role::Reviewer, Role::Admin] {
            assert!(permits(&[role], Permission::ViewReviewQueue), "{role}");
        }
        for role in [Role::Employee, Role::Manager] {
            assert!(!permits(&[role], Permission::ViewReviewQueue), "{role}");
        }
        for permission in [
            Permission::ObserveAllRequests,
            Permission::RequestForAnyTeam,
            Permission::ManageAllChecklists,
            Permission::ViewAllDashboards,
        ] {
            assert!(permits(&[Role::Admin], permission));
            for role in [Role::Employee, Role::Reviewer, Role::Manager] {
                assert!(!permits(&[role], permission), "{role} {permission:?}");
            }
        }
    }

    #[test]
    fn enrollment_is_owed_by_reviewers_and_admins_or_everyone_when_required() {
        assert!(enrollment_owed(&[Role::Admin], false, false));
        assert!(enrollment_owed(
            &[Role::Employee, Role::Reviewer],
            false,
            false
        ));
        assert!(!enrollment_owed(
            &[Role::Employee, Role::Manager],
            false,
            false
        ));
        assert!(enrollment_owed(&[Role::Employee], true, false));
        assert!(!enrollment_owed(&[Role::Admin], true, true));
    }
}
