//! The AI-tool registry as the browser and `/api/v1` see it.

use leptos::prelude::*;

use crate::error::AppError;
use crate::model::{
    DataClassEditor, DataClassesPage, PolicyAnswer, RegistryPage, ToolEditor, ToolPageData,
    ToolSaved,
};

#[cfg(feature = "ssr")]
mod choices {
    use crate::error::AppError;
    use crate::model::DataClassRef;
    use sqlx::PgPool;

    pub async fn data_classes(pool: &PgPool) -> Result<Vec<DataClassRef>, AppError> {
        Ok(crate::backend::registry::data_classes::list(pool)
            .await?
            .into_iter()
            .map(|c| DataClassRef {
                slug: c.slug,
                name: c.name,
            })
            .collect())
    }
}

/// How many history entries a page shows.
#[cfg(feature = "ssr")]
const HISTORY_SHOWN: i64 = 50;

#[server(endpoint = "registry")]
pub async fn get_registry(
    q: Option<String>,
    status: Option<String>,
    category: Option<String>,
    data_class: Option<String>,
    team: Option<String>,
    page: Option<i64>,
) -> Result<RegistryPage, AppError> {
    use super::guard::guard;
    use crate::backend::registry::tools::{self, ToolQuery};
    use crate::domain::Permission;
    guard(Permission::ViewRegistry, |caller| async move {
        let pool = caller.pool();
        let query = ToolQuery {
            q,
            status,
            category,
            data_class,
            team,
            page,
        };
        Ok(RegistryPage {
            results: tools::search(
                pool,
                &query,
                crate::backend::platform::change::today(caller.now)?,
            )
            .await?,
            data_classes: choices::data_classes(pool).await?,
            teams: crate::backend::org::teams::names(pool).await?,
            can_edit: caller.principal.may(Permission::ManageRegistry),
        })
    })
    .await
}

#[server(endpoint = "tool")]
pub async fn get_tool(slug: String) -> Result<ToolPageData, AppError> {
    use super::guard::guard;
    use crate::backend::{audit, org::teams, registry::tools};
    use crate::domain::Permission;
    guard(Permission::ViewRegistry, |caller| async move {
        let pool = caller.pool();
        let tool = tools::detail(pool, &slug).await?;
        let stop = crate::backend::incidents::stop_on(pool, &tool.slug).await?;
        Ok(ToolPageData {
            history: audit::history(pool, &format!("tool:{}", tool.slug), HISTORY_SHOWN).await?,
            tool,
            data_classes: choices::data_classes(pool).await?,
            teams: crate::backend::org::teams::names(pool).await?,
            my_teams: teams::of_user(pool, caller.principal.user_id).await?,
            can_edit: caller.principal.may(Permission::ManageRegistry),
            stop,
        })
    })
    .await
}

/// The policy widget: may `team` use `tool` with `data_class` today?
#[server(endpoint = "policy_check")]
pub async fn check_policy(
    tool: String,
    data_class: String,
    team: String,
) -> Result<PolicyAnswer, AppError> {
    use super::guard::guard;
    use crate::domain::Permission;
    guard(Permission::ViewRegistry, |caller| async move {
        crate::backend::registry::policy::ask(
            &caller.services,
            &tool,
            &data_class,
            &team,
            caller.now,
        )
        .await
    })
    .await
}

#[server(endpoint = "tool_editor")]
pub async fn get_tool_editor(slug: Option<String>) -> Result<ToolEditor, AppError> {
    use super::guard::guard;
    use crate::backend::{registry::data_classes, registry::tools};
    use crate::domain::Permission;
    guard(Permission::ManageRegistry, |caller| async move {
        let pool = caller.pool();
        let tool = match slug.as_deref().filter(|s| !s.is_empty()) {
            Some(slug) => Some(tools::detail(pool, slug).await?),
            None => None,
        };
        Ok(ToolEditor {
            tool,
            data_classes: data_classes::list(pool).await?,
            teams: crate::backend::org::teams::names(pool).await?,
        })
    })
    .await
}

/// Adds a tool (`original` empty) or changes the tool `original`, then shows its page — or,
/// when the change widens what the tool allows, files it as a registry change request and shows
/// that. Suspending or prohibiting needs a fresh `code`.
#[server(endpoint = "save_tool")]
pub async fn save_tool(
    original: String,
    tool: crate::domain::ToolForm,
    #[server(default)] code: String,
) -> Result<ToolSaved, AppError> {
    use super::guard::guard;
    use crate::backend::registry::editing::{self, Saved};
    use crate::domain::Permission;
    guard(Permission::ManageRegistry, |caller| async move {
        let change = caller.change()?;
        let original = Some(original.trim()).filter(|s| !s.is_empty());
        let saved = editing::save(
            caller.pool(),
            &change,
            &caller.principal,
            &caller.services.totp_key,
            original,
            &tool,
            &code,
        )
        .await?;
        Ok(match saved {
            Saved::Applied(slug) => {
                leptos_axum::redirect(&format!("/tools/{slug}"));
                ToolSaved::Applied { slug }
            }
            Saved::Proposed(number) => {
                leptos_axum::redirect(&format!("/requests/{number}"));
                ToolSaved::Proposed { number }
            }
        })
    })
    .await
}

#[server(endpoint = "data_classes")]
pub async fn get_data_classes() -> Result<DataClassesPage, AppError> {
    use super::guard::guard;
    use crate::backend::registry::data_classes;
    use crate::domain::Permission;
    guard(Permission::ViewRegistry, |caller| async move {
        Ok(DataClassesPage {
            classes: data_classes::list(caller.pool()).await?,
            can_edit: caller.principal.may(Permission::ManageRegistry),
        })
    })
    .await
}

#[server(endpoint = "data_class_editor")]
pub async fn get_data_class_editor(slug: String) -> Result<DataClassEditor, AppError> {
    use super::guard::guard;
    use crate::backend::{audit, registry::data_classes};
    use crate::domain::Permission;
    guard(Permission::ManageRegistry, |caller| async move {
        let pool = caller.pool();
        let class = data_classes::get(pool, &slug).await?;
        Ok(DataClassEditor {
            history: audit::history(pool, &format!("data_class:{}", class.slug), HISTORY_SHOWN)
                .await?,
            class,
        })
    })
    .await
}

/// Adds a data class (`original` empty) or changes the class `original`.
#[server(endpoint = "save_data_class")]
pub async fn save_data_class(
    original: String,
    class: crate::domain::DataClassForm,
    #[server(default)] code: String,
) -> Result<String, AppError> {
    use super::guard::guard;
    use crate::backend::registry::data_classes::{self, ClassEditor};
    use crate::domain::Permission;
    guard(Permission::ManageRegistry, |caller| async move {
        let change = caller.change()?;
        let original = Some(original.trim()).filter(|s| !s.is_empty());
        let editor = ClassEditor {
            principal: &caller.principal,
            totp_key: &caller.services.totp_key,
            code: &code,
        };
        let slug = data_classes::save(caller.pool(), &change, &editor, original, &class).await?;
        leptos_axum::redirect("/data-classes");
        Ok(slug)
    })
    .await
}
