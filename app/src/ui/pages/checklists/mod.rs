//! Team checklists and the compliance dashboard.

mod dashboard;
mod team;

pub use dashboard::DashboardPage;
pub use team::{ChecklistsPage, TeamChecklistPage};
