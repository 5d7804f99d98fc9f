//! HTML responses: every page gets a fresh CSP nonce and the headers that keep it from
//! being framed, sniffed, cached or leaking its URL.

use askama::Template;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

/// A random nonce for the page's own inline script, if it has one.
pub fn nonce() -> String {
    latchkey_core::random::secret()
}

/// Render `template` as an HTML response with security headers.
pub fn render(status: StatusCode, template: &impl Template, nonce: &str) -> Response {
    let body = match template.render() {
        Ok(body) => body,
        Err(e) => {
            tracing::error!(error = %e, "template rendering failed");
            return (StatusCode::INTERNAL_SERVER_ERROR, "internal error").into_response();
        }
    };
    let csp = format!(
        "default-src 'none'; style-src 'self'; img-src 'self' https: data:; script-src 'nonce-{nonce}'; \
         frame-ancestors 'none'; base-uri 'none'"
    );
    let mut response = (status, body).into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    if let Ok(csp) = HeaderValue::from_str(&csp) {
        headers.insert(header::CONTENT_SECURITY_POLICY, csp);
    }
    response
}

/// The error page: shown whenever an error must not, or cannot, go back to a client.
#[derive(Debug, Template)]
#[template(path = "error.html")]
pub struct ErrorPage<'a> {
    pub lang: &'static str,
    pub company: &'a str,
    pub logo: Option<&'a str>,
    pub text: &'static crate::i18n::Text,
    pub message: &'a str,
    pub code: Option<&'a str>,
}
