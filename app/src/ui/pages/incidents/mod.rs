//! The incident register: the list, the report form and an incident's page.

mod incident;
mod list;
mod report;

pub use incident::IncidentPage;
pub use list::IncidentsPage;
pub use report::ReportIncidentPage;
