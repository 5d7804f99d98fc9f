//! Validating an authorization request (RFC 6749 §4.1.1, OIDC Core §3.1.2.1, RFC 7636,
//! RFC 8707) in the order that keeps redirects safe: the client, then the redirect URI, then
//! everything else. Until the first two are known good, errors can only become an error
//! page ([`AuthorizeError::Untrusted`]); after that they go back to the client. What a valid
//! request needs next (sign-in, consent, a code) is [`next`]'s.

mod next;

pub use next::{Facts, Next, next};

use crate::client::Application;
use crate::params::Params;
use crate::resource::check_indicator;
use crate::scope::Scopes;
use crate::{ErrorCode, OAuthError, pkce, redirect};

/// Longest `state` or `nonce` accepted: ample for any real client, and a bound on what we
/// store and echo.
pub const MAX_STATE_LEN: usize = 2048;

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum ResponseMode {
    Query,
    FormPost,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Prompt {
    pub none: bool,
    pub login: bool,
    pub consent: bool,
}

/// A request that passed every check. Serialisable, so that an interaction can carry it
/// while the user signs in.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct AuthorizationRequest {
    pub client_id: String,
    pub redirect_uri: String,
    pub response_mode: ResponseMode,
    pub scope: Scopes,
    pub state: Option<String>,
    pub nonce: Option<String>,
    pub prompt: Prompt,
    /// Seconds.
    pub max_age: Option<i64>,
    pub login_hint: Option<String>,
    pub id_token_hint: Option<String>,
    pub ui_locales: Option<String>,
    /// The `acr_values` asked (OIDC Core §3.1.2.1); [`crate::mfa::ACR_MFA`] asks for a
    /// second factor.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub acr_values: Option<String>,
    pub resources: Vec<String>,
    /// The S256 `code_challenge`, when PKCE is used.
    pub code_challenge: Option<String>,
    /// The device authorization (RFC 8628) this request answers instead of a redirect URI:
    /// its id. A device's request has no redirect to prove who receives the code, so the
    /// user always confirms it on a page naming the application.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub device: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AuthorizeError {
    /// The client or the redirect URI cannot be trusted: show an error page, never redirect.
    Untrusted(OAuthError),
    /// Send the error back to the validated redirect URI, with `state` and `iss`.
    Redirect {
        redirect_uri: String,
        response_mode: ResponseMode,
        state: Option<String>,
        error: OAuthError,
    },
}

/// Step one: the client named by `client_id` (loaded by the caller as `application`) and
/// the `redirect_uri` it registered. Returns the matched redirect URI.
pub fn check_client(
    params: &Params,
    application: Option<&Application>,
) -> Result<String, AuthorizeError> {
    let untrusted = |why: &'static str| AuthorizeError::Untrusted(OAuthError::invalid_request(why));
    let client_id = params
        .get("client_id")
        .ok_or_else(|| untrusted("client_id is required"))?;
    let application = application
        .filter(|app| app.id == client_id)
        .ok_or_else(|| {
            AuthorizeError::Untrusted(OAuthError::new(
                ErrorCode::InvalidClient,
                "the client is unknown",
            ))
        })?;
    if !application
        .app_type
        .allows(crate::client::GrantType::AuthorizationCode)
    {
        return Err(AuthorizeError::Untrusted(OAuthError::new(
            ErrorCode::UnauthorizedClient,
            "this application cannot sign users in",
        )));
    }
    let requested = params
        .get("redirect_uri")
        .ok_or_else(|| untrusted("redirect_uri is required"))?;
    redirect::find(application, requested)
        .map(|_| requested.to_owned())
        .ok_or_else(|| untrusted("redirect_uri is not registered for this client"))
}

/// Step two: everything else, for a client and redirect URI that [`check_client`] accepted.
pub fn parse(
    params: &Params,
    application: &Application,
    redirect_uri: String,
) -> Result<AuthorizationRequest, AuthorizeError> {
    let state = params.get("state").map(str::to_owned);
    let response_mode = match params.get("response_mode") {
        None | Some("query") => ResponseMode::Query,
        Some("form_post") => ResponseMode::FormPost,
        Some(_) => {
            let error = OAuthError::invalid_request("response_mode must be query or form_post");
            return Err(redirect_error(
                &redirect_uri,
                ResponseMode::Query,
                state,
                error,
            ));
        }
    };
    let fail =
        |error: OAuthError| redirect_error(&redirect_uri, response_mode, state.clone(), error);
    check(params, application).map_err(fail)?;
    // Without `openid` this is a plain OAuth 2.0 request (RFC 6749): access to APIs, no ID
    // token. MCP clients never send `openid`.
    let scope = Scopes::parse(params.get("scope").unwrap_or_default()).map_err(fail)?;
    let code_challenge = match (
        params.get("code_challenge"),
        params.get("code_challenge_method"),
    ) {
        (Some(challenge), method) => {
            pkce::check_challenge(challenge, method).map_err(fail)?;
            Some(challenge.to_owned())
        }
        (None, Some(_)) => {
            return Err(fail(OAuthError::invalid_request(
                "code_challenge_method without code_challenge",
            )));
        }
        (None, None) if !application.app_type.is_confidential() => {
            return Err(fail(OAuthError::invalid_request(
                "PKCE (code_challenge with S256) is required for this client",
            )));
        }
        (None, None) => None,
    };
    let prompt = parse_prompt(params.get("prompt")).map_err(fail)?;
    let max_age = match params.get("max_age") {
        None => None,
        Some(v) => Some(v.parse::<i64>().ok().filter(|n| *n >= 0).ok_or_else(|| {
            fail(OAuthError::invalid_request(
                "max_age must be a non-negative integer",
            ))
        })?),
    };
    let resources: Vec<String> = params.get_all("resource").map(str::to_owned).collect();
    for resource in &resources {
        check_indicator(resource).map_err(fail)?;
    }
    let owned = |name: &str| params.get(name).map(str::to_owned);
    Ok(AuthorizationRequest {
        client_id: application.id.clone(),
        redirect_uri: redirect_uri.clone(),
        response_mode,
        scope,
        state: state.clone(),
        nonce: owned("nonce"),
        prompt,
        max_age,
        login_hint: owned("login_hint"),
        id_token_hint: owned("id_token_hint"),
        ui_locales: owned("ui_locales"),
        acr_values: owned("acr_values"),
        resources,
        code_challenge,
        device: None,
    })
}

fn redirect_error(
    redirect_uri: &str,
    response_mode: ResponseMode,
    state: Option<String>,
    error: OAuthError,
) -> AuthorizeError {
    AuthorizeError::Redirect {
        redirect_uri: redirect_uri.to_owned(),
        response_mode,
        state,
        error,
    }
}

/// The checks that need no parsing result: response type, unsupported request objects,
/// lengths.
fn check(params: &Params, _application: &Application) -> Result<(), OAuthError> {
    match params.get("response_type") {
        Some("code") => {}
        None => return Err(OAuthError::invalid_request("response_type is required")),
        Some(_) => {
            return Err(OAuthError::new(
                ErrorCode::UnsupportedResponseType,
                "only response_type=code is supported",
            ));
        }
    }
    if params.get("request").is_some() {
        return Err(OAuthError::new(
            ErrorCode::RequestNotSupported,
            "request objects are not supported",
        ));
    }
    if params.get("request_uri").is_some() {
        return Err(OAuthError::new(
            ErrorCode::RequestUriNotSupported,
            "request_uri is not supported",
        ));
    }
    if params.get("registration").is_some() {
        return Err(OAuthError::new(
            ErrorCode::RegistrationNotSupported,
            "registration is not supported",
        ));
    }
    for name in ["state", "nonce"] {
        if params.get(name).is_some_and(|v| v.len() > MAX_STATE_LEN) {
            return Err(OAuthError::invalid_request(format!(
                "{name} is longer than {MAX_STATE_LEN} bytes"
            )));
        }
    }
    Ok(())
}

fn parse_prompt(value: Option<&str>) -> Result<Prompt, OAuthError> {
    let mut prompt = Prompt::default();
    for word in value
        .unwrap_or_default()
        .split(' ')
        .filter(|w| !w.is_empty())
    {
        match word {
            "none" => prompt.none = true,
            "login" => prompt.login = true,
            "consent" => prompt.consent = true,
            _ => {
                return Err(OAuthError::invalid_request(
                    "prompt may hold none, login and consent only",
                ));
            }
        }
    }
    if prompt.none && (prompt.login || prompt.consent) {
        return Err(OAuthError::invalid_request(
            "prompt=none cannot be combined with other values",
        ));
    }
    Ok(prompt)
}

#[cfg(test)]
mod tests;
