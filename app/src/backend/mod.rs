//! Server-only use cases. Each function takes the pool (or a transaction) and parsed input,
//! runs checked queries and returns domain data or an [`AppError`](crate::error::AppError).

pub mod access;
pub mod account;
pub mod approvals;
pub mod audit;
pub mod auth;
pub mod checklist_framework;
pub mod checklists;
pub mod clock;
pub mod data_classes;
pub mod decisions;
pub mod demo;
mod demo_checklists;
mod demo_registry;
mod demo_requests;
pub mod invitations;
pub mod key_file;
pub mod notifications;
pub mod overview;
pub mod people;
pub mod receipts;
pub mod requests;
pub mod secrets;
pub mod services;
pub mod settings;
pub mod setup;
pub mod signing;
pub mod teams;
pub mod tokens;
pub mod tool_editing;
pub mod tools;
pub mod users;
