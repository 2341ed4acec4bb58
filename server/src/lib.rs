//! The portal's server: configuration, PostgreSQL (configured or private), the HTTP application
//! and the operator commands. `main.rs` only parses the command line and dispatches here.

pub mod allocator;
pub mod bundle;
pub mod checkpoints;
pub mod commands;
pub mod config;
pub mod database;
pub mod exports;
pub mod health;
pub mod metrics;
pub mod middleware;
pub mod postgres;
pub mod rest;
pub mod scan_cli;
pub mod scan_page;
pub mod sso;
pub mod startup;
pub mod telemetry;
