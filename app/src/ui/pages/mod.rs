//! The pages, one folder per feature; each page is a thin component over one server function.

mod admin;
mod checklists;
mod home;
mod identity;
mod incidents;
mod not_found;
mod notification_settings;
mod notifications;
mod registry;
mod requests;
mod scan;

pub use admin::{
    AuditPage, ChecklistAdminPage, IntegrationsPage, PeoplePage, PersonPage, SettingsPage,
    TeamPage, TeamsPage,
};
pub use checklists::{ChecklistsPage, DashboardPage, TeamChecklistPage};
pub use home::HomePage;
pub use identity::{AccountPage, InvitePage, SetupPage, SignInCodePage, SignInPage, TwoFactorPage};
pub use incidents::{
    ExercisePage, ExercisesPage, IncidentPage, IncidentsPage, PlaybookPageView, PlaybooksPage,
    ReportIncidentPage,
};
pub use not_found::NotFoundPage;
pub use notification_settings::NotificationSettingsPage;
pub use notifications::NotificationsPage;
pub use registry::{
    DataClassPage, DataClassesPage, DetectorPage, RegistryPage, ToolEditorPage, ToolPage,
};
pub use requests::{ReceiptPage, RequestEditorPage, RequestPage, RequestsPage};
pub use scan::ScanPage;
