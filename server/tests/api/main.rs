//! One integration-test binary: each test spawns its own portal on its own database.

mod admin_cli;
mod audit;
mod demo;
mod health;
mod helpers;
mod metrics;
mod migrations;
mod overview;
mod postgres;
mod rest;
mod security;
mod sessions;
mod sign_in;
mod totp;
