//! Deciding on a request with a TOTP sign-off, and reading the signed receipts.

use leptos::prelude::*;
use uuid::Uuid;

use crate::domain::requests::decision::DecisionForm;
use crate::domain::requests::state::RequestState;
use crate::error::AppError;
use crate::model::ReceiptView;

/// Decides on request `number`. The code is used up; the session gets a new id afterwards
/// (a step-up, like signing in).
#[server(endpoint = "decide_request")]
pub async fn decide_request(number: i64, decision: DecisionForm) -> Result<RequestState, AppError> {
    use super::guard::guard;
    use crate::backend::requests::decisions::{decide, Keys};
    use crate::domain::Permission;
    guard(Permission::DecideRequests, |caller| async move {
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
    })
    .await
}

#[server(endpoint = "receipt")]
pub async fn get_receipt(id: Uuid) -> Result<ReceiptView, AppError> {
    use super::guard::guard;
    use crate::domain::Permission;
    guard(Permission::RequestTools, |caller| async move {
        let (receipt, request_number) =
            crate::backend::requests::receipts::find(caller.pool(), &caller.principal, id).await?;
        let keys = &caller.services.signing_keys;
        let (document, stop, problem) = match request_number {
            Some(_) => match keys.verify_receipt(&receipt) {
                Ok(document) => (Some(document), None, None),
                Err(error) => (None, None, Some(error.to_string())),
            },
            None => match keys.verify_stop(&receipt) {
                Ok(stop) => (None, Some(stop), None),
                Err(error) => (None, None, Some(error.to_string())),
            },
        };
        let json = crate::error::OrInternal::or_internal(
            serde_json::to_string_pretty(&receipt),
            "writing a receipt",
        )?;
        Ok(ReceiptView {
            receipt,
            document,
            stop,
            problem,
            request_number,
            json,
        })
    })
    .await
}
