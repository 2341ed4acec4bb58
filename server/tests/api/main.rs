//! One integration-test binary: each test spawns its own portal on its own database.

// A failed assumption in a test (or its helpers) is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod access;
mod account;
mod admin;
mod admin_cli;
mod audit;
mod audit_checkpoints;
mod bundle;
mod checklists;
mod credentials;
mod decisions;
mod demo;
mod denials;
mod email;
mod exercises;
mod health;
mod helpers;
mod incidents;
mod instances;
mod jobs;
mod kill_switch;
mod log_secrets;
mod metrics;
mod migrations;
mod onboarding;
mod openapi;
mod overdue;
mod overview;
mod playbooks;
mod postgres;
mod rate_limits;
mod registry;
mod registry_editing;
mod registry_workflow;
mod requests;
mod rest;
mod review_target;
mod scan;
mod second_factor;
mod security;
mod sessions;
mod sign_in;
mod signing_keys;
mod sso;
mod totp;
mod webhooks;
