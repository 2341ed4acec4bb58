//! Cross-cutting HTTP policy applied to every request.

pub mod csrf;
pub mod denials;
pub mod forget_caches;
pub mod returned_input;
pub mod security_headers;
pub mod server_fn_status;
