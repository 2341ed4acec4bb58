//! Authentication building blocks.

pub mod password;
pub mod sign_in;
pub mod throttle;
pub mod totp;
