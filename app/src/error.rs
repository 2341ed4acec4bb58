//! The one error type shared by server functions, the REST layer and the UI.
//!
//! Every variant is safe to show to a user: internal causes are logged on the server where the
//! error is created and never cross the wire.

use leptos::server_fn::codec::JsonEncoding;
use leptos::server_fn::error::{FromServerFnError, ServerFnErrorErr};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[serde(tag = "code", rename_all = "snake_case")]
pub enum AppError {
    #[error("Please sign in to continue.")]
    Unauthorized,
    #[error("You do not have permission to do that.")]
    Forbidden,
    /// Signed in, but a second factor must be set up before anything else.
    #[error("Set up two-factor sign-in first: your role requires it.")]
    EnrollmentRequired,
    /// Sign-in failed. Deliberately says nothing about which part was wrong.
    #[error("The email address or password is not right.")]
    InvalidCredentials,
    #[error("Not found.")]
    NotFound,
    /// It exists, but the caller may not know that: on the wire exactly a `NotFound` (status,
    /// code and message), and on the server counted as `access.denied`.
    #[error("Not found.")]
    #[serde(rename = "not_found", skip_deserializing)]
    Hidden,
    #[error("{message}")]
    Conflict { message: String },
    #[error("{field}: {message}")]
    Invalid { field: String, message: String },
    /// The request itself could not be read (a malformed query string, say).
    #[error("{message}")]
    BadRequest { message: String },
    /// The request's body is over the route's limit.
    #[error("{message}")]
    TooLarge { message: String },
    #[error("Too many attempts. Please wait a moment and try again.")]
    RateLimited,
    /// An account's rate limit is used up for now (`Retry-After`).
    #[error("Too many requests from your account. Try again in {retry_after_secs} seconds.")]
    SlowDown { retry_after_secs: i64 },
    /// Too many wrong second factors: the second factor is locked until then (UTC).
    #[error("Two-factor sign-in is locked until {until} after too many wrong codes. Your admins have been told.")]
    Locked { until: String },
    #[error("The portal is temporarily unavailable. Please try again shortly.")]
    Unavailable,
    #[error("Something went wrong on our side. Please try again.")]
    Internal,
    /// The browser could not reach the server or understand its answer.
    #[error("The server could not be reached. Check your connection and try again.")]
    Network,
}

impl AppError {
    pub fn invalid(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self::Invalid {
            field: field.into(),
            message: message.into(),
        }
    }

    /// The HTTP status this error is answered with.
    pub fn status(&self) -> u16 {
        match self {
            Self::Unauthorized => 401,
            Self::Forbidden | Self::EnrollmentRequired => 403,
            Self::InvalidCredentials => 401,
            Self::NotFound | Self::Hidden => 404,
            Self::Conflict { .. } => 409,
            Self::Invalid { .. } => 422,
            Self::BadRequest { .. } => 400,
            Self::TooLarge { .. } => 413,
            Self::RateLimited | Self::Locked { .. } | Self::SlowDown { .. } => 429,
            Self::Unavailable => 503,
            Self::Internal => 500,
            Self::Network => 502,
        }
    }

    /// The stable machine-readable code (the `code` of the JSON error body).
    pub fn code(&self) -> &'static str {
        match self {
            Self::Unauthorized => "unauthorized",
            Self::Forbidden => "forbidden",
            Self::EnrollmentRequired => "enrollment_required",
            Self::InvalidCredentials => "invalid_credentials",
            Self::NotFound | Self::Hidden => "not_found",
            Self::Conflict { .. } => "conflict",
            Self::Invalid { .. } => "invalid",
            Self::BadRequest { .. } => "bad_request",
            Self::TooLarge { .. } => "too_large",
            Self::RateLimited | Self::SlowDown { .. } => "rate_limited",
            Self::Locked { .. } => "locked",
            Self::Unavailable => "unavailable",
            Self::Internal => "internal",
            Self::Network => "network",
        }
    }

    /// A refused authorization: a 403, or the 404 that hides an object (audited as
    /// `access.denied`, tallied per minute).
    pub fn is_denial(&self) -> bool {
        matches!(self, Self::Forbidden | Self::Hidden)
    }

    /// Seconds to wait before trying again, when the error says (`Retry-After`).
    pub fn retry_after(&self) -> Option<i64> {
        match self {
            Self::SlowDown { retry_after_secs } => Some((*retry_after_secs).max(1)),
            _ => None,
        }
    }

    /// The field the error is about, when there is one.
    pub fn field(&self) -> Option<&str> {
        match self {
            Self::Invalid { field, .. } => Some(field),
            _ => None,
        }
    }
}

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        match value {
            // The request's arguments could not be read: the client sent something malformed.
            // A typed argument that refuses a value names its field (`action: must be …`).
            ServerFnErrorErr::Args(message) | ServerFnErrorErr::MissingArg(message) => {
                match message.split_once(": ") {
                    Some((field, reason))
                        if !field.is_empty()
                            && field.chars().all(|c| c.is_ascii_lowercase() || c == '_') =>
                    {
                        Self::invalid(field, reason)
                    }
                    _ => Self::invalid("request", message),
                }
            }
            ServerFnErrorErr::Request(_)
            | ServerFnErrorErr::Response(_)
            | ServerFnErrorErr::Deserialization(_) => Self::Network,
            _ => Self::Internal,
        }
    }
}

#[cfg(feature = "ssr")]
impl From<sqlx::Error> for AppError {
    /// A database error nobody expected: logged here, answered without detail. A missing row is
    /// not `NotFound` here — lookups say so themselves (`fetch_optional(..).ok_or(NotFound)`).
    #[track_caller]
    fn from(error: sqlx::Error) -> Self {
        crate::backend::platform::db_trouble::noticed(std::time::Instant::now());
        let at = std::panic::Location::caller();
        match &error {
            // Two transactions took the same rows in opposite orders, or a serializable one lost:
            // PostgreSQL rolled this one back whole, so trying again is safe.
            sqlx::Error::Database(db)
                if matches!(db.code().as_deref(), Some("40P01" | "40001")) =>
            {
                tracing::warn!(%error, %at, "transaction conflict");
                Self::Conflict {
                    message: "someone changed this at the same moment; please try again".into(),
                }
            }
            sqlx::Error::PoolTimedOut | sqlx::Error::Io(_) | sqlx::Error::PoolClosed => {
                tracing::warn!(%error, %at, "database unavailable");
                Self::Unavailable
            }
            _ => {
                tracing::error!(%error, %at, "database error");
                Self::Internal
            }
        }
    }
}

/// Turns any failure into [`AppError::Internal`], logging its cause and where it happened.
#[cfg(feature = "ssr")]
pub trait OrInternal<T> {
    /// `what` says what was being done ("sealing a TOTP secret"); the cause stays in the log.
    fn or_internal(self, what: &str) -> Result<T, AppError>;
}

#[cfg(feature = "ssr")]
impl<T, E: std::fmt::Display> OrInternal<T> for Result<T, E> {
    #[track_caller]
    fn or_internal(self, what: &str) -> Result<T, AppError> {
        let at = std::panic::Location::caller();
        self.map_err(|error| {
            tracing::error!(%error, %at, "{what} failed");
            AppError::Internal
        })
    }
}

#[cfg(feature = "ssr")]
impl<T> OrInternal<T> for Option<T> {
    #[track_caller]
    fn or_internal(self, what: &str) -> Result<T, AppError> {
        let at = std::panic::Location::caller();
        self.ok_or_else(|| {
            tracing::error!(%at, "{what}: nothing there");
            AppError::Internal
        })
    }
}

/// Maps a named constraint's violation to a field error; any other error goes through
/// `From<sqlx::Error>`. Constraints are named in the migrations for this.
#[cfg(feature = "ssr")]
pub trait OnConstraint<T> {
    fn on_constraint(self, constraint: &str, field: &str, message: &str) -> Result<T, AppError>;
}

#[cfg(feature = "ssr")]
impl<T> OnConstraint<T> for Result<T, sqlx::Error> {
    #[track_caller]
    fn on_constraint(self, constraint: &str, field: &str, message: &str) -> Result<T, AppError> {
        match self {
            Err(sqlx::Error::Database(db)) if db.constraint() == Some(constraint) => {
                Err(AppError::invalid(field, message))
            }
            other => Ok(other?),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_and_codes_are_stable() {
        let cases = [
            (AppError::Unauthorized, 401, "unauthorized"),
            (AppError::Forbidden, 403, "forbidden"),
            (AppError::EnrollmentRequired, 403, "enrollment_required"),
            (AppError::InvalidCredentials, 401, "invalid_credentials"),
            (AppError::NotFound, 404, "not_found"),
            (
                AppError::Conflict {
                    message: "taken".into(),
                },
                409,
                "conflict",
            ),
            (AppError::invalid("name", "too long"), 422, "invalid"),
            (
                AppError::BadRequest {
                    message: "bad".into(),
                },
                400,
                "bad_request",
            ),
            (AppError::RateLimited, 429, "rate_limited"),
            (AppError::Unavailable, 503, "unavailable"),
            (AppError::Internal, 500, "internal"),
        ];
        for (error, status, code) in cases {
            assert_eq!(error.status(), status);
            assert_eq!(error.code(), code);
            let json = serde_json::to_value(&error).expect("serializes");
            assert_eq!(json["code"], code);
        }
    }

    #[test]
    fn a_hidden_object_looks_exactly_like_a_missing_one_on_the_wire() {
        let hidden = serde_json::to_string(&AppError::Hidden).expect("serializes");
        assert_eq!(
            hidden,
            serde_json::to_string(&AppError::NotFound).expect("serializes")
        );
        assert_eq!(AppError::Hidden.to_string(), AppError::NotFound.to_string());
        assert_eq!(AppError::Hidden.status(), 404);
        let back: AppError = serde_json::from_str(&hidden).expect("parses");
        assert_eq!(back, AppError::NotFound);
        assert!(AppError::Hidden.is_denial() && AppError::Forbidden.is_denial());
        assert!(!AppError::NotFound.is_denial());
    }

    #[test]
    fn invalid_names_its_field() {
        let error = AppError::invalid("name", "must not be empty");
        assert_eq!(error.field(), Some("name"));
        assert_eq!(error.to_string(), "name: must not be empty");
    }

    #[test]
    fn malformed_arguments_become_a_field_error() {
        let error = AppError::from_server_fn_error(ServerFnErrorErr::Args("bad".into()));
        assert_eq!(error.field(), Some("request"));
        assert_eq!(error.status(), 422);
    }

    #[test]
    fn a_typed_argument_that_refuses_a_value_names_its_field() {
        let error = AppError::from_server_fn_error(ServerFnErrorErr::Args(
            "action: must be submit or comment".into(),
        ));
        assert_eq!(
            error,
            AppError::invalid("action", "must be submit or comment")
        );
        // serde's own messages are not mistaken for a field.
        let error = AppError::from_server_fn_error(ServerFnErrorErr::Args(
            "invalid type: string \"x\", expected i64".into(),
        ));
        assert_eq!(error.field(), Some("request"));
    }
}
