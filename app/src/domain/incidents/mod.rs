//! Incidents: what went wrong with an AI tool, and how it is worked from report to review.

pub mod input;
pub mod status;
pub mod stop;

pub use input::{FollowUpForm, IncidentForm, ReviewForm, TriageForm, ValidIncident, ValidTriage};
pub use status::{IncidentKind, IncidentStatus, Severity};
pub use stop::{StopForm, ValidStop};
