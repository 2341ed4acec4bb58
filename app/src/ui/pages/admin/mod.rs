//! The administration pages (admins only): people, teams, checklist items, settings, audit log.

mod audit;
mod checklist;
mod people;
mod settings;
mod teams;

pub use audit::AuditPage;
pub use checklist::ChecklistAdminPage;
pub use people::{PeoplePage, PersonPage};
pub use settings::SettingsPage;
pub use teams::{TeamPage, TeamsPage};
