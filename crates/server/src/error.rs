//! The one place errors become HTTP: OAuth JSON errors (RFC 6749 §5.2), and internal or
//! database failures answered with a generic message and a correlation id.

use axum::Json;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use latchkey_core::{ErrorCode, OAuthError};
use serde_json::json;

/// What a protocol endpoint can fail with.
#[derive(Debug)]
pub enum Error {
    /// A client error the spec names; its description is safe to show.
    OAuth(OAuthError),
    /// The database failed or could not be reached.
    Store(latchkey_store::Error),
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

impl IntoResponse for Error {
    fn into_response(self) -> Response {
        let (status, code, description) = match self {
            Self::OAuth(e) => {
                let status = match e.code {
                    ErrorCode::InvalidClient => StatusCode::UNAUTHORIZED,
                    ErrorCode::ServerError => StatusCode::INTERNAL_SERVER_ERROR,
                    _ => StatusCode::BAD_REQUEST,
                };
                (status, e.code.as_str(), e.description.into_owned())
            }
            Self::Store(e) => {
                let id = latchkey_core::random::id();
                tracing::error!(correlation_id = %id, error = %e, "database failure");
                let unavailable = matches!(e, latchkey_store::Error::Unavailable(_));
                match unavailable {
                    true => (
                        StatusCode::SERVICE_UNAVAILABLE,
                        "temporarily_unavailable",
                        format!(
                            "the database is unavailable; try again shortly (correlation id {id})"
                        ),
                    ),
                    false => (
                        StatusCode::INTERNAL_SERVER_ERROR,
                        "server_error",
                        format!("internal error (correlation id {id})"),
                    ),
                }
            }
            Self::Internal(detail) => {
                let id = latchkey_core::random::id();
                tracing::error!(correlation_id = %id, %detail, "internal error");
                (
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "server_error",
                    format!("internal error (correlation id {id})"),
                )
            }
        };
        let mut response = (
            status,
            Json(json!({"error": code, "error_description": description})),
        )
            .into_response();
        let headers = response.headers_mut();
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        headers.insert(header::PRAGMA, HeaderValue::from_static("no-cache"));
        if status == StatusCode::UNAUTHORIZED {
            headers.insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static(r#"Basic realm="latchkey", charset="UTF-8""#),
            );
        }
        response
    }
}
