//! Single sign-on through the organization's OpenID provider (`serve --oidc-*`): the
//! authorization code flow with PKCE, `state` and `nonce` (`provider`), and the portal account
//! it signs in to, with the provider's groups mapped to roles and teams (`accounts`,
//! `mappings`). Decisions still need the portal's own TOTP code.

pub mod accounts;
pub mod mappings;
pub mod provider;

pub use accounts::{account_for, SsoAccount};
pub use provider::{Identity, Pending, Refusal, Sso, SsoSettings};
