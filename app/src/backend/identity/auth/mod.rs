//! Authentication building blocks.

pub mod enrollment;
pub mod lock;
pub mod password;
pub mod recovery;
pub mod reseal;
pub mod session;
pub mod session_store;
pub mod sessions;
pub mod sign_in;
pub mod sign_off;
pub mod throttle;
pub mod totp;
