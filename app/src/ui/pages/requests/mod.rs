//! Tool requests: the lists, the form, a request's page and its receipts.

mod editor;
mod list;
mod receipt;
mod request;

pub use editor::RequestEditorPage;
pub use list::RequestsPage;
pub use receipt::ReceiptPage;
pub use request::RequestPage;
