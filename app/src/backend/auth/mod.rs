//! Authentication building blocks.

pub mod password;
