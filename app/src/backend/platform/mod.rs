//! What every feature stands on: the services a request sees, the clock, key files, secrets,
//! receipt signing, the permission check, and who changes something when.

pub mod access;
pub mod change;
pub mod clock;
pub mod db_trouble;
pub mod key_file;
pub mod lookups;
pub mod notified;
pub mod qr;
pub mod rate;
pub mod revocations;
pub mod secrets;
pub mod services;
pub mod signing;
pub mod site_files;
