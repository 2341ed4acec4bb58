//! Server-only use cases, one folder per feature. Each function takes the pool (or a
//! transaction), the caller and parsed input, runs checked queries in one transaction with its
//! audit event, and returns domain or wire types or an [`AppError`](crate::error::AppError).

pub mod audit;
pub mod checklists;
pub mod demo;
pub mod identity;
pub mod incidents;
pub mod jobs;
pub mod mail;
pub mod notifications;
pub mod org;
pub mod platform;
pub mod registry;
pub mod requests;
pub mod scan;
pub mod webhooks;
