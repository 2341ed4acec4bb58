//! Server functions: the browser's entry points into the backend.
//!
//! Each one passes [`guard`] (the signed-in person and the one permission it needs) or, for
//! signing in and first-run setup, `open`; then calls the backend. No SQL lives here.

mod account;
mod admin;
mod auth;
mod checklists;
mod decisions;
mod exercises;
mod incidents;
mod integrations;
mod notifications;
mod onboarding;
mod overview;
mod playbooks;
mod registry;
mod requests;
mod scan;

pub use account::*;
pub use admin::*;
pub use auth::*;
pub use checklists::*;
pub use decisions::*;
pub use exercises::*;
pub use incidents::*;
pub use integrations::*;
pub use notifications::*;
pub use onboarding::*;
pub use overview::*;
pub use playbooks::*;
pub use registry::*;
pub use requests::*;
pub use scan::*;

#[cfg(feature = "ssr")]
mod guard;
