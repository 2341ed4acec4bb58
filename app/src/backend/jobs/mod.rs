//! Work that leaves the transaction causing it, on one queue in PostgreSQL: `queue` (enqueue in
//! the cause's transaction, claim with a lease, finish, fail with backoff, dead letters),
//! `worker` (runs what is due, any number of instances) and the handlers (`reminders`; webhook
//! deliveries live with the webhooks).

pub mod dead;
pub mod queue;
pub mod reminders;
pub mod summaries;
pub mod worker;
