//! The administration pages (admins only): people, teams, checklist items, settings,
//! integrations (webhooks and failed jobs), audit log.

mod audit;
mod checklist;
mod integrations;
mod people;
mod settings;
mod sso;
mod teams;

pub use audit::AuditPage;
pub use checklist::ChecklistAdminPage;
pub use integrations::IntegrationsPage;
pub use people::{PeoplePage, PersonPage};
pub use settings::SettingsPage;
pub use teams::{TeamPage, TeamsPage};
