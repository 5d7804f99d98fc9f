//! Problem details (RFC 9457) for the management API, and how an admin operation's, the
//! store's or the keyring's failure becomes one.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::json;

/// A management-API error as `application/problem+json` (RFC 9457), with a stable `code`
/// and, for invalid input, the offending `field`.
#[derive(Debug)]
pub struct Problem {
    pub status: StatusCode,
    pub code: std::borrow::Cow<'static, str>,
    pub detail: String,
    pub field: Option<String>,
    pub www_authenticate: Option<String>,
}

impl Problem {
    pub fn new(status: StatusCode, code: &'static str, detail: impl Into<String>) -> Self {
        Self {
            status,
            code: code.into(),
            detail: detail.into(),
            field: None,
            www_authenticate: None,
        }
    }

    /// 404: the same answer for an object that does not exist and one the caller may not see.
    pub fn not_found(what: &'static str) -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            "entity.not_found",
            format!("{what} not found"),
        )
    }

    pub fn bad_request(code: &'static str, detail: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, code, detail)
    }

    pub fn unprocessable(code: &'static str, detail: impl Into<String>) -> Self {
        Self::new(StatusCode::UNPROCESSABLE_ENTITY, code, detail)
    }

    pub fn conflict(code: &'static str, detail: impl Into<String>) -> Self {
        Self::new(StatusCode::CONFLICT, code, detail)
    }

    pub fn with_field(mut self, field: impl Into<String>) -> Self {
        self.field = Some(field.into());
        self
    }

    fn internal(
        status: StatusCode,
        code: &'static str,
        what: &str,
        cause: &dyn std::fmt::Display,
    ) -> Self {
        let id = latchkey_core::random::id();
        tracing::error!(correlation_id = %id, error = %cause, "{what}");
        Self::new(status, code, format!("{what} (correlation id {id})"))
    }
}

impl From<latchkey_core::registration::Invalid> for Problem {
    fn from(e: latchkey_core::registration::Invalid) -> Self {
        Self::unprocessable(e.code, e.message).with_field(e.field)
    }
}

impl From<latchkey_store::Error> for Problem {
    fn from(e: latchkey_store::Error) -> Self {
        use latchkey_store::Error as E;
        match e {
            E::NotFound => Self::not_found("object"),
            E::Conflict => Self::conflict(
                "entity.already_exists",
                "an object with the same unique value already exists",
            ),
            E::Missing => Self::unprocessable(
                "entity.relation_foreign_key_not_found",
                "an object this refers to does not exist",
            ),
            E::Unavailable(_) => Self::internal(
                StatusCode::SERVICE_UNAVAILABLE,
                "database.unavailable",
                "the database is unavailable; try again shortly",
                &e,
            ),
            E::Corrupt(_) | E::Database(_) | E::Sqlite(_) | E::Postgres(_) => Self::internal(
                StatusCode::INTERNAL_SERVER_ERROR,
                "internal_error",
                "internal error",
                &e,
            ),
        }
    }
}

/// An admin operation's failure, as the management API answers it.
impl From<crate::manage::Error> for Problem {
    fn from(e: crate::manage::Error) -> Self {
        use crate::manage::Error as E;
        match e {
            E::Invalid {
                code,
                detail,
                field,
            } => {
                let mut problem = Self::new(StatusCode::UNPROCESSABLE_ENTITY, "", detail);
                problem.code = code;
                problem.field = field;
                problem
            }
            E::NotFound(what) => Self::not_found(what),
            E::Conflict { code, detail } => Self::conflict(code, detail),
            E::Refused { code, detail } => Self::new(StatusCode::FORBIDDEN, code, detail),
            E::Store(e) => e.into(),
            E::Internal(detail) => Self::internal(
                StatusCode::INTERNAL_SERVER_ERROR,
                "internal_error",
                "internal error",
                &detail,
            ),
        }
    }
}

impl IntoResponse for crate::manage::Error {
    fn into_response(self) -> Response {
        Problem::from(self).into_response()
    }
}

impl From<crate::keyring::KeyringError> for Problem {
    fn from(e: crate::keyring::KeyringError) -> Self {
        match e {
            crate::keyring::KeyringError::Store(e) => e.into(),
            e @ crate::keyring::KeyringError::Refused(_) => {
                Self::conflict("key.rotation_too_soon", e.to_string())
            }
            e @ crate::keyring::KeyringError::Concurrent => {
                Self::conflict("key.rotation_conflict", e.to_string())
            }
            other => Self::internal(
                StatusCode::INTERNAL_SERVER_ERROR,
                "internal_error",
                "internal error",
                &other,
            ),
        }
    }
}

impl IntoResponse for Problem {
    fn into_response(self) -> Response {
        let title = self.status.canonical_reason().unwrap_or("Error");
        let mut body = json!({
            "type": "about:blank",
            "title": title,
            "status": self.status.as_u16(),
            "code": self.code,
            "detail": self.detail,
        });
        if let Some(field) = self.field {
            body["field"] = json!(field);
        }
        let mut response = (self.status, body.to_string()).into_response();
        let headers = response.headers_mut();
        headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/problem+json"),
        );
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        if let Some(challenge) = self
            .www_authenticate
            .and_then(|c| HeaderValue::from_str(&c).ok())
        {
            headers.insert(header::WWW_AUTHENTICATE, challenge);
        }
        response
    }
}
