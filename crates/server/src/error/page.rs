//! A failure on a page a person is looking at: the localized error page, never JSON. A
//! database that cannot be reached is 503, anything else of ours 500; both carry the
//! correlation id their log line carries, so that a user's report finds it.

use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use latchkey_core::OAuthError;

use super::{Error, Problem};
use crate::app::AppState;
use crate::html::{self, ErrorPage};
use crate::i18n::{Locale, Text};

/// The error page for a failure, rendered for this browser's language and the company.
#[derive(Debug)]
pub struct PageError(Box<Response>);

impl PageError {
    pub fn new(state: &AppState, headers: &HeaderMap, failure: impl Into<Error>) -> Self {
        let (status, error) = failure.into().into_oauth();
        Self::showing(state, headers, status, &error)
    }

    /// The page for an error the spec names, with `status`: a request that may not be
    /// redirected to its client, say.
    pub fn showing(
        state: &AppState,
        headers: &HeaderMap,
        status: StatusCode,
        error: &OAuthError,
    ) -> Self {
        let locale = Locale::of(headers, None);
        Self::render(
            state,
            locale,
            status,
            &error.description,
            error.code.as_str(),
        )
    }

    /// A management operation's failure on a console page: the page, with the status, the
    /// detail and the code its problem document would have had.
    pub fn of_problem(state: &AppState, locale: Locale, problem: Problem) -> Self {
        Self::render(
            state,
            locale,
            problem.status,
            &problem.detail,
            &problem.code,
        )
    }

    fn render(
        state: &AppState,
        locale: Locale,
        status: StatusCode,
        message: &str,
        code: &str,
    ) -> Self {
        let page = ErrorPage {
            lang: locale.tag(),
            company: &state.config.company_name,
            logo: state.config.logo_url.as_deref(),
            text: locale.text(),
            message: sentence(locale.text(), status, code),
            detail: Some(message),
            code: Some(code),
            back: None,
        };
        Self(Box::new(html::render(status, &page, &html::nonce())))
    }
}

/// What a person reads for an error: by its kind, in the page's language. The error's own
/// description stays below it, for the application's developers.
fn sentence(text: &'static Text, status: StatusCode, code: &str) -> &'static str {
    match code {
        "invalid_client" | "unauthorized_client" | "invalid_redirect_uri" => text.error_client,
        "invalid_scope" | "invalid_target" => text.error_scope,
        "access_denied" => text.error_denied,
        _ if status.is_server_error() => text.error_server,
        _ if status == StatusCode::NOT_FOUND => text.error_not_found,
        _ if status == StatusCode::FORBIDDEN => text.error_forbidden,
        _ => text.error_request,
    }
}

impl PageError {
    /// A response given instead of the page: a redirect to sign in, or the expired page.
    pub fn instead(response: Response) -> Self {
        Self(Box::new(response))
    }
}

/// A failure met while serving a page, as that page's error (`?` in a page handler).
pub trait OrPage<T> {
    fn or_page(self, state: &AppState, headers: &HeaderMap) -> Result<T, PageError>;
}

impl<T, E: Into<Error>> OrPage<T> for Result<T, E> {
    fn or_page(self, state: &AppState, headers: &HeaderMap) -> Result<T, PageError> {
        self.map_err(|failure| PageError::new(state, headers, failure))
    }
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        *self.0
    }
}
