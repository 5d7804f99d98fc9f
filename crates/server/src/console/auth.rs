//! Signing administrators in to the console as a relying party of Latchkey itself: an
//! authorization request with PKCE and `state` to `/oidc/auth`, and at the callback the code
//! redeemed in-process with the token endpoint's own checks (`core::token::authorization_code`),
//! then an opaque access token for the grant kept in the console's cookie.

use super::{Button, ConsoleForm};
use askama::Template;
use axum::extract::{Query, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, Method, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use latchkey_core::client::{CONSOLE_APP_ID, console_uris};
use latchkey_core::grant::{OpaqueAccessToken, Taken, hash_matches, token_hash};
use latchkey_core::token::authorization_code;
use latchkey_core::{pkce, random};
use latchkey_store::codes::Won;
use latchkey_store::grants::Issued;
use serde::Deserialize;

use super::{COOKIE, ConsoleText, is_admin};
use crate::app::AppState;
use crate::browser;
use crate::error::{Error, PageError};
use crate::html;
use crate::i18n::Locale;
use latchkey_core::lifetimes::{CONSOLE_LOGIN_SECS, CONSOLE_SESSION_MS};

/// The cookie carrying `state` and the PKCE verifier between sign-in and callback.
const LOGIN_COOKIE: &str = "latchkey_console_login";

#[derive(Template)]
#[template(path = "console/message.html")]
struct MessagePage<'a> {
    lang: &'static str,
    text: &'static ConsoleText,
    title: &'a str,
    message: &'a str,
}

/// A page for what went wrong before anyone is signed in to the console.
fn message(locale: Locale, status: StatusCode, title: &str, message: &str) -> Response {
    let nonce = html::nonce();
    let page = MessagePage {
        lang: locale.tag(),
        text: super::text::of(locale),
        title,
        message,
    };
    html::render(status, &page, &nonce)
}

/// 403 for a form without this console session's CSRF token: nothing was changed.
pub fn form_expired(locale: Locale) -> Response {
    let text = super::text::of(locale);
    let (title, why) = (text.form_expired_title, text.form_expired);
    message(locale, StatusCode::FORBIDDEN, title, why)
}

/// 403 for a signed-in person who is not an administrator.
pub fn not_admin(_state: &AppState, locale: Locale) -> Response {
    let text = super::text::of(locale);
    message(
        locale,
        StatusCode::FORBIDDEN,
        text.not_admin_title,
        text.not_admin,
    )
}

/// The console's sign-in, for a request that needs it: a page asked for by its address comes
/// back after the sign-in (`next`); a form's answer cannot, and lands on the list.
pub fn to_sign_in(parts: &Parts) -> Response {
    let wanted = (parts.method == Method::GET)
        .then(|| parts.uri.path_and_query().map(|p| p.as_str()))
        .flatten()
        .filter(|path| landing(path).is_some());
    match wanted {
        Some(path) => {
            let query = url::form_urlencoded::Serializer::new(String::new())
                .append_pair("next", path)
                .finish();
            Redirect::to(&format!("/console/sign-in?{query}")).into_response()
        }
        None => Redirect::to("/console/sign-in").into_response(),
    }
}

/// `next` if it is a console page of this server: a path under `/console/`, never another
/// site's address (`//host`, `/\host`) nor the sign-in itself.
fn landing(next: &str) -> Option<&str> {
    let safe = next.starts_with("/console/")
        && !next.contains(['\\', '\r', '\n'])
        && !next.starts_with("/console/sign-in")
        && !next.starts_with("/console/callback");
    safe.then_some(next)
}

#[derive(Debug, Deserialize)]
pub struct SignIn {
    prompt: Option<String>,
    next: Option<String>,
}

/// Start the authorization code flow for the console.
pub async fn sign_in(State(state): State<AppState>, Query(query): Query<SignIn>) -> Response {
    let (callback, _) = console_uris(state.config.public_url());
    let (client_state, verifier) = (random::secret(), random::secret());
    let mut params = url::form_urlencoded::Serializer::new(String::new());
    params
        .append_pair("client_id", CONSOLE_APP_ID)
        .append_pair("redirect_uri", &callback)
        .append_pair("response_type", "code")
        .append_pair("scope", "openid profile email")
        .append_pair("state", &client_state)
        .append_pair("code_challenge", &pkce::challenge_of(&verifier))
        .append_pair("code_challenge_method", "S256");
    if query.prompt.as_deref() == Some("login") {
        params.append_pair("prompt", "login");
    }
    let mut response = Redirect::to(&format!("/oidc/auth?{}", params.finish())).into_response();
    // The page to come back to rides with `state`, base64url so that it fits a cookie.
    let next = query.next.as_deref().and_then(landing).unwrap_or("");
    let login = format!("{client_state}.{verifier}.{}", URL_SAFE_NO_PAD.encode(next));
    let cookie = browser::set_cookie(&state, LOGIN_COOKIE, &login, CONSOLE_LOGIN_SECS);
    response.headers_mut().append(header::SET_COOKIE, cookie);
    response
}

#[derive(Debug, Deserialize)]
pub struct Callback {
    code: Option<String>,
    state: Option<String>,
    iss: Option<String>,
    error: Option<String>,
}

/// The authorization response: check `state` and `iss` (RFC 9207), redeem the code as the
/// token endpoint would, and keep an access token for the grant in the console's cookie.
pub async fn callback(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(answer): Query<Callback>,
) -> Response {
    let locale = Locale::of(&headers, None);
    let text = super::text::of(locale);
    let expired = || {
        message(
            locale,
            StatusCode::BAD_REQUEST,
            text.sign_in_failed,
            text.sign_in_expired,
        )
    };
    let login = browser::cookie(&state, &headers, LOGIN_COOKIE).unwrap_or_default();
    let mut parts = login.split('.');
    let (Some(expected_state), Some(verifier)) = (parts.next(), parts.next()) else {
        return expired();
    };
    let next = parts
        .next()
        .and_then(|n| URL_SAFE_NO_PAD.decode(n).ok())
        .and_then(|n| String::from_utf8(n).ok());
    let state_ok = answer
        .state
        .as_deref()
        .is_some_and(|s| hash_matches(s, &token_hash(expected_state)));
    if !state_ok || answer.iss.as_deref() != Some(state.config.issuer().as_str()) {
        return expired();
    }
    if answer.error.is_some() {
        return message(
            locale,
            StatusCode::FORBIDDEN,
            text.sign_in_failed,
            text.sign_in_refused,
        );
    }
    let (callback, _) = console_uris(state.config.public_url());
    let request = authorization_code::Request {
        code: answer.code.unwrap_or_default(),
        redirect_uri: Some(callback),
        code_verifier: Some(verifier.to_owned()),
        resource: None,
    };
    let value = match redeem(&state, &request).await {
        Ok(Redeemed::Signed(value)) => value,
        Ok(Redeemed::Invalid) => return expired(),
        Ok(Redeemed::NotAdmin) => return not_admin(&state, locale),
        Err(e) => return PageError::new(&state, &headers, e).into_response(),
    };
    let landing = next
        .as_deref()
        .and_then(landing)
        .unwrap_or("/console/applications");
    let mut response = Redirect::to(landing).into_response();
    let headers = response.headers_mut();
    let ttl = CONSOLE_SESSION_MS / 1000;
    headers.append(
        header::SET_COOKIE,
        browser::set_cookie(&state, COOKIE, &value, ttl),
    );
    headers.append(
        header::SET_COOKIE,
        browser::set_cookie(&state, LOGIN_COOKIE, "", 0),
    );
    response
}

enum Redeemed {
    /// Not a live code for the console, or not this browser's.
    Invalid,
    /// A valid code for someone who is not an administrator: the grant is revoked.
    NotAdmin,
    /// The console's new access token.
    Signed(String),
}

async fn redeem(
    state: &AppState,
    request: &authorization_code::Request,
) -> Result<Redeemed, Error> {
    let now = state.clock.now_ms();
    let Taken::Taken(Won { code, grant, .. }) = state
        .db
        .take_authorization_code(&token_hash(&request.code), now, |_, _| {
            (Issued::default(), ())
        })
        .await?
    else {
        return Ok(Redeemed::Invalid);
    };
    let Some(console) = state.db.find_application(CONSOLE_APP_ID).await? else {
        return Ok(Redeemed::Invalid);
    };
    if authorization_code::check(request, &code, &grant, &console).is_err() {
        state.db.revoke_grant(&grant.id, now).await?;
        return Ok(Redeemed::Invalid);
    }
    if !is_admin(state, &grant.user_id).await? {
        state.db.revoke_grant(&grant.id, now).await?;
        return Ok(Redeemed::NotAdmin);
    }
    let value = random::ordered_secret(now);
    let token = OpaqueAccessToken {
        token_hash: token_hash(&value),
        grant_id: grant.id.clone(),
        scope: grant.scope.clone(),
        created_at: now,
        expires_at: now + CONSOLE_SESSION_MS,
    };
    state.db.insert_access_token(&token).await?;
    Ok(Redeemed::Signed(value))
}

/// End the console's grant, then RP-initiated logout of the Latchkey session.
pub async fn sign_out(
    State(state): State<AppState>,
    ConsoleForm(console, Button {}): ConsoleForm<Button>,
) -> Result<Response, PageError> {
    let revoked = state
        .db
        .revoke_grant(&console.grant.id, state.clock.now_ms());
    revoked.await.map_err(|e| console.failed(&state, e))?;
    let (_, signed_out) = console_uris(state.config.public_url());
    let query = url::form_urlencoded::Serializer::new(String::new())
        .append_pair("client_id", CONSOLE_APP_ID)
        .append_pair("post_logout_redirect_uri", &signed_out)
        .finish();
    let mut response = Redirect::to(&format!("/oidc/session/end?{query}")).into_response();
    let clear = browser::set_cookie(&state, COOKIE, "", 0);
    response.headers_mut().append(header::SET_COOKIE, clear);
    Ok(response)
}

#[cfg(test)]
mod tests {
    use super::landing;

    #[test]
    fn only_console_pages_are_landed_on_after_sign_in() {
        assert_eq!(
            landing("/console/users?page=2"),
            Some("/console/users?page=2")
        );
        for elsewhere in [
            "//evil.example/console/",
            "https://evil.example/console/",
            "/console\\@evil.example",
            "/console/sign-in?next=/console/users",
            "/console/callback?code=x",
            "/oidc/auth",
            "/console/users\r\nSet-Cookie: x",
        ] {
            assert_eq!(landing(elsewhere), None, "{elsewhere}");
        }
    }
}
