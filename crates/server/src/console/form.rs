//! A console form post: the signed-in administrator and the form, whose CSRF token is checked
//! before the handler runs. A form without this console session's token (posted from another
//! site, or left open across a new sign-in) changes nothing and is answered 403 with a page
//! that says so. A form's problems are said field by field (`FieldError`).

use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde::de::DeserializeOwned;

use super::Console;
use crate::app::AppState;

/// The administrator and the form `T`, read from `application/x-www-form-urlencoded`. A form
/// with repeated fields can be read as `Vec<(String, String)>`.
#[derive(Debug)]
pub struct ConsoleForm<T>(pub Console, pub T);

impl<T: DeserializeOwned> FromRequest<AppState> for ConsoleForm<T> {
    type Rejection = Response;

    async fn from_request(request: Request, state: &AppState) -> Result<Self, Response> {
        let (mut parts, body) = request.into_parts();
        let console = Console::from_request_parts(&mut parts, state).await?;
        let request = Request::from_parts(parts, body);
        let body = Bytes::from_request(request, state)
            .await
            .map_err(IntoResponse::into_response)?;
        let csrf = url::form_urlencoded::parse(&body)
            .find(|(name, _)| name == "csrf")
            .map(|(_, value)| value.into_owned())
            .unwrap_or_default();
        if !console.checks(&csrf) {
            return Err(super::auth::form_expired(console.locale));
        }
        let form = serde_urlencoded::from_bytes(&body)
            .map_err(|e| (StatusCode::UNPROCESSABLE_ENTITY, e.to_string()).into_response())?;
        Ok(Self(console, form))
    }
}

/// A form with nothing but its CSRF token: a delete, revoke or sign-out button.
#[derive(Debug, Deserialize)]
pub struct Button {}

/// One problem of a submitted form: the form field it belongs to, and what to say beside it,
/// in words that name no API field path.
#[derive(Debug, Clone)]
pub struct FieldError {
    pub field: &'static str,
    pub message: String,
}
