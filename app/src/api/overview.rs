use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;

/// What the overview page shows: the organization and its teams.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Overview {
    /// `None` until an operator sets the portal up (or loads the demo).
    pub organization: Option<OrganizationSummary>,
    pub teams: Vec<TeamSummary>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrganizationSummary {
    pub name: String,
    pub is_demo: bool,
    /// The day the organization was set up, as `YYYY-MM-DD`.
    pub since: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TeamSummary {
    pub slug: String,
    pub name: String,
    pub description: String,
}

#[server(endpoint = "overview")]
pub async fn get_overview() -> Result<Overview, AppError> {
    use super::context::{authorized, respond};
    use crate::domain::Permission;
    respond(
        async {
            let request = authorized(Permission::ViewOrganization).await?;
            crate::backend::overview::load(&request.services.pool).await
        }
        .await,
    )
}
