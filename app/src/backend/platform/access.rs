//! The one gate every server function and API handler passes: is there a person, may their roles
//! do this, and have they set up the second factor their role requires?

use crate::backend::identity::users::Principal;
use crate::domain::{permits, Permission};
use crate::error::AppError;

/// `Ok` when `principal` may do `permission` now.
pub fn authorize(principal: &Principal, permission: Permission) -> Result<(), AppError> {
    if principal.enrollment_owed() && permission != Permission::ManageOwnAccount {
        return Err(AppError::EnrollmentRequired);
    }
    if permits(&principal.roles, permission) {
        Ok(())
    } else {
        Err(AppError::Forbidden)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Role;

    fn principal(roles: &[Role], enrolled: bool) -> Principal {
        Principal {
            user_id: uuid::Uuid::nil(),
            email: crate::domain::Email::parse("a@example.com").expect("an address"),
            display_name: "A".into(),
            roles: roles.to_vec(),
            totp_enrolled: enrolled,
            totp_required: false,
        }
    }

    #[test]
    fn an_admin_without_a_second_factor_may_only_set_one_up() {
        let admin = principal(&[Role::Employee, Role::Admin], false);
        assert_eq!(
            authorize(&admin, Permission::ManagePeople),
            Err(AppError::EnrollmentRequired)
        );
        assert_eq!(
            authorize(&admin, Permission::ViewOrganization),
            Err(AppError::EnrollmentRequired)
        );
        assert_eq!(authorize(&admin, Permission::ManageOwnAccount), Ok(()));
        let enrolled = principal(&[Role::Employee, Role::Admin], true);
        assert_eq!(authorize(&enrolled, Permission::ManagePeople), Ok(()));
    }

    #[test]
    fn roles_without_the_permission_are_forbidden() {
        let employee = principal(&[Role::Employee], false);
        assert_eq!(authorize(&employee, Permission::ViewOrganization), Ok(()));
        assert_eq!(
            authorize(&employee, Permission::ViewAuditLog),
            Err(AppError::Forbidden)
        );
    }
}
