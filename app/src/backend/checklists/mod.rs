//! Team checklists, the checklist framework, the compliance dashboard and the CSV exports.

mod access;
mod dashboard;
mod export;
pub mod framework;
mod items;
mod progress;

pub use access::visible_teams;
pub use dashboard::dashboard;
pub use export::{dashboard_csv, team_csv};
pub(crate) use items::{record, week_start};
pub use items::{team_checklist, update_item};
pub use progress::progress;
