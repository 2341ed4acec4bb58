use std::fmt;

use serde::{Deserialize, Serialize};

/// How someone belongs to a team. Managers see the team's dashboards; they count as members.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Membership {
    Member,
    Manager,
}

impl Membership {
    pub const ALL: [Membership; 2] = [Membership::Member, Membership::Manager];

    pub fn parse(input: &str) -> Result<Self, String> {
        Self::ALL
            .into_iter()
            .find(|m| m.as_str() == input)
            .ok_or_else(|| "must be member or manager".into())
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Member => "member",
            Self::Manager => "manager",
        }
    }
}

impl fmt::Display for Membership {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_only_known_memberships() {
        assert_eq!(Membership::parse("manager"), Ok(Membership::Manager));
        assert!(Membership::parse("owner").is_err());
        assert!(Membership::parse("Member").is_err());
    }
}
