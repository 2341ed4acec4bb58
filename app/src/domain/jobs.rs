//! The job queue's rules: which kinds of work it runs and how long a failed attempt waits.

use chrono::TimeDelta;
use serde::{Deserialize, Serialize};

named_values! {
    /// The kinds of work the queue runs; each has one handler (`backend::jobs::worker`).
    JobKind, "job kind" {
        ReviewReminders => "review_reminders", "Review-date reminders",
        ChecklistReminders => "checklist_reminders", "Checklist due-date reminders",
        WebhookDelivery => "webhook_delivery", "Webhook delivery",
        Email => "email", "E-mail of a notification",
        EmailDigests => "email_digests", "Daily e-mail digests",
        EmailDigest => "email_digest", "One person's e-mail digest",
        ManagerSummaries => "manager_summaries", "Managers' weekly summaries",
    }
}

/// Attempts a job gets before it is dead (kept for admins to read).
pub const MAX_ATTEMPTS: i32 = 8;

/// Attempts of an e-mail: a mail server down for a night (about 13 hours) loses nothing.
pub const EMAIL_ATTEMPTS: i32 = 20;

/// How long a job waits after its `attempts`-th failed attempt: 30 s, doubling each time, at
/// most an hour (8 attempts span about 64 minutes).
pub fn backoff(attempts: i32) -> TimeDelta {
    let doublings = attempts.clamp(1, 8) - 1;
    TimeDelta::seconds((30_i64 << doublings).min(3600))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_failure_waits_twice_as_long_up_to_an_hour() {
        let waits: Vec<i64> = (0..=10).map(|n| backoff(n).num_seconds()).collect();
        assert_eq!(
            waits,
            [30, 30, 60, 120, 240, 480, 960, 1920, 3600, 3600, 3600]
        );
    }

    #[test]
    fn kinds_round_trip_through_their_names() {
        for kind in JobKind::ALL {
            assert_eq!(JobKind::parse(kind.as_str()), Ok(*kind));
        }
        assert!(JobKind::parse("send_everything").is_err());
    }
}
