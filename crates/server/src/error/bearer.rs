//! A protected resource's answer to a bearer request it refuses (RFC 6750 §3): 401 with a
//! `Bearer` challenge, naming `invalid_token` when a token was sent, or 403
//! `insufficient_scope` for a live token without the scope needed; our own failures as
//! everywhere else.

use axum::Json;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

use super::Error;

#[derive(Debug)]
pub enum BearerError {
    /// No token: the challenge alone (RFC 6750 §3.1, no error code).
    Missing,
    /// A token that is unknown, expired, revoked, or whose user may no longer sign in.
    InvalidToken,
    /// A live token that does not carry the scope this resource needs (403, RFC 6750 §3.1).
    InsufficientScope(&'static str),
    /// Our failure (the database, say).
    Failed(Error),
}

impl From<Error> for BearerError {
    fn from(e: Error) -> Self {
        Self::Failed(e)
    }
}

impl From<latchkey_store::Error> for BearerError {
    fn from(e: latchkey_store::Error) -> Self {
        Self::Failed(e.into())
    }
}

impl IntoResponse for BearerError {
    fn into_response(self) -> Response {
        let (mut response, challenge) = match self {
            Self::Failed(e) => return e.into_response(),
            Self::Missing => (
                StatusCode::UNAUTHORIZED.into_response(),
                r#"Bearer realm="latchkey""#,
            ),
            Self::InvalidToken => (
                (
                    StatusCode::UNAUTHORIZED,
                    Json(serde_json::json!({"error": "invalid_token"})),
                )
                    .into_response(),
                r#"Bearer realm="latchkey", error="invalid_token""#,
            ),
            Self::InsufficientScope(scope) => {
                let body = serde_json::json!({"error": "insufficient_scope", "scope": scope});
                let challenge = format!(
                    r#"Bearer realm="latchkey", error="insufficient_scope", scope="{scope}""#
                );
                let mut response = (StatusCode::FORBIDDEN, Json(body)).into_response();
                if let Ok(value) = HeaderValue::from_str(&challenge) {
                    response
                        .headers_mut()
                        .insert(header::WWW_AUTHENTICATE, value);
                }
                return response;
            }
        };
        let challenge = HeaderValue::from_static(challenge);
        response
            .headers_mut()
            .insert(header::WWW_AUTHENTICATE, challenge);
        response
    }
}
