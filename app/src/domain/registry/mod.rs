//! The AI-tool registry: its closed sets of values, the tool and data-class forms, and the
//! policy check ("may this team use this tool with this data?").

pub mod input;
pub mod policy;
mod values;
pub mod widening;

pub use input::{DataClassForm, RequirementSetting, ToolForm, ValidDataClass, ValidTool};
pub use values::{
    ClassificationLevel, Distribution, Sha256Checksum, ToolCategory, ToolStatus,
    ACCESS_REQUIREMENTS,
};
