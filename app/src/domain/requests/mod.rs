//! Tool requests: the form, the life cycle, the risk rules, decisions and signed receipts.

pub mod asked;
pub mod decision;
pub mod input;
pub mod receipt;
pub mod review_target;
pub mod risk;
pub mod state;

pub use input::RequestForm;
