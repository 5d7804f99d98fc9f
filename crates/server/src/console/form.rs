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

use super::{Console, ConsoleText};
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

impl FieldError {
    pub fn of_field(field: &'static str, message: &str) -> Self {
        Self {
            field,
            message: message.to_owned(),
        }
    }

    /// An operation's refusal of a form, in plain words: beside the field it concerns when the
    /// console has words for its code, otherwise above the form (`field` empty) as the
    /// operation said it.
    pub fn of(text: &ConsoleText, error: &crate::manage::Error) -> Self {
        match text.problem.of(error.code()) {
            Some((field, message)) => Self::of_field(field, message),
            None => Self {
                field: "",
                message: error.to_string(),
            },
        }
    }

    /// The same problem with its field renamed (`(from, to)`), for a form whose fields share
    /// names with another form of its page.
    pub fn renamed(mut self, names: &[(&'static str, &'static str)]) -> Self {
        if let Some((_, name)) = names.iter().find(|(field, _)| *field == self.field) {
            self.field = name;
        }
        self
    }
}

/// The problems of the name and description most forms have, found together before the
/// operation is asked (which stops at the first), with its rules.
pub fn name_problems(text: &ConsoleText, name: &str, description: &str) -> Vec<FieldError> {
    use latchkey_core::registration as rules;
    let name = rules::check_name("name", name).err();
    let description = rules::check_description("description", Some(description)).err();
    [name, description]
        .into_iter()
        .flatten()
        .filter_map(|invalid| text.problem.of(invalid.code))
        .map(|(field, message)| FieldError::of_field(field, message))
        .collect()
}

/// 422 for a page that shows a refused form, 200 otherwise.
pub fn refused_if(problems: &[FieldError]) -> StatusCode {
    match problems.is_empty() {
        true => StatusCode::OK,
        false => StatusCode::UNPROCESSABLE_ENTITY,
    }
}
