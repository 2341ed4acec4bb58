//! Tool requests: drafts, the life-cycle steps, lists and the request page. Which request a
//! person may see or act on is decided per request in `backend::requests`.

use leptos::prelude::*;

use crate::domain::requests::state::RequestState;
use crate::error::AppError;
use crate::model::{RequestDetail, RequestEditor, RequestList, RequestQuery, RequestStep};

#[server(endpoint = "request_editor")]
pub async fn get_request_editor(number: Option<i64>) -> Result<RequestEditor, AppError> {
    use super::guard::guard;
    use crate::backend::{org::teams, registry::data_classes, registry::tools, requests};
    use crate::domain::Permission;
    guard(Permission::RequestTools, |caller| async move {
        let pool = caller.pool();
        let request = match number {
            Some(number) => Some(requests::detail(pool, &caller.principal, number).await?),
            None => None,
        };
        let mine = teams::of_user(pool, caller.principal.user_id).await?;
        let any_team = caller.principal.may(Permission::RequestForAnyTeam);
        let teams = teams::names(pool)
            .await?
            .into_iter()
            .filter(|t| any_team || mine.contains(&t.slug))
            .collect();
        let tools = tools::names(pool).await?;
        Ok(RequestEditor {
            request,
            teams,
            tools,
            data_classes: data_classes::list(pool).await?,
        })
    })
    .await
}

#[server(endpoint = "requests")]
pub async fn get_requests(query: RequestQuery) -> Result<RequestList, AppError> {
    use super::guard::guard;
    use crate::backend::requests;
    use crate::domain::Permission;
    guard(Permission::RequestTools, |caller| async move {
        Ok(RequestList {
            requests: requests::list(caller.pool(), &caller.principal, &query, caller.now).await?,
            reviewer: caller.principal.may(Permission::ViewReviewQueue),
            teams: crate::backend::org::teams::names(caller.pool()).await?,
        })
    })
    .await
}

#[server(endpoint = "request")]
pub async fn get_request(number: i64) -> Result<RequestDetail, AppError> {
    use super::guard::guard;
    use crate::domain::Permission;
    guard(Permission::RequestTools, |caller| async move {
        crate::backend::requests::detail(caller.pool(), &caller.principal, number).await
    })
    .await
}

/// Saves a draft (`number` empty: a new request) and shows it.
#[server(endpoint = "save_request")]
pub async fn save_request(
    number: Option<i64>,
    request: crate::domain::RequestForm,
) -> Result<i64, AppError> {
    use super::guard::guard;
    use crate::domain::Permission;
    guard(Permission::RequestTools, |caller| async move {
        let number = crate::backend::requests::save_draft(
            caller.pool(),
            &caller.principal,
            number,
            &request,
            caller.now,
        )
        .await?;
        leptos_axum::redirect(&format!("/requests/{number}"));
        Ok(number)
    })
    .await
}

/// A step on request `number` other than editing or deciding (a comment carries `body`).
#[server(endpoint = "request_action")]
pub async fn act_on_request(
    number: i64,
    action: RequestStep,
    body: Option<String>,
) -> Result<RequestState, AppError> {
    use super::guard::guard;
    use crate::domain::Permission;
    guard(Permission::RequestTools, |caller| async move {
        let state = crate::backend::requests::act(
            caller.pool(),
            &caller.principal,
            number,
            action.into(),
            body.as_deref().unwrap_or(""),
            caller.now,
        )
        .await?;
        leptos_axum::redirect(&format!("/requests/{number}"));
        Ok(state)
    })
    .await
}
