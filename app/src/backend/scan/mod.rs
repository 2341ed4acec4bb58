//! "Check before you paste": the organization's detectors (reviewers edit them), the rule set
//! compiled once per version, and scanning a text for the page and the API — never storing it,
//! recording only who scanned, when, how much and what was found.

pub mod detectors;
pub mod evidence;
pub mod records;
pub mod rules;
pub mod scanning;

pub use evidence::prohibited_data_evidence;
pub use rules::ScannerCache;
pub use scanning::{scan_text, ScanRequest, ScanVia};
