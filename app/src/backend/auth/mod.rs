//! Authentication building blocks.

pub mod password;
pub mod session;
pub mod session_store;
pub mod sign_in;
pub mod throttle;
pub mod totp;
