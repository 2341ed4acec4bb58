//! Deciding on a request with a TOTP sign-off, and reading the signed receipts.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::domain::decision_input::DecisionForm;
use crate::domain::receipt::{ReceiptDocument, SignedReceipt};
use crate::error::AppError;

use super::RequestState;

/// Decides on request `number`. The code is used up; the session gets a new id afterwards
/// (a step-up, like signing in).
#[server(endpoint = "decide_request")]
pub async fn decide_request(number: i64, decision: DecisionForm) -> Result<RequestState, AppError> {
    use super::context::{authorized, respond};
    use crate::backend::decisions::{decide, Keys};
    use crate::domain::Permission;
    respond(
        async {
            let caller = authorized(Permission::DecideRequests).await?;
            let services = &caller.services;
            let keys = Keys {
                totp: &services.totp_key,
                signing: &services.signing_keys,
            };
            let decided = decide(
                &services.pool,
                keys,
                &caller.principal,
                number,
                &decision,
                caller.source,
                caller.now,
            )
            .await?;
            caller.session.renew().await?;
            leptos_axum::redirect(&format!("/requests/{number}"));
            Ok(decided.state)
        }
        .await,
    )
}

/// A receipt with the portal's own check of it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReceiptView {
    pub receipt: SignedReceipt,
    /// The signed document, when the receipt verifies.
    pub document: Option<ReceiptDocument>,
    /// Why it does not verify.
    pub problem: Option<String>,
    pub request_number: i64,
    /// The receipt as a file, exactly as `GET /api/v1/receipts/{id}` returns it.
    pub json: String,
}

#[server(endpoint = "receipt")]
pub async fn get_receipt(id: String) -> Result<ReceiptView, AppError> {
    use super::context::{authorized, respond};
    use crate::domain::Permission;
    respond(
        async {
            let caller = authorized(Permission::RequestTools).await?;
            let (receipt, request_number) =
                crate::backend::receipts::get(&caller.services.pool, &caller.principal, &id)
                    .await?;
            let (document, problem) = match caller.services.signing_keys.verify_receipt(&receipt) {
                Ok(document) => (Some(document), None),
                Err(error) => (None, Some(error.to_string())),
            };
            let json = serde_json::to_string_pretty(&receipt).map_err(|_| AppError::Internal)?;
            Ok(ReceiptView {
                receipt,
                document,
                problem,
                request_number,
                json,
            })
        }
        .await,
    )
}
