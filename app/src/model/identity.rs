//! Identity: signing in, one's own account, invitations and the people admins manage.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::domain::{permits, Membership, Permission, Role, TokenScope};

/// Where signing in stands after the password.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum SignInStep {
    SignedIn,
    /// A code from the authenticator app must follow.
    CodeRequired,
}

/// What the sign-in page offers a visitor.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignInOptions {
    /// "Sign in with <name>", when the portal signs in through an OpenID provider.
    pub sso: Option<String>,
    /// Why the last single sign-on in this browser was refused, said once.
    pub problem: Option<String>,
}

/// The signed-in person, as the UI shows them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CurrentUser {
    pub email: String,
    pub name: String,
    pub roles: Vec<Role>,
    /// Must set up two-factor sign-in before anything else.
    pub needs_two_factor: bool,
    pub unread_notifications: i64,
    /// A confirmation of the change just made, shown once at the top of the page.
    pub notice: Option<String>,
    /// Tools stopped by the kill switch that concern them and they have not acknowledged: a
    /// banner on every page.
    pub stops: Vec<crate::model::StopBanner>,
}

impl CurrentUser {
    /// What the UI offers follows the same permission table the server enforces.
    pub fn may(&self, permission: Permission) -> bool {
        permits(&self.roles, permission)
    }
}

/// What an invitee sees before choosing a password.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InvitationView {
    pub email: String,
    pub name: String,
    pub roles: Vec<Role>,
    /// They will set up two-factor sign-in right after.
    pub totp_required: bool,
}

/// A secret shown exactly once, right after it was made. It travels through the session so a
/// browser without JavaScript sees it on the page it is sent back to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Reveal {
    ApiToken {
        name: String,
        token: String,
    },
    RecoveryCodes(Vec<String>),
    InvitationLink {
        email: String,
        url: String,
    },
    /// A new webhook's signing secret; `url` as shown (scheme and host).
    WebhookSecret {
        url: String,
        secret: String,
    },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionView {
    /// Names the session without revealing its id.
    pub handle: String,
    pub signed_in: Option<DateTime<Utc>>,
    pub last_seen: Option<DateTime<Utc>>,
    pub device: String,
    pub current: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenView {
    pub id: String,
    pub name: String,
    pub scope: TokenScope,
    pub created: DateTime<Utc>,
    pub expires: DateTime<Utc>,
    pub last_used: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountPage {
    pub email: String,
    pub name: String,
    pub roles: Vec<Role>,
    pub teams: Vec<TeamMembershipView>,
    pub two_factor: bool,
    pub needs_two_factor: bool,
    pub recovery_codes_left: i64,
    pub sessions: Vec<SessionView>,
    pub tokens: Vec<TokenView>,
    pub reveal: Option<Reveal>,
}

/// An enrollment waiting for its first code.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PendingTwoFactor {
    /// Base32, for typing into an app by hand.
    pub secret: String,
    pub otpauth_url: String,
    /// The QR code as an SVG data URI.
    pub qr_code: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TwoFactorPage {
    pub enrolled: bool,
    pub required: bool,
    pub pending: Option<PendingTwoFactor>,
    pub recovery_codes_left: i64,
    pub reveal: Option<Reveal>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TeamMembershipView {
    pub slug: String,
    pub name: String,
    pub membership: Membership,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PersonRow {
    pub id: String,
    pub email: String,
    pub name: String,
    pub roles: Vec<Role>,
    pub teams: Vec<TeamMembershipView>,
    pub totp_enrolled: bool,
    pub disabled: bool,
    pub since: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InvitationRow {
    pub id: String,
    pub email: String,
    pub name: String,
    pub roles: Vec<String>,
    pub teams: Vec<String>,
    pub invited_by: Option<String>,
    pub created: DateTime<Utc>,
    pub expires: DateTime<Utc>,
    pub expired: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PeoplePage {
    pub people: Vec<PersonRow>,
    pub invitations: Vec<InvitationRow>,
    pub teams: Vec<crate::model::TeamRow>,
    pub reveal: Option<Reveal>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PersonPage {
    pub person: PersonRow,
    pub teams: Vec<crate::model::TeamRow>,
    pub is_self: bool,
    /// Their live API tokens.
    pub tokens: Vec<TokenView>,
}
