//! Signing in, first-run setup, invitations and one's own account.

mod account;
mod onboarding;
mod sign_in;

pub use account::{AccountPage, TwoFactorPage};
pub use onboarding::{InvitePage, SetupPage};
pub use sign_in::{SignInCodePage, SignInPage};
