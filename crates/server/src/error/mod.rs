//! The one place errors become HTTP: OAuth JSON errors (RFC 6749 §5.2) for the protocol,
//! problem details (RFC 9457) for the management API (`problem`), the localized error page
//! for a person's browser (`page`), bearer challenges for userinfo (`bearer`, RFC 6750), and internal or database failures answered with a
//! generic message and a correlation id that is also logged.

use axum::Json;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use latchkey_core::{ErrorCode, OAuthError};
use serde_json::json;

mod bearer;
mod page;
mod problem;

pub use bearer::BearerError;
pub use page::{OrPage, PageError};
pub use problem::Problem;

/// What a protocol endpoint can fail with.
#[derive(Debug)]
pub enum Error {
    /// A client error the spec names; its description is safe to show.
    OAuth(OAuthError),
    /// The database failed or could not be reached.
    Store(latchkey_store::Error),
    /// Too many failed proofs: wait this long before trying again.
    Throttled { wait_ms: i64 },
    /// Anything else that is our fault.
    Internal(String),
}

impl From<OAuthError> for Error {
    fn from(e: OAuthError) -> Self {
        Self::OAuth(e)
    }
}

impl From<latchkey_store::Error> for Error {
    fn from(e: latchkey_store::Error) -> Self {
        Self::Store(e)
    }
}

/// An admin operation run for a person's own page (their connected apps): its store and
/// internal failures stay what they are; the rest is a request the page cannot honour.
impl From<crate::manage::Error> for Error {
    fn from(e: crate::manage::Error) -> Self {
        match e {
            crate::manage::Error::Store(e) => Self::Store(e),
            crate::manage::Error::Internal(detail) => Self::Internal(detail),
            other => Self::OAuth(OAuthError::invalid_request(other.to_string())),
        }
    }
}

impl Error {
    /// The OAuth error the client is told (RFC 6749 §5.2 and §4.1.2.1) and its HTTP status.
    /// A store or internal failure is logged here with a correlation id, which the
    /// description carries; a database that cannot be reached is `temporarily_unavailable`.
    pub fn into_oauth(self) -> (StatusCode, OAuthError) {
        let failure = |code: ErrorCode, status: StatusCode, what: &str, detail: String| {
            let id = latchkey_core::random::id();
            tracing::error!(correlation_id = %id, error = %detail, "{what}");
            let description = match code {
                ErrorCode::TemporarilyUnavailable => {
                    format!("the database is unavailable; try again shortly (correlation id {id})")
                }
                _ => format!("internal error (correlation id {id})"),
            };
            (status, OAuthError::new(code, description))
        };
        match self {
            Self::OAuth(e) => {
                let status = match e.code {
                    ErrorCode::InvalidClient => StatusCode::UNAUTHORIZED,
                    ErrorCode::ServerError => StatusCode::INTERNAL_SERVER_ERROR,
                    ErrorCode::TemporarilyUnavailable => StatusCode::SERVICE_UNAVAILABLE,
                    _ => StatusCode::BAD_REQUEST,
                };
                (status, e)
            }
            Self::Store(e @ latchkey_store::Error::Unavailable(_)) => failure(
                ErrorCode::TemporarilyUnavailable,
                StatusCode::SERVICE_UNAVAILABLE,
                "database failure",
                e.to_string(),
            ),
            Self::Store(e) => failure(
                ErrorCode::ServerError,
                StatusCode::INTERNAL_SERVER_ERROR,
                "database failure",
                e.to_string(),
            ),
            Self::Throttled { wait_ms } => {
                let secs = (wait_ms + 999) / 1000;
                let why = format!("too many attempts; try again in {secs} seconds");
                let error = OAuthError::new(ErrorCode::TemporarilyUnavailable, why);
                (StatusCode::TOO_MANY_REQUESTS, error)
            }
            Self::Internal(detail) => failure(
                ErrorCode::ServerError,
                StatusCode::INTERNAL_SERVER_ERROR,
                "internal error",
                detail,
            ),
        }
    }
}

impl IntoResponse for Error {
    fn into_response(self) -> Response {
        let retry_after = match &self {
            Self::Throttled { wait_ms } => Some((wait_ms + 999) / 1000),
            _ => None,
        };
        let (status, error) = self.into_oauth();
        let (code, description) = (error.code.as_str(), error.description);
        let mut response = (
            status,
            Json(json!({"error": code, "error_description": description})),
        )
            .into_response();
        let headers = response.headers_mut();
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        headers.insert(header::PRAGMA, HeaderValue::from_static("no-cache"));
        if let Some(value) = retry_after.and_then(|s| HeaderValue::from_str(&s.to_string()).ok()) {
            headers.insert(header::RETRY_AFTER, value);
        }
        if status == StatusCode::UNAUTHORIZED {
            headers.insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static(r#"Basic realm="latchkey", charset="UTF-8""#),
            );
        }
        response
    }
}
