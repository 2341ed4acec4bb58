//! Small reusable pieces of view shared by pages.

mod error_page;
mod notice;

pub use error_page::ErrorPage;
pub use notice::{EmptyState, ErrorNotice, Loading};
