use leptos::prelude::*;

use crate::error::AppError;
use crate::model::Overview;

#[server(endpoint = "overview")]
pub async fn get_overview() -> Result<Overview, AppError> {
    use super::guard::guard;
    use crate::domain::Permission;
    guard(Permission::ViewOrganization, |caller| async move {
        crate::backend::org::overview::load(caller.pool()).await
    })
    .await
}
