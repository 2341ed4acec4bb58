//! Pure types and rules: no I/O, compiled for the browser and the server alike.

mod audit;
mod display_name;
mod email;
mod password;
mod role;
mod slug;
mod team_filter;
pub mod throttle;
mod totp_code;

pub use audit::{Actor, AuditAction, AuditRecord};
pub use display_name::DisplayName;
pub use email::Email;
pub use password::Password;
pub use role::Role;
pub use slug::Slug;
pub use team_filter::matches_filter;
pub use totp_code::TotpCode;
