use axum::extract::State;
use axum::Json;
use serde::Serialize;
use utoipa::ToSchema;

use app::backend::platform::signing::PublicKeyView;

use crate::startup::AppState;

/// The portal's receipt-signing keys.
#[derive(Debug, Serialize, ToSchema)]
pub struct SigningKeysBody {
    /// The id of the key that signs new receipts.
    pub active: String,
    /// Every key, oldest first: older ones verify older receipts.
    pub keys: Vec<PublicKeyView>,
}

/// `GET /api/v1/signing-key`: the public keys that verify decision receipts. Public: anyone
/// holding a receipt may check it, without an account.
#[utoipa::path(
    get,
    path = "/signing-key",
    tag = "receipts",
    security(()),
    responses((status = 200, description = "The public keys", body = SigningKeysBody))
)]
pub async fn signing_key(State(state): State<AppState>) -> Json<SigningKeysBody> {
    let keys = &state.services.signing_keys;
    Json(SigningKeysBody {
        active: keys.active().id.clone(),
        keys: keys.public_keys(),
    })
}
