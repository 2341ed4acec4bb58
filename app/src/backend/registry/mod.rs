//! The AI-tool registry: tools and data classes, their edits with history, the policy check,
//! and the approvals the request workflow writes.

pub mod approvals;
pub mod data_classes;
pub mod editing;
pub mod grants;
pub mod policy;
pub mod tools;
