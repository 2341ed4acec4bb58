mod account;
mod audit;
mod home;
mod not_found;
mod onboarding;
mod people;
mod settings;
mod sign_in;
mod teams;

pub use account::{AccountPage, TwoFactorPage};
pub use audit::AuditPage;
pub use home::HomePage;
pub use not_found::NotFoundPage;
pub use onboarding::{InvitePage, SetupPage};
pub use people::{PeoplePage, PersonPage};
pub use settings::SettingsPage;
pub use sign_in::{SignInCodePage, SignInPage};
pub use teams::{TeamPage, TeamsPage};
