//! CSV downloads of the dashboards, for the signed-in browser session (the same access rules
//! as the pages: `backend::checklists`).

use axum::extract::{Path, State};
use axum::http::header;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use tower_sessions::Session;

use app::backend::checklists;
use app::backend::identity::auth::session::AuthSession;
use app::backend::identity::users::{active_principal, Principal};
use app::backend::platform::access::authorize;
use app::domain::Permission;
use app::error::AppError;

use crate::middleware::denials::{Denied, Identified};
use crate::startup::AppState;

async fn principal(
    state: &AppState,
    parts: &Parts,
    session: Session,
) -> Result<Principal, AppError> {
    let now = state.services.clock.now();
    let user_id = AuthSession(session)
        .user_id(now)
        .await?
        .ok_or(AppError::Unauthorized)?;
    let principal = active_principal(&state.pool, user_id)
        .await?
        .ok_or(AppError::Unauthorized)?;
    Identified::note(parts, principal.actor());
    Ok(principal)
}

fn csv(name: &str, result: Result<String, AppError>) -> Response {
    match result {
        Ok(body) => (
            [
                (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
                (
                    header::CONTENT_DISPOSITION,
                    format!("attachment; filename=\"{name}\""),
                ),
            ],
            body,
        )
            .into_response(),
        Err(error) => {
            let status = axum::http::StatusCode::from_u16(error.status())
                .unwrap_or(axum::http::StatusCode::INTERNAL_SERVER_ERROR);
            let mut response = (status, error.to_string()).into_response();
            if error.is_denial() {
                response.extensions_mut().insert(Denied);
            }
            response
        }
    }
}

/// `GET /dashboard.csv`: the organization view (managers: their teams).
pub async fn dashboard(State(state): State<AppState>, parts: Parts, session: Session) -> Response {
    let result = async {
        let principal = principal(&state, &parts, session).await?;
        authorize(&principal, Permission::ViewDashboards)?;
        checklists::dashboard_csv(&state.pool, &principal).await
    }
    .await;
    csv("ai-checklist-organization.csv", result)
}

/// `GET /teams/{slug}/checklist.csv`: one team's items.
pub async fn team(
    State(state): State<AppState>,
    parts: Parts,
    session: Session,
    Path(slug): Path<String>,
) -> Response {
    let result = async {
        let principal = principal(&state, &parts, session).await?;
        authorize(&principal, Permission::ViewOrganization)?;
        let now = state.services.clock.now();
        checklists::team_csv(&state.pool, &principal, &slug, now).await
    }
    .await;
    csv(&format!("ai-checklist-{slug}.csv"), result)
}
