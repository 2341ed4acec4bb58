//! Tool requests: drafts, the life-cycle steps, risk, reading, decisions and receipts.

mod access;
pub mod changes;
pub mod decisions;
mod drafts;
mod lifecycle;
mod reading;
pub mod receipts;
mod risk;

pub(crate) use access::{lock, party_of, refused, Stored};
pub use drafts::{save_draft, save_draft_in};
pub use lifecycle::{act, act_in};
pub(crate) use lifecycle::{event, open_for_review};
pub use reading::{detail, detail_in, fingerprint, list};
