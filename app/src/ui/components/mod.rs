//! Small reusable pieces of view shared by pages.

mod checkboxes;
mod checklist;
mod copy;
mod error_page;
mod field;
mod field_error;
mod kill_switch;
mod loaded;
mod notice;
mod page;
mod registry;
mod request_badges;
mod reveal;
mod supply_chain;
mod timeline;
mod tokens;
mod user_menu;
mod when;

pub use checkboxes::{Checkboxes, Choice};
pub use checklist::{ItemStatusBadge, ProgressBar, TrendChart};
pub use copy::CopyButton;
pub use error_page::ErrorPage;
pub use field::{returned_input, Field, FilterSelect, Select, TextArea};
pub use field_error::{action_error, field_error, FormError};
pub use kill_switch::{KillSwitch, Stopped};
pub use loaded::Loaded;
pub use notice::{code_or, or_dash, EmptyState, ErrorNotice, Loading, Success};
pub use page::{Page, Width};
pub use registry::{FieldChanges, History, StatusBadge};
pub use request_badges::{IncidentStatusBadge, RequestStateBadge, RiskBadge, SeverityBadge};
pub use reveal::{RevealPanel, RoleBadges};
pub use supply_chain::{choices, SupplyChain, SupplyChainFields};
pub use timeline::{Timeline, TimelineItem};
pub use tokens::{ConfirmIdentity, TokenTable};
pub use user_menu::UserMenu;
pub use when::{OnDay, When};
