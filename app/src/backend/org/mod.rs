//! The organization: its overview, teams and settings.

pub mod overview;
pub mod settings;
pub mod teams;
