use leptos::prelude::*;

use crate::error::AppError;
use crate::model::Overview;

#[server(endpoint = "overview")]
pub async fn get_overview() -> Result<Overview, AppError> {
    use super::context::{authorized, respond};
    use crate::domain::Permission;
    respond(
        async {
            let request = authorized(Permission::ViewOrganization).await?;
            crate::backend::org::overview::load(&request.services.pool).await
        }
        .await,
    )
}
