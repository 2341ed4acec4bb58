//! A typed view of the browser session: who is signed in, since when, and whether a second
//! factor is still owed. Idle and absolute lifetimes are enforced here, against the injected
//! clock; the session record's own expiry is only a backstop.

use base64::prelude::{Engine, BASE64_STANDARD};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use tower_sessions::Session;
use uuid::Uuid;

use super::totp::SealingKey;
use crate::domain::identity::throttle::CODES_PER_PASSWORD;
use crate::error::{AppError, OrInternal};
use crate::model::ReturnedInput;

pub const SIGNED_IN_KEY: &str = "auth";
const AWAITING_CODE_KEY: &str = "awaiting_code";
const REVEAL_KEY: &str = "reveal";
const NOTICE_KEY: &str = "notice";
const INVITATION_KEY: &str = "invitation";
const SSO_IDENTITY_KEY: &str = "sso_identity";
const RETURNED_KEY: &str = "returned_input";
const CONFIRMED_KEY: &str = "identity_confirmed_at";

/// A sensitive change within this long of the last proof of identity asks for none again.
pub const FRESH_SECS: i64 = 5 * 60;

/// Signed out after this long without a request.
pub const IDLE_SECS: i64 = 30 * 60;
/// Signed out this long after signing in, however active.
pub const ABSOLUTE_SECS: i64 = 12 * 60 * 60;
/// The second factor must follow the password within this time.
pub const CODE_STEP_SECS: i64 = 5 * 60;
/// `last_seen_at` is written at most this often, to spare the database a write per request.
const TOUCH_SECS: i64 = 60;

#[derive(Debug, Clone, Serialize, Deserialize)]
struct SignedIn {
    user_id: Uuid,
    signed_in_at: i64,
    last_seen_at: i64,
    /// The browser, as its User-Agent names it, for the person's list of sessions.
    #[serde(default)]
    device: Option<String>,
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
struct AwaitingCode {
    user_id: Uuid,
    since: i64,
    /// Wrong codes so far for this password step.
    #[serde(default)]
    refused: u8,
}

/// What a sealed session value is bound to: its slot.
fn sealed_context(slot: &str) -> Vec<u8> {
    [
        b"ai-governance-portal/session/v1/".as_slice(),
        slot.as_bytes(),
    ]
    .concat()
}

fn store_error(error: tower_sessions::session::Error) -> AppError {
    tracing::error!(%error, "session store failed");
    AppError::Unavailable
}

/// The slot of a refused form's input: it names the account, and the seal is bound to it.
fn returned_slot(user_id: Uuid) -> String {
    format!("{RETURNED_KEY}:{user_id}")
}

pub struct AuthSession(pub Session);

impl AuthSession {
    /// The signed-in person, if the session is still within its idle and absolute limits.
    pub async fn user_id(&self, now: DateTime<Utc>) -> Result<Option<Uuid>, AppError> {
        let Some(mut auth) = self
            .0
            .get::<SignedIn>(SIGNED_IN_KEY)
            .await
            .map_err(store_error)?
        else {
            return Ok(None);
        };
        let now = now.timestamp();
        if now - auth.last_seen_at > IDLE_SECS || now - auth.signed_in_at > ABSOLUTE_SECS {
            self.end().await?;
            return Ok(None);
        }
        if now - auth.last_seen_at >= TOUCH_SECS {
            auth.last_seen_at = now;
            self.0
                .insert(SIGNED_IN_KEY, &auth)
                .await
                .map_err(store_error)?;
        }
        Ok(Some(auth.user_id))
    }

    /// Fully signed in: a new session id (the old one, possibly planted, dies).
    pub async fn sign_in(
        &self,
        user_id: Uuid,
        now: DateTime<Utc>,
        device: Option<String>,
    ) -> Result<(), AppError> {
        self.0.cycle_id().await.map_err(store_error)?;
        self.0.clear().await;
        let now = now.timestamp();
        self.0
            .insert(
                SIGNED_IN_KEY,
                SignedIn {
                    user_id,
                    signed_in_at: now,
                    last_seen_at: now,
                    device: device.map(|d| d.chars().take(200).collect()),
                },
            )
            .await
            .map_err(store_error)?;
        // Signing in is a proof of identity too.
        self.0.insert(CONFIRMED_KEY, now).await.map_err(store_error)
    }

    /// The password was right; remember whose code is expected next (under a new id).
    pub async fn await_code(&self, user_id: Uuid, now: DateTime<Utc>) -> Result<(), AppError> {
        self.0.cycle_id().await.map_err(store_error)?;
        self.0.clear().await;
        self.0
            .insert(
                AWAITING_CODE_KEY,
                AwaitingCode {
                    user_id,
                    since: now.timestamp(),
                    refused: 0,
                },
            )
            .await
            .map_err(store_error)
    }

    /// Whose second factor is expected, if the password step was recent enough.
    pub async fn awaiting_code(&self, now: DateTime<Utc>) -> Result<Option<Uuid>, AppError> {
        let pending = self
            .0
            .get::<AwaitingCode>(AWAITING_CODE_KEY)
            .await
            .map_err(store_error)?;
        Ok(pending
            .filter(|p| now.timestamp() - p.since <= CODE_STEP_SECS)
            .map(|p| p.user_id))
    }

    /// Counts a wrong code for the pending sign-in. After [`CODES_PER_PASSWORD`] the pending
    /// sign-in ends and the password step starts again; returns whether it ended.
    pub async fn code_refused(&self) -> Result<bool, AppError> {
        let Some(mut pending) = self
            .0
            .get::<AwaitingCode>(AWAITING_CODE_KEY)
            .await
            .map_err(store_error)?
        else {
            return Ok(true);
        };
        pending.refused = pending.refused.saturating_add(1);
        if pending.refused >= CODES_PER_PASSWORD {
            self.0
                .remove_value(AWAITING_CODE_KEY)
                .await
                .map_err(store_error)?;
            return Ok(true);
        }
        self.0
            .insert(AWAITING_CODE_KEY, pending)
            .await
            .map_err(store_error)?;
        Ok(false)
    }

    /// The person just proved it is them (password or code): sensitive changes within
    /// [`FRESH_SECS`] need no new proof.
    pub async fn confirmed(&self, now: DateTime<Utc>) -> Result<(), AppError> {
        self.0
            .insert(CONFIRMED_KEY, now.timestamp())
            .await
            .map_err(store_error)
    }

    /// Whether the last proof of identity is recent enough for a sensitive change.
    pub async fn is_fresh(&self, now: DateTime<Utc>) -> Result<bool, AppError> {
        let at = self
            .0
            .get::<i64>(CONFIRMED_KEY)
            .await
            .map_err(store_error)?;
        Ok(at.is_some_and(|at| (0..=FRESH_SECS).contains(&(now.timestamp() - at))))
    }

    /// A new session id for the same sign-in (after a step-up or a change of roles).
    pub async fn renew(&self) -> Result<(), AppError> {
        self.0.cycle_id().await.map_err(store_error)
    }

    /// The session's id, to tell it apart from the person's other sessions.
    pub fn id(&self) -> Option<String> {
        self.0.id().map(|id| id.to_string())
    }

    /// Keeps `value` in `slot` sealed with `key` (a file, not the database), bound to the slot:
    /// whoever reads the sessions table does not read it.
    async fn put_sealed<T: Serialize>(
        &self,
        slot: &str,
        key: &SealingKey,
        value: &T,
    ) -> Result<(), AppError> {
        let plain = serde_json::to_vec(value).or_internal("serializing a sealed session value")?;
        let sealed = key.seal_bytes(&plain, &sealed_context(slot))?;
        self.0
            .insert(slot, BASE64_STANDARD.encode(sealed))
            .await
            .map_err(store_error)
    }

    /// What [`put_sealed`](Self::put_sealed) kept in `slot`, if it opens (a value sealed with a
    /// key since rotated, or changed, is dropped) and has the shape `T`.
    async fn get_sealed<T: serde::de::DeserializeOwned>(
        &self,
        slot: &str,
        key: &SealingKey,
    ) -> Result<Option<T>, AppError> {
        let Ok(Some(sealed)) = self.0.get::<String>(slot).await else {
            return Ok(None);
        };
        let opened = BASE64_STANDARD
            .decode(sealed)
            .ok()
            .and_then(|sealed| key.open_bytes(&sealed, &sealed_context(slot)));
        let Some(plain) = opened else {
            tracing::warn!(slot, "a sealed session value does not open; dropped");
            self.0.remove_value(slot).await.map_err(store_error)?;
            return Ok(None);
        };
        Ok(serde_json::from_slice(&plain).ok())
    }

    /// Keeps a secret that must be shown exactly once (a new token, recovery codes, an
    /// invitation link), sealed, until the next page load takes it — so it reaches a browser
    /// without JavaScript too.
    pub async fn reveal<T: Serialize>(&self, key: &SealingKey, value: &T) -> Result<(), AppError> {
        self.put_sealed(REVEAL_KEY, key, value).await
    }

    /// The secret kept by [`reveal`](Self::reveal), removed as it is read. A value of another
    /// shape belongs to another page: it is left for that page.
    pub async fn take_reveal<T: serde::de::DeserializeOwned>(
        &self,
        key: &SealingKey,
    ) -> Result<Option<T>, AppError> {
        let value = self.get_sealed(REVEAL_KEY, key).await?;
        self.forget_if(value.is_some(), REVEAL_KEY).await?;
        Ok(value)
    }

    /// A confirmation for the next page the person sees ("Settings saved."): forms post and
    /// come back, so a success has no other way to be said. Taken as it is shown.
    pub async fn notice(&self, text: &str) -> Result<(), AppError> {
        self.0.insert(NOTICE_KEY, text).await.map_err(store_error)
    }

    /// The confirmation kept by [`notice`](Self::notice), removed as it is read. Every page asks
    /// for it, so the session is left untouched (and not saved again) when there is none.
    pub async fn take_notice(&self) -> Result<Option<String>, AppError> {
        let notice = self
            .0
            .get::<String>(NOTICE_KEY)
            .await
            .map_err(store_error)?;
        self.forget_if(notice.is_some(), NOTICE_KEY).await?;
        Ok(notice)
    }

    /// Removes `slot` when `present`: removing marks the session changed, even for a slot that
    /// is not there, and a changed session is written back at the end of the request.
    async fn forget_if(&self, present: bool, slot: &str) -> Result<(), AppError> {
        if present {
            self.0.remove_value(slot).await.map_err(store_error)?;
        }
        Ok(())
    }

    /// Keeps what was typed into a form a server function refused, sealed, for the page that
    /// shows the error: the form comes back filled in. Only for a signed-in person, and bound to
    /// them (the slot, hence the seal, names the account: a value copied into another person's
    /// session does not open there). Secrets are never passed here.
    pub async fn return_input(
        &self,
        key: &SealingKey,
        input: &ReturnedInput,
        now: DateTime<Utc>,
    ) -> Result<(), AppError> {
        match self.user_id(now).await? {
            Some(user_id) => self.put_sealed(&returned_slot(user_id), key, input).await,
            None => Ok(()),
        }
    }

    /// The input kept by [`return_input`](Self::return_input), if it was refused by `path`;
    /// removed as it is read (input of another form is dropped too).
    pub async fn take_returned_input(
        &self,
        key: &SealingKey,
        path: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<ReturnedInput>, AppError> {
        let Some(user_id) = self.user_id(now).await? else {
            return Ok(None);
        };
        let slot = returned_slot(user_id);
        let input: Option<ReturnedInput> = self.get_sealed(&slot, key).await?;
        self.forget_if(input.is_some(), &slot).await?;
        Ok(input.filter(|input| input.path == path))
    }

    /// Holds the invitation token the visitor opened (sealed), so it never has to travel in a
    /// URL: the link carries it after `#`, the page posts it once.
    pub async fn hold_invitation(&self, key: &SealingKey, token: &str) -> Result<(), AppError> {
        self.put_sealed(INVITATION_KEY, key, &token).await
    }

    pub async fn held_invitation(&self, key: &SealingKey) -> Result<Option<String>, AppError> {
        self.get_sealed(INVITATION_KEY, key).await
    }

    pub async fn drop_invitation(&self) -> Result<(), AppError> {
        self.0
            .remove_value(INVITATION_KEY)
            .await
            .map(drop)
            .map_err(store_error)
    }

    /// Holds who the identity provider vouched for (sealed) while their TOTP code is awaited:
    /// the account is linked and its groups applied only once the code is right.
    pub async fn hold_sso_identity<T: Serialize>(
        &self,
        key: &SealingKey,
        identity: &T,
    ) -> Result<(), AppError> {
        self.put_sealed(SSO_IDENTITY_KEY, key, identity).await
    }

    /// The identity [`hold_sso_identity`](Self::hold_sso_identity) kept, removed as it is read.
    pub async fn take_sso_identity<T: serde::de::DeserializeOwned>(
        &self,
        key: &SealingKey,
    ) -> Result<Option<T>, AppError> {
        let identity = self.get_sealed(SSO_IDENTITY_KEY, key).await?;
        if identity.is_some() {
            self.0
                .remove_value(SSO_IDENTITY_KEY)
                .await
                .map_err(store_error)?;
        }
        Ok(identity)
    }

    /// Signs out: the record is deleted on the server, and the cookie with it.
    pub async fn end(&self) -> Result<(), AppError> {
        self.0.delete().await.map_err(store_error)
    }
}
