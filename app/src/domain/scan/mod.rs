//! "Check before you paste": what the scanner knows without the database — the detectors'
//! form, the built-in detectors with the checks that tell a real card, IBAN or national ID
//! number from one that merely looks right, and the one-pass engine (server only: the browser
//! bundle carries no regular-expression engine).

#[cfg(feature = "ssr")]
pub mod builtins;
pub mod checks;
pub mod detector;
#[cfg(feature = "ssr")]
pub mod engine;

pub use detector::{DetectorForm, DetectorKind, DetectorSpec, ValidDetector};
