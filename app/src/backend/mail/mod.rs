//! E-mail: the SMTP client, people's choices, and the jobs that mail notifications one by one
//! or as a daily digest.

pub mod check;
pub mod mailer;
pub mod preferences;
pub mod sending;

pub use mailer::{Mailer, SmtpSecurity, SmtpSettings};
