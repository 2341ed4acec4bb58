//! The AI-tool registry as the browser and `/api/v1` see it.

use serde::{Deserialize, Serialize};

use crate::domain::ClassificationLevel;

/// A kind of data and whether it may go into AI tools.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DataClassView {
    pub slug: String,
    pub name: String,
    pub level: ClassificationLevel,
    /// May not be sent to any AI tool unless a tool's approval names it.
    pub prohibited_by_default: bool,
    pub description: String,
    pub examples: String,
}
