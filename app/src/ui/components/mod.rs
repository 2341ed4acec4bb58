//! Small reusable pieces of view shared by pages.

mod error_page;
mod field;
mod field_error;
mod notice;
mod user_menu;

pub use error_page::ErrorPage;
pub use field::Field;
pub use field_error::{message_for, FormError};
pub use notice::{EmptyState, ErrorNotice, Loading};
pub use user_menu::UserMenu;
