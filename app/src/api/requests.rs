//! Tool requests: drafts, the life-cycle steps, lists and the request page. Which request a
//! person may see or act on is decided per request in `backend::requests`.

use leptos::prelude::*;

use crate::domain::requests::state::RequestState;
use crate::error::AppError;
use crate::model::{RequestDetail, RequestEditor, RequestList, RequestQuery};

#[server(endpoint = "request_editor")]
pub async fn get_request_editor(number: Option<i64>) -> Result<RequestEditor, AppError> {
    use super::context::{authorized, respond};
    use crate::backend::{org::teams, registry::data_classes, registry::tools, requests};
    use crate::domain::{Permission, Role};
    respond(
        async {
            let caller = authorized(Permission::RequestTools).await?;
            let pool = &caller.services.pool;
            let request = match number {
                Some(number) => Some(requests::detail(pool, &caller.principal, number).await?),
                None => None,
            };
            let mine = teams::of_user(pool, caller.principal.user_id).await?;
            let admin = caller.principal.roles.contains(&Role::Admin);
            let teams = teams::names(pool)
                .await?
                .into_iter()
                .filter(|t| admin || mine.contains(&t.slug))
                .collect();
            let tools = tools::names(pool).await?;
            Ok(RequestEditor {
                request,
                teams,
                tools,
                data_classes: data_classes::list(pool).await?,
            })
        }
        .await,
    )
}

#[server(endpoint = "requests")]
pub async fn get_requests(query: RequestQuery) -> Result<RequestList, AppError> {
    use super::context::{authorized, respond};
    use crate::backend::requests;
    use crate::domain::{Permission, Role};
    respond(
        async {
            let request = authorized(Permission::RequestTools).await?;
            let roles = &request.principal.roles;
            Ok(RequestList {
                requests: requests::list(
                    &request.services.pool,
                    &request.principal,
                    &query,
                    request.now,
                )
                .await?,
                reviewer: roles.contains(&Role::Reviewer) || roles.contains(&Role::Admin),
                teams: crate::backend::org::teams::names(&request.services.pool).await?,
            })
        }
        .await,
    )
}

#[server(endpoint = "request")]
pub async fn get_request(number: i64) -> Result<RequestDetail, AppError> {
    use super::context::{authorized, respond};
    use crate::domain::Permission;
    respond(
        async {
            let request = authorized(Permission::RequestTools).await?;
            crate::backend::requests::detail(&request.services.pool, &request.principal, number)
                .await
        }
        .await,
    )
}

/// Saves a draft (`number` empty: a new request) and shows it.
#[server(endpoint = "save_request")]
pub async fn save_request(
    number: Option<i64>,
    request: crate::domain::RequestForm,
) -> Result<i64, AppError> {
    use super::context::{authorized, respond};
    use crate::domain::Permission;
    respond(
        async {
            let caller = authorized(Permission::RequestTools).await?;
            let number = crate::backend::requests::save_draft(
                &caller.services.pool,
                &caller.principal,
                number,
                &request,
                caller.now,
            )
            .await?;
            leptos_axum::redirect(&format!("/requests/{number}"));
            Ok(number)
        }
        .await,
    )
}

/// A step on request `number`: `submit`, `assign`, `request_changes`, `resubmit`, `withdraw` or
/// `comment` (with `body`).
#[server(endpoint = "request_action")]
pub async fn request_action(
    number: i64,
    action: String,
    body: Option<String>,
) -> Result<RequestState, AppError> {
    use super::context::{authorized, respond};
    use crate::domain::requests::state::RequestAction;
    use crate::domain::Permission;
    respond(
        async {
            let caller = authorized(Permission::RequestTools).await?;
            let action =
                match action.as_str() {
                    "submit" => RequestAction::Submit,
                    "assign" => RequestAction::Assign,
                    "request_changes" => RequestAction::RequestChanges,
                    "resubmit" => RequestAction::Resubmit,
                    "withdraw" => RequestAction::Withdraw,
                    "comment" => RequestAction::Comment,
                    _ => return Err(AppError::invalid(
                        "action",
                        "must be submit, assign, request_changes, resubmit, withdraw or comment",
                    )),
                };
            let state = crate::backend::requests::act(
                &caller.services.pool,
                &caller.principal,
                number,
                action,
                body.as_deref().unwrap_or(""),
                caller.now,
            )
            .await?;
            leptos_axum::redirect(&format!("/requests/{number}"));
            Ok(state)
        }
        .await,
    )
}
