//! Pure types and rules: no I/O, compiled for the browser and the server alike.

/// The conversions every validated string type shares: `as_str`, `Display`, and serde through
/// `String` (deserializing runs `parse`, so invalid values never get in).
macro_rules! validated_string {
    ($type:ident) => {
        impl $type {
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl TryFrom<String> for $type {
            type Error = String;
            fn try_from(value: String) -> Result<Self, Self::Error> {
                Self::parse(&value)
            }
        }

        impl From<$type> for String {
            fn from(value: $type) -> Self {
                value.0
            }
        }

        impl AsRef<str> for $type {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }

        impl std::fmt::Display for $type {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(&self.0)
            }
        }
    };
}

pub mod access;
mod audit;
mod changes;
mod day;
mod display_name;
mod email;
mod membership;
mod password;
pub mod policy;
mod recovery_code;
mod registry;
mod registry_input;
mod role;
mod slug;
mod team_filter;
pub mod throttle;
mod totp_code;

pub use access::{enrollment_owed, permits, Permission};
pub use audit::{Actor, AuditAction, AuditRecord};
pub use changes::{field_changes, FieldChange};
pub use day::Day;
pub use display_name::DisplayName;
pub use email::Email;
pub use membership::Membership;
pub use password::Password;
pub use recovery_code::RecoveryCode;
pub use registry::{
    ClassificationLevel, Distribution, Sha256Checksum, ToolCategory, ToolStatus,
    ACCESS_REQUIREMENTS,
};
pub use registry_input::{DataClassForm, RequirementSetting, ToolForm, ValidDataClass, ValidTool};
pub use role::Role;
pub use slug::Slug;
pub use team_filter::matches_filter;
pub use totp_code::TotpCode;
