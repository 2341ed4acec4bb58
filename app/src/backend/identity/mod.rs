//! Accounts and how people prove who they are: users and principals, sign-in and second
//! factors, sessions, API tokens, invitations, the first-run setup and the people admins manage.

pub mod account;
pub mod auth;
pub mod invitations;
pub mod people;
pub mod setup;
pub mod sso;
pub mod token_cache;
pub mod tokens;
pub mod users;
