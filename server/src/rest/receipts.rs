use axum::extract::{Path, State};
use axum::Json;

use app::backend::platform::access::authorize;
use app::backend::requests::receipts;
use app::domain::requests::receipt::SignedReceipt;
use app::domain::Permission;
use app::error::AppError;

use super::openapi::ErrorBody;
use super::{ApiError, ApiPrincipal};
use crate::startup::AppState;

/// `GET /api/v1/receipts/{id}`: a decision's signed receipt, for whoever may see its request,
/// or a kill switch's, for anyone.
/// Check it with `server receipt verify FILE`, or with openssl against `GET /api/v1/signing-key`.
#[utoipa::path(
    get,
    path = "/receipts/{id}",
    tag = "requests",
    params(("id" = String, Path, description = "The receipt's id (a UUID)")),
    responses(
        (status = 200, description = "The signed receipt: `payload` is the canonical JSON that `signature` (Ed25519, base64) signs with key `key_id`; a kill switch's payload says `\"receipt_kind\": \"kill_switch\"`", body = SignedReceipt),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 403, description = "A second factor must be set up first", body = ErrorBody),
        (status = 404, description = "No such receipt, or not yours to see", body = ErrorBody),
    )
)]
pub async fn receipt(
    State(state): State<AppState>,
    ApiPrincipal(principal): ApiPrincipal,
    Path(id): Path<String>,
) -> Result<Json<SignedReceipt>, ApiError> {
    authorize(&principal, Permission::RequestTools)?;
    // A malformed id names no receipt.
    let id = uuid::Uuid::parse_str(id.trim()).map_err(|_| AppError::NotFound)?;
    let (receipt, _) = receipts::find(&state.pool, &principal, id).await?;
    Ok(Json(receipt))
}
