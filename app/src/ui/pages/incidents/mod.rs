//! The incident register: the list, the report form, an incident's page and the playbooks.

mod exercises;
mod incident;
mod list;
mod playbooks;
mod report;

pub use exercises::{ExercisePage, ExercisesPage};
pub use incident::IncidentPage;
pub use list::IncidentsPage;
pub use playbooks::{PlaybookPageView, PlaybooksPage};
pub use report::ReportIncidentPage;
