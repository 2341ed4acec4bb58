//! Incidents: what went wrong with an AI tool, and how it is worked from report to review.

pub mod exercise;
pub mod input;
pub mod playbook;
pub mod reinstate;
pub mod status;
pub mod stop;

pub use exercise::{ExerciseForm, OutcomeForm, ValidExercise};
pub use input::{FollowUpForm, IncidentForm, ReviewForm, TriageForm, ValidIncident, ValidTriage};
pub use playbook::{Channel, PlaybookForm, PlaybookStep, ValidPlaybook};
pub use reinstate::{ReinstateForm, ValidReinstatement};
pub use status::{IncidentKind, IncidentStatus, Severity};
pub use stop::{StopForm, ValidStop};
