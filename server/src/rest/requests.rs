use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, State};
use axum::http::{header, StatusCode};
use axum::response::IntoResponse;
use axum::Json;
use serde::Deserialize;
use utoipa::ToSchema;

use app::backend::platform::access::authorize;
use app::backend::requests;
use app::domain::requests::state::RequestAction;
use app::domain::{Permission, RequestForm};
use app::error::AppError;
use app::model::RequestDetail;

use super::openapi::ErrorBody;
use super::{body, ApiError, ApiPrincipal, ApiWriter};
use crate::startup::AppState;

/// A new tool request, as a script sends it. Only `team` and `tool_name` are needed for a
/// draft; submitting (`submit: true`) needs `vendor`, `use_case`, `justification` and
/// `data_classes` too.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct NewRequest {
    /// The team it is for (slug); you must belong to it.
    pub team: String,
    /// A registry entry to widen (slug); leave out for a new tool.
    pub tool: Option<String>,
    pub tool_name: String,
    pub vendor: String,
    /// `ai_coding`, `ai_chatbot`, `ai_document` or `other`.
    pub category: String,
    pub website: String,
    pub use_case: String,
    pub justification: String,
    /// How many people will use it (1 to 1000000; default 1).
    pub users: Option<u32>,
    /// Any of `file_system`, `terminal`, `git`, `internet`, `production`.
    pub access: Vec<String>,
    /// Data class slugs.
    pub data_classes: Vec<String>,
    /// `saas`, `npm`, `pypi`, `binary` or `ide_extension`.
    pub distribution: String,
    pub package_name: String,
    pub pinned_version: String,
    /// SHA-256 of the pinned package, 64 hexadecimal characters.
    pub checksum: String,
    pub vendor_trains_on_data: bool,
    pub alternatives: String,
    /// Submit for review at once (otherwise it stays a draft).
    pub submit: bool,
}

impl NewRequest {
    fn form(&self) -> RequestForm {
        RequestForm {
            team: self.team.clone(),
            tool: self.tool.clone().unwrap_or_default(),
            tool_name: self.tool_name.clone(),
            vendor: self.vendor.clone(),
            category: self.category.clone(),
            website: self.website.clone(),
            use_case: self.use_case.clone(),
            justification: self.justification.clone(),
            users: self.users.map(|n| n.to_string()).unwrap_or_default(),
            access: self.access.clone(),
            data_classes: self.data_classes.clone(),
            distribution: self.distribution.clone(),
            package_name: self.package_name.clone(),
            pinned_version: self.pinned_version.clone(),
            checksum: self.checksum.clone(),
            vendor_trains_on_data: Some(self.vendor_trains_on_data.to_string()),
            alternatives: self.alternatives.clone(),
        }
    }
}

/// `POST /api/v1/requests`: files a tool request (a draft, or submitted with `submit: true`).
#[utoipa::path(
    post,
    path = "/requests",
    tag = "requests",
    request_body = NewRequest,
    responses(
        (status = 201, description = "Filed; `Location` names it", body = RequestDetail),
        (status = 400, description = "Not JSON", body = ErrorBody),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 403, description = "A read-only token, or a second factor must be set up first", body = ErrorBody),
        (status = 422, description = "A field is wrong or missing; `field` names it", body = ErrorBody),
    )
)]
pub async fn create(
    State(state): State<AppState>,
    ApiWriter(principal): ApiWriter,
    json: Result<Json<NewRequest>, JsonRejection>,
) -> Result<impl IntoResponse, ApiError> {
    authorize(&principal, Permission::RequestTools)?;
    let request = body(json)?;
    let form = request.form();
    if request.submit {
        // Refused before anything is stored: a failed submission must not leave a draft.
        form.validate()?.ready_to_submit()?;
    }
    let now = state.services.clock.now();
    let number = requests::save_draft(&state.pool, &principal, None, &form, now).await?;
    if request.submit {
        requests::act(
            &state.pool,
            &principal,
            number,
            RequestAction::Submit,
            "",
            now,
        )
        .await?;
    }
    let detail = requests::detail(&state.pool, &principal, number).await?;
    Ok((
        StatusCode::CREATED,
        [(header::LOCATION, format!("/api/v1/requests/{number}"))],
        Json(detail),
    ))
}

/// `GET /api/v1/requests/{id}`: one request, for its requester, the managers of its team,
/// reviewers and admins; anyone else gets 404.
#[utoipa::path(
    get,
    path = "/requests/{id}",
    tag = "requests",
    params(("id" = i64, Path, description = "The request's number, e.g. 12")),
    responses(
        (status = 200, description = "The request with its risk and timeline", body = RequestDetail),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 403, description = "A second factor must be set up first", body = ErrorBody),
        (status = 404, description = "No such request, or not yours to see", body = ErrorBody),
    )
)]
pub async fn detail(
    State(state): State<AppState>,
    ApiPrincipal(principal): ApiPrincipal,
    Path(id): Path<String>,
) -> Result<Json<RequestDetail>, ApiError> {
    authorize(&principal, Permission::RequestTools)?;
    let number: i64 = id.parse().map_err(|_| ApiError(AppError::NotFound))?;
    Ok(Json(
        requests::detail(&state.pool, &principal, number).await?,
    ))
}
