//! Pure types and rules: no I/O, compiled for the browser and the server alike.

mod audit;
mod org_name;
mod slug;
mod team_filter;

pub use audit::{Actor, AuditAction, AuditRecord};
pub use org_name::OrgName;
pub use slug::Slug;
pub use team_filter::matches_filter;
