//! Server-only use cases. Each function takes the pool (or a transaction) and parsed input,
//! runs checked queries and returns domain data or an [`AppError`](crate::error::AppError).

pub mod audit;
pub mod auth;
pub mod clock;
pub mod demo;
pub mod overview;
pub mod services;
pub mod tokens;
pub mod users;
