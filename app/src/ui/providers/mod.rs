//! Context shared by every page.

mod current_user;

pub use current_user::{provide_current_user, use_current_user};
