//! Wire types: what server functions and the REST API send and receive. Every layer may import
//! them; they import only `domain`.

mod audit;
mod checklists;
mod forms;
mod identity;
mod incidents;
mod integrations;
mod notifications;
mod org;
mod registry;
mod requests;
mod scan;

pub use audit::*;
pub use checklists::*;
pub use forms::*;
pub use identity::*;
pub use incidents::*;
pub use integrations::*;
pub use notifications::*;
pub use org::*;
pub use registry::*;
pub use requests::*;
pub use scan::*;
