//! The AI-tool registry: the search, a tool's page, the tool editor and the data classes.

mod data_classes;
mod detectors;
mod tool;
mod tool_editor;
mod tools;

pub use data_classes::{DataClassPage, DataClassesPage};
pub use detectors::DetectorPage;
pub use tool::ToolPage;
pub use tool_editor::ToolEditorPage;
pub use tools::RegistryPage;
