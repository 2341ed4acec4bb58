//! Team checklists and the compliance dashboards. Who may see which team is decided in
//! `backend::checklists`: members and managers their teams, admins every team.

use leptos::prelude::*;

use crate::domain::checklist::ItemForm;
use crate::domain::registry::policy::TeamRef;
use crate::error::AppError;
use crate::model::{Dashboard, FrameworkView, TeamChecklist};

#[server(endpoint = "team_checklist")]
pub async fn get_team_checklist(team: String) -> Result<TeamChecklist, AppError> {
    use super::guard::guard;
    use crate::domain::Permission;
    guard(Permission::ViewOrganization, |caller| async move {
        crate::backend::checklists::team_checklist(
            caller.pool(),
            &caller.principal,
            &team,
            caller.now,
        )
        .await
    })
    .await
}

/// Changes item `number` of `team`'s checklist.
#[server(endpoint = "update_checklist_item")]
pub async fn update_checklist_item(
    team: String,
    number: i32,
    item: ItemForm,
) -> Result<(), AppError> {
    use super::guard::guard;
    use crate::domain::Permission;
    guard(Permission::ViewOrganization, |caller| async move {
        crate::backend::checklists::update_item(
            caller.pool(),
            &caller.principal,
            &team,
            number,
            &item,
            caller.now,
        )
        .await?;
        leptos_axum::redirect(&format!("/teams/{team}/checklist#item-{number}"));
        Ok(())
    })
    .await
}

#[server(endpoint = "dashboard")]
pub async fn get_dashboard(page: Option<i64>) -> Result<Dashboard, AppError> {
    use super::guard::guard;
    use crate::domain::Permission;
    guard(Permission::ViewDashboards, |caller| async move {
        crate::backend::checklists::dashboard(
            caller.pool(),
            &caller.principal,
            page.unwrap_or(1),
            caller.now,
        )
        .await
    })
    .await
}

/// The teams whose checklist the reader may open.
#[server(endpoint = "my_checklists")]
pub async fn get_my_checklists() -> Result<Vec<TeamRef>, AppError> {
    use super::guard::guard;
    use crate::domain::Permission;
    guard(Permission::ViewOrganization, |caller| async move {
        crate::backend::checklists::visible_teams(caller.pool(), &caller.principal).await
    })
    .await
}

#[server(endpoint = "admin/checklist")]
pub async fn get_framework() -> Result<FrameworkView, AppError> {
    use super::guard::guard;
    use crate::domain::Permission;
    guard(Permission::ManageChecklist, |caller| async move {
        crate::backend::checklists::framework::view(caller.pool()).await
    })
    .await
}

/// Adds a checklist item (`number` empty) or changes item `number`.
#[server(endpoint = "admin/save_checklist_item")]
pub async fn save_checklist_item(
    number: Option<i32>,
    item: crate::domain::checklist::FrameworkItemForm,
) -> Result<i32, AppError> {
    use super::guard::guard;
    use crate::domain::Permission;
    guard(Permission::ManageChecklist, |caller| async move {
        let number = crate::backend::checklists::framework::save_item(
            caller.pool(),
            caller.principal.actor(),
            number,
            &item,
            caller.now,
        )
        .await?;
        leptos_axum::redirect("/admin/checklist");
        Ok(number)
    })
    .await
}

#[server(endpoint = "admin/retire_checklist_item")]
pub async fn retire_checklist_item(number: i32) -> Result<(), AppError> {
    use super::guard::guard;
    use crate::domain::Permission;
    guard(Permission::ManageChecklist, |caller| async move {
        crate::backend::checklists::framework::retire_item(
            caller.pool(),
            caller.principal.actor(),
            number,
            caller.now,
        )
        .await?;
        leptos_axum::redirect("/admin/checklist");
        Ok(())
    })
    .await
}
