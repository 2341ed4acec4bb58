//! Sending one delivery (the `webhook_delivery` job): the hook's body, signed with its secret,
//! posted once; a 2xx ends the job, anything else fails the attempt (tried again with backoff).
//! Delivery is at least once (an instance that dies after the receiver answered sends again):
//! receivers drop repeats by the event id.

use std::sync::OnceLock;
use std::time::Duration;

use hmac::{Hmac, Mac};
use serde_json::Value;
use sha2::Sha256;
use uuid::Uuid;

use super::hooks::seal_context;
use crate::backend::jobs::queue::{self, Claimed};
use crate::backend::platform::services::Services;
use crate::domain::webhooks::{body, EventBody, WebhookFormat};
use crate::error::{AppError, OrInternal};

/// How long a receiver has to answer.
pub const TIMEOUT: Duration = Duration::from_secs(10);

/// How long connecting may take of that.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(3);

/// The header carrying `t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">`.
pub const SIGNATURE_HEADER: &str = "x-portal-signature";

/// One client per process (connection reuse); redirects are not followed, so a receiver cannot
/// send the portal's requests on to somewhere else.
fn client() -> Result<&'static reqwest::Client, AppError> {
    static CLIENT: OnceLock<Result<reqwest::Client, String>> = OnceLock::new();
    CLIENT
        .get_or_init(|| {
            reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .timeout(TIMEOUT)
                .connect_timeout(CONNECT_TIMEOUT)
                .user_agent(concat!("ai-governance-portal/", env!("CARGO_PKG_VERSION")))
                .build()
                .map_err(|error| error.to_string())
        })
        .as_ref()
        .map_err(|error| {
            tracing::error!(%error, "the webhook client could not be made");
            AppError::Internal
        })
}

/// The signature header's value for `body` sent at `timestamp` (Unix seconds).
pub fn signature(secret: &[u8], timestamp: i64, body: &[u8]) -> Result<String, AppError> {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret).or_internal("keying a webhook's HMAC")?;
    mac.update(format!("{timestamp}.").as_bytes());
    mac.update(body);
    let digest = mac.finalize().into_bytes();
    let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
    Ok(format!("t={timestamp},v1={hex}"))
}

fn named(payload: &Value, key: &str) -> Option<Uuid> {
    payload
        .get(key)
        .and_then(Value::as_str)
        .and_then(|id| Uuid::parse_str(id).ok())
}

/// Runs delivery job `job`.
#[tracing::instrument(skip_all, fields(job = job.id))]
pub async fn deliver(services: &Services, job: &Claimed) -> Result<(), AppError> {
    let (Some(event_id), Some(webhook_id)) = (
        named(&job.payload, "event_id"),
        named(&job.payload, "webhook_id"),
    ) else {
        return Err(AppError::invalid("payload", "names no delivery"));
    };
    let row = sqlx::query!(
        "SELECT d.delivery_id, d.body, d.job_id, w.url, w.format, w.events, w.sealed_secret,
           w.paused_at, w.removed_at
         FROM webhook_deliveries d JOIN webhooks w ON w.webhook_id = d.webhook_id
         WHERE d.event_id = $1 AND d.webhook_id = $2",
        event_id,
        webhook_id
    )
    .fetch_optional(&services.pool)
    .await?
    .ok_or_else(|| AppError::invalid("payload", "its delivery does not exist"))?;
    let delivery = row.delivery_id;
    if row.job_id != job.id {
        // Another job delivers it now (revived after a re-send): this one has nothing to do.
        return end(services, job, delivery, Outcome::Skipped).await;
    }
    if row.removed_at.is_some() || row.paused_at.is_some() {
        let why = if row.removed_at.is_some() {
            "Not sent: its webhook was removed."
        } else {
            "Not sent: its webhook was paused."
        };
        return end(services, job, delivery, Outcome::NotSent(why)).await;
    }
    let context = seal_context(webhook_id, &row.url, &row.format, &row.events);
    let Some(secret) = services.totp_key.open_bytes(&row.sealed_secret, &context) else {
        tracing::error!(%webhook_id, "a webhook's secret does not open: its address, format or events were changed outside the portal, or the key file is not the one it was sealed with");
        let why = "Not sent: this webhook's stored settings do not match its seal (changed outside the portal). Remove it and add it again.";
        return end(services, job, delivery, Outcome::NotSent(why)).await;
    };
    let mut event: EventBody =
        serde_json::from_value(row.body).or_internal("reading a webhook event")?;
    event.link = format!("{}{}", services.public_url, event.link);
    let format = WebhookFormat::parse(&row.format).or_internal("reading a webhook's format")?;
    let sent_body =
        serde_json::to_vec(&body(format, &event)).or_internal("writing a webhook body")?;
    let sent = client()?
        .post(&row.url)
        .header(http::header::CONTENT_TYPE, "application/json")
        .header("x-portal-event", event.event.as_str())
        .header("x-portal-event-id", event_id.to_string())
        .header("x-portal-delivery", delivery.to_string())
        .header(
            SIGNATURE_HEADER,
            signature(&secret, services.clock.now().timestamp(), &sent_body)?,
        )
        .body(sent_body)
        .send()
        .await;
    let outcome = match sent {
        Ok(answer) if answer.status().is_success() => {
            Outcome::Delivered(i32::from(answer.status().as_u16()))
        }
        Ok(answer) => Outcome::Refused(
            Some(i32::from(answer.status().as_u16())),
            format!("The receiver answered HTTP {}.", answer.status().as_u16()),
        ),
        Err(error) => {
            let what = if error.is_timeout() {
                format!("No answer within {} seconds.", TIMEOUT.as_secs())
            } else if error.is_connect() {
                "The receiver could not be reached.".to_owned()
            } else {
                "The request failed before an answer came.".to_owned()
            };
            // Without the URL: chat services put their secret in it.
            tracing::warn!(error = %error.without_url(), "a webhook delivery failed");
            Outcome::Refused(None, what)
        }
    };
    end(services, job, delivery, outcome).await
}

enum Outcome {
    Delivered(i32),
    /// The attempt failed: the receiver's status, if one came, and what happened.
    Refused(Option<i32>, String),
    /// Will not be sent; the job ends.
    NotSent(&'static str),
    /// The job ends without touching the delivery.
    Skipped,
}

/// Records `outcome` on the delivery and ends the job (in one transaction), or fails the
/// attempt.
async fn end(
    services: &Services,
    job: &Claimed,
    delivery: i64,
    outcome: Outcome,
) -> Result<(), AppError> {
    let now = services.clock.now();
    let (status, error, delivered) = match &outcome {
        Outcome::Delivered(status) => (Some(*status), "", true),
        Outcome::Refused(status, error) => (*status, error.as_str(), false),
        Outcome::NotSent(why) => (None, *why, false),
        Outcome::Skipped => (None, "", false),
    };
    let tried = matches!(outcome, Outcome::Delivered(_) | Outcome::Refused(..));
    let mut tx = services.pool.begin().await?;
    if !matches!(outcome, Outcome::Skipped) {
        sqlx::query!(
            "UPDATE webhook_deliveries SET
               attempts = attempts + $2::int,
               last_attempt_at = CASE WHEN $2::int = 1 THEN $3 ELSE last_attempt_at END,
               last_status = CASE WHEN $2::int = 1 THEN $4 ELSE last_status END,
               last_error = $5,
               delivered_at = CASE WHEN $6 THEN $3 ELSE NULL END
             WHERE delivery_id = $1",
            delivery,
            i32::from(tried),
            now,
            status,
            error,
            delivered,
        )
        .execute(&mut *tx)
        .await?;
    }
    if let Outcome::Refused(_, error) = outcome {
        // The attempt is recorded; the worker fails the job (retry or dead).
        tx.commit().await?;
        return Err(AppError::Conflict { message: error });
    }
    queue::finish_with(tx, job, now).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_signature_is_hmac_sha256_of_the_timestamp_and_the_body() {
        // python3 -c 'import hmac,hashlib;print(hmac.new(b"whsec_k",b"1700000000.{}",hashlib.sha256).hexdigest())'
        assert_eq!(
            signature(b"whsec_k", 1_700_000_000, b"{}").ok().as_deref(),
            Some(
                "t=1700000000,v1=8b20524faff2b12e1089e404a8cf60fbe577e5320e899ebff7329ebbcb9ada22"
            )
        );
    }
}
