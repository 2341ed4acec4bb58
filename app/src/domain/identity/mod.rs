//! Who someone is and how they prove it: addresses, names, passwords, roles, second factors and
//! the throttling of guesses.

mod display_name;
mod email;
mod membership;
mod password;
mod recovery_code;
pub mod return_to;
mod role;
pub mod throttle;
pub mod token;
mod totp_code;

pub use display_name::DisplayName;
pub use email::Email;
pub use membership::Membership;
pub use password::Password;
pub use recovery_code::RecoveryCode;
pub use return_to::ReturnTo;
pub use role::Role;
pub use token::TokenScope;
pub use totp_code::TotpCode;
