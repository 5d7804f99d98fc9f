//! Authorization responses (RFC 6749 §4.1.2, OAuth 2.0 Form Post Response Mode): a redirect
//! with the result in the query, or a self-submitting form; always with `iss` (RFC 9207).

use askama::Template;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use latchkey_core::OAuthError;
use latchkey_core::authorize::ResponseMode;

use crate::app::AppState;
use crate::error::Error;
use crate::html;
use crate::i18n::{Locale, Text};

#[derive(Template)]
#[template(path = "form_post.html")]
struct FormPostPage<'a> {
    lang: &'static str,
    company: &'a str,
    logo: Option<&'a str>,
    text: &'static Text,
    action: &'a str,
    fields: &'a [(String, String)],
    nonce: &'a str,
}

#[derive(Template)]
#[template(path = "waiting.html")]
struct WaitingPage<'a> {
    lang: &'static str,
    company: &'a str,
    logo: Option<&'a str>,
    text: &'static Text,
    app_name: &'a str,
    /// Back to the client in the query (`query` mode) ...
    link: Option<String>,
    /// ... or by a form the user submits (`form_post`).
    action: &'a str,
    fields: &'a [(String, String)],
}

/// The page for a client that waits for an administrator's approval: the user reads why,
/// and goes back to the client with `access_denied` when they choose to (HTTP 403).
pub fn waiting(
    state: &AppState,
    headers: &HeaderMap,
    (redirect_uri, mode, client_state): (&str, ResponseMode, Option<String>),
    (app_name, error): (&str, &OAuthError),
) -> Response {
    let fields = error_fields(state, client_state, error);
    let link = match mode {
        ResponseMode::Query => match url::Url::parse(redirect_uri) {
            Ok(mut url) => {
                url.query_pairs_mut().extend_pairs(&fields);
                Some(url.to_string())
            }
            Err(_) => {
                return Error::Internal("a registered redirect URI does not parse".into())
                    .into_response();
            }
        },
        ResponseMode::FormPost => None,
    };
    let locale = Locale::of(headers, None);
    let page = WaitingPage {
        lang: locale.tag(),
        company: &state.config.company_name,
        logo: state.config.logo_url.as_deref(),
        text: locale.text(),
        app_name,
        link,
        action: redirect_uri,
        fields: &fields,
    };
    html::render_for(
        StatusCode::FORBIDDEN,
        &page,
        &html::nonce(),
        Some(redirect_uri),
    )
}

fn error_fields(
    state: &AppState,
    client_state: Option<String>,
    error: &OAuthError,
) -> Vec<(String, String)> {
    let mut fields = vec![
        ("error".to_owned(), error.code.as_str().to_owned()),
        ("error_description".into(), error.description.to_string()),
    ];
    if let Some(client_state) = client_state {
        fields.push(("state".into(), client_state));
    }
    fields.push(("iss".into(), state.config.issuer()));
    fields
}

pub fn respond_error(
    state: &AppState,
    headers: &HeaderMap,
    redirect_uri: &str,
    mode: ResponseMode,
    client_state: Option<String>,
    error: &OAuthError,
) -> Response {
    let fields = error_fields(state, client_state, error);
    respond(state, headers, redirect_uri, mode, &fields)
}

/// An authorization response (RFC 6749 §4.1.2, OAuth 2.0 Form Post Response Mode), always
/// with `iss` (RFC 9207).
pub fn respond(
    state: &AppState,
    headers: &HeaderMap,
    redirect_uri: &str,
    mode: ResponseMode,
    fields: &[(String, String)],
) -> Response {
    match mode {
        ResponseMode::Query => {
            let mut url = match url::Url::parse(redirect_uri) {
                Ok(url) => url,
                Err(_) => {
                    return Error::Internal("a registered redirect URI does not parse".into())
                        .into_response();
                }
            };
            url.query_pairs_mut().extend_pairs(fields);
            let mut response = Redirect::to(url.as_str()).into_response();
            response
                .headers_mut()
                .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
            response
        }
        ResponseMode::FormPost => {
            let locale = Locale::of(headers, None);
            let nonce = html::nonce();
            let page = FormPostPage {
                lang: locale.tag(),
                company: &state.config.company_name,
                logo: state.config.logo_url.as_deref(),
                text: locale.text(),
                action: redirect_uri,
                fields,
                nonce: &nonce,
            };
            html::render_for(StatusCode::OK, &page, &nonce, Some(redirect_uri))
        }
    }
}
