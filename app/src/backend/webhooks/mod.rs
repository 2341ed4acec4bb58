//! Webhooks: admins register addresses for kinds of events (`hooks`); a change that makes an
//! event writes one delivery per listening hook in its own transaction (`emit`); the job queue
//! sends each, signed, and tries again with backoff (`deliver`); admins read the deliveries and
//! send one again (`log`).

pub mod address;
pub mod deliver;
pub mod emit;
pub mod hooks;
pub mod log;

pub use emit::{emit, Event};
