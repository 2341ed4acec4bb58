use std::fmt;

use serde::{Deserialize, Serialize};

/// What a person may do in the portal. A person may hold several roles.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Everyone signed in.
    Employee,
    /// IT security: reviews requests, maintains the registry.
    Reviewer,
    /// Watches the compliance dashboards of their teams.
    Manager,
    /// The designated AI security officer: people, teams, settings, audit.
    Admin,
}

impl Role {
    pub const ALL: [Role; 4] = [Role::Employee, Role::Reviewer, Role::Manager, Role::Admin];

    pub fn parse(input: &str) -> Result<Self, String> {
        Self::ALL
            .into_iter()
            .find(|role| role.as_str() == input)
            .ok_or_else(|| "must be one of employee, reviewer, manager, admin".into())
    }

    /// The known roles among stored names, in the order of [`Role::ALL`], without repeats.
    /// Roles as a form sends them (the `roles` field), each by its name.
    pub fn parse_form(names: &[String]) -> Result<Vec<Role>, crate::error::AppError> {
        names
            .iter()
            .map(|name| Self::parse(name).map_err(|m| crate::error::AppError::invalid("roles", m)))
            .collect()
    }

    pub fn from_stored(names: &[String]) -> Vec<Role> {
        Self::ALL
            .into_iter()
            .filter(|role| names.iter().any(|name| name == role.as_str()))
            .collect()
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Employee => "employee",
            Self::Reviewer => "reviewer",
            Self::Manager => "manager",
            Self::Admin => "admin",
        }
    }

    /// Reviewers and admins sign decisions and change settings: they always need a second factor.
    pub fn requires_totp(self) -> bool {
        matches!(self, Self::Reviewer | Self::Admin)
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_its_own_names_only() {
        for role in Role::ALL {
            assert_eq!(Role::parse(role.as_str()), Ok(role));
            assert_eq!(
                serde_json::to_string(&role).expect("json"),
                format!("\"{role}\"")
            );
        }
        assert!(Role::parse("Admin").is_err());
        assert!(Role::parse("root").is_err());
        assert!(Role::parse("").is_err());
    }

    #[test]
    fn reviewers_and_admins_need_totp() {
        let needing: Vec<_> = Role::ALL
            .into_iter()
            .filter(|r| r.requires_totp())
            .collect();
        assert_eq!(needing, [Role::Reviewer, Role::Admin]);
    }
}
