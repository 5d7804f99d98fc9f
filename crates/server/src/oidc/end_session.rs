//! `/oidc/session/end` (OpenID Connect RP-Initiated Logout 1.0). With an `id_token_hint`
//! for this browser's session the user is signed out at once; otherwise they are asked (and
//! may cancel); a browser without a session has nothing to end and is told so, or sent on.
//! `post_logout_redirect_uri` must match a registered value exactly, or nothing redirects.

use askama::Template;
use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use latchkey_core::OAuthError;
use latchkey_core::grant::token_hash;
use latchkey_core::id_token_hint;
use latchkey_core::lifetimes::LOGOUT_CONFIRMATION_SECS;
use latchkey_core::params::Params;

use crate::app::AppState;
use crate::browser::{self, SESSION_COOKIE};
use crate::error::Error;
use crate::error::{OrPage, PageError};
use crate::html;
use crate::i18n::{Locale, Text};

const LOGOUT_COOKIE: &str = "latchkey_logout";

#[derive(Template)]
#[template(path = "logout.html")]
struct LogoutPage<'a> {
    lang: &'static str,
    company: &'a str,
    logo: Option<&'a str>,
    text: &'static Text,
    /// After signing out (or with no one to sign out), what is said instead of the question.
    done: Option<&'static str>,
    csrf: &'a str,
    client_id: Option<&'a str>,
    post_logout_redirect_uri: Option<&'a str>,
    state: Option<&'a str>,
}

struct Checked {
    client_id: Option<String>,
    redirect: Option<String>,
    state: Option<String>,
    /// The hint names this browser's session (or user): no need to ask.
    confirmed: bool,
    /// This browser has a session to end; without one there is nothing to ask.
    signed_in: bool,
}

pub async fn get(
    State(state): State<AppState>,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> Result<Response, PageError> {
    end(
        &state,
        &headers,
        Params::parse(query.unwrap_or_default().as_bytes()),
        false,
    )
    .await
}

pub async fn post(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, PageError> {
    end(&state, &headers, Params::parse(&body), false).await
}

/// The confirmation form's answer, guarded by a double-submit cookie.
pub async fn confirm(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, PageError> {
    let params = Params::parse(&body);
    let bound = params
        .as_ref()
        .ok()
        .and_then(|p| p.get("csrf"))
        .zip(browser::cookie(&state, &headers, LOGOUT_COOKIE));
    if !bound
        .is_some_and(|(form, cookie)| latchkey_core::grant::hash_matches(form, &token_hash(cookie)))
    {
        let expired = OAuthError::invalid_request("this sign-out form has expired");
        return Err(refused(&state, &headers, expired.into()));
    }
    end(&state, &headers, params, true).await
}

/// A request this endpoint refuses is shown to the user (400), never redirected: its
/// `post_logout_redirect_uri` is not trusted; other failures are our own (500 or 503).
fn refused(state: &AppState, headers: &HeaderMap, failure: Error) -> PageError {
    match failure {
        Error::OAuth(error) => PageError::showing(state, headers, StatusCode::BAD_REQUEST, &error),
        other => PageError::new(state, headers, other),
    }
}

async fn check(state: &AppState, headers: &HeaderMap, params: &Params) -> Result<Checked, Error> {
    let keys = state.keys.get();
    // An expired ID token is still a good hint of who is asking (RP-Initiated Logout §2).
    let issuer = state.config.issuer();
    let hint = params
        .get("id_token_hint")
        .map(|token| id_token_hint::verify(token, keys.public_keys(), &issuer))
        .transpose()?;
    let hinted_client = hint.as_ref().and_then(|h| h.client_id.clone());
    let client_id = match (params.get("client_id"), hinted_client) {
        (Some(a), Some(b)) if a != b => {
            return Err(
                OAuthError::invalid_request("client_id does not match id_token_hint").into(),
            );
        }
        (a, b) => a.map(str::to_owned).or(b),
    };
    let redirect = match (params.get("post_logout_redirect_uri"), &client_id) {
        (None, _) => None,
        (Some(_), None) => {
            return Err(OAuthError::invalid_request(
                "post_logout_redirect_uri needs client_id or id_token_hint",
            )
            .into());
        }
        (Some(uri), Some(id)) => {
            let app = state.db.find_application(id).await?;
            if !app.is_some_and(|a| a.post_logout_redirect_uris.iter().any(|r| r == uri)) {
                return Err(OAuthError::invalid_request(
                    "post_logout_redirect_uri is not registered for this client",
                )
                .into());
            }
            Some(uri.to_owned())
        }
    };
    let session = browser::current_session(state, headers).await?;
    let confirmed = match (&hint, &session) {
        (Some(hint), Some(session)) => {
            hint.session_id.as_deref() == Some(session.id_hash.as_str())
                || hint.subject == session.user_id
        }
        _ => false,
    };
    Ok(Checked {
        client_id,
        redirect,
        state: params.get("state").map(str::to_owned),
        confirmed,
        signed_in: session.is_some(),
    })
}

async fn end(
    state: &AppState,
    headers: &HeaderMap,
    params: Result<Params, OAuthError>,
    answered: bool,
) -> Result<Response, PageError> {
    let checked = match params {
        Ok(params) => check(state, headers, &params).await,
        Err(e) => Err(e.into()),
    };
    let checked = checked.map_err(|failure| refused(state, headers, failure))?;
    let locale = Locale::of(headers, None);
    if !checked.confirmed && !answered && checked.signed_in {
        let csrf = latchkey_core::random::secret();
        let view = LogoutPage {
            lang: locale.tag(),
            company: &state.config.company_name,
            logo: state.config.logo_url.as_deref(),
            text: locale.text(),
            done: None,
            csrf: &csrf,
            client_id: checked.client_id.as_deref(),
            post_logout_redirect_uri: checked.redirect.as_deref(),
            state: checked.state.as_deref(),
        };
        let redirect = checked.redirect.as_deref();
        let mut response = html::render_for(StatusCode::OK, &view, &html::nonce(), redirect);
        response.headers_mut().append(
            header::SET_COOKIE,
            browser::set_cookie(state, LOGOUT_COOKIE, &csrf, LOGOUT_CONFIRMATION_SECS),
        );
        return Ok(response);
    }
    if let Some(value) = browser::cookie(state, headers, SESSION_COOKIE) {
        let ended = state.db.delete_session(&token_hash(value)).await;
        ended.or_page(state, headers)?;
    }
    let mut response = match checked.redirect {
        Some(uri) => {
            let mut url = url::Url::parse(&uri).map_err(|_| {
                let bad = OAuthError::invalid_request("bad redirect");
                refused(state, headers, bad.into())
            })?;
            if let Some(client_state) = &checked.state {
                url.query_pairs_mut().append_pair("state", client_state);
            }
            Redirect::to(url.as_str()).into_response()
        }
        None => {
            let view = LogoutPage {
                lang: locale.tag(),
                company: &state.config.company_name,
                logo: state.config.logo_url.as_deref(),
                text: locale.text(),
                done: Some(match checked.signed_in || answered {
                    true => locale.text().signed_out,
                    false => locale.text().not_signed_in,
                }),
                csrf: "",
                client_id: None,
                post_logout_redirect_uri: None,
                state: None,
            };
            html::render(StatusCode::OK, &view, &html::nonce())
        }
    };
    let headers = response.headers_mut();
    headers.append(
        header::SET_COOKIE,
        browser::set_cookie(state, SESSION_COOKIE, "", 0),
    );
    headers.append(
        header::SET_COOKIE,
        browser::set_cookie(state, LOGOUT_COOKIE, "", 0),
    );
    Ok(response)
}
