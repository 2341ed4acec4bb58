//! The portal's web application: domain rules, server functions and the Leptos UI.
//!
//! Compiled twice: with `ssr` into the server binary, with `hydrate` into the browser's wasm bundle.
#![recursion_limit = "256"]

pub mod api;
#[cfg(feature = "ssr")]
pub mod backend;
pub mod domain;
pub mod error;
pub mod model;
pub mod ui;

#[cfg(feature = "ssr")]
pub use ui::shell;
pub use ui::App;

/// The version shown in the footer and reported by `/healthz`.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// Browser entry point: starts the reactive system for the page's islands. The page's script
/// then hands each `<leptos-island>` to its exported function (see `ui::shell`).
#[cfg(feature = "hydrate")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_islands();
}
