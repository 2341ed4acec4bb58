//! The hash-chained audit log: append in the caller's transaction, verify, search.

mod chain;
pub mod checkpoints;
mod search;
pub mod tallies;
mod verify;

pub use chain::{append, entry_hash, NewEvent};
pub use search::{export, history, search, PAGE};
pub use verify::{verify, Verification};
