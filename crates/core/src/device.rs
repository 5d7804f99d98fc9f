//! The device authorization grant's own rules (RFC 8628): the codes it hands out, the request
//! a device makes, and how each poll at the token endpoint is answered while the user decides
//! on another screen. What the user sees and grants is an ordinary authorization request
//! (`authorize`), answered to the device instead of a redirect URI.

use crate::authorize::{AuthorizationRequest, ResponseMode};
use crate::client::{Application, GrantType};
use crate::params::Params;
use crate::resource::check_indicator;
use crate::scope::Scopes;
use crate::{ErrorCode, OAuthError};

/// Letters without vowels (no words) and without letters read alike (RFC 8628 §6.1): 20^8,
/// about 2^34.6 codes.
const USER_CODE_ALPHABET: &[u8; 20] = b"BCDFGHJKLMNPQRSTVWXZ";
const USER_CODE_LEN: usize = 8;

/// How long a device code lives, in seconds.
pub const EXPIRES_SECS: i64 = 600;
/// The least time between two polls, in seconds; each `slow_down` adds `SLOW_DOWN_SECS`.
pub const INTERVAL_SECS: i64 = 5;
pub const SLOW_DOWN_SECS: i64 = 5;

/// What an authorization code issued for a device carries instead of a redirect URI: the
/// device's poll redeems it, and nothing else can.
pub const DEVICE_REDIRECT: &str = "urn:ietf:params:oauth:grant-type:device_code";

/// A new user code, as stored and compared (8 letters, no dash).
pub fn new_user_code() -> String {
    let mut code = String::with_capacity(USER_CODE_LEN);
    // 240 is the largest multiple of 20 below 256: rejecting bytes above it keeps the
    // distribution uniform.
    while code.len() < USER_CODE_LEN {
        for b in crate::random::bytes::<16>() {
            if b < 240 && code.len() < USER_CODE_LEN {
                code.push(USER_CODE_ALPHABET[usize::from(b % 20)] as char);
            }
        }
    }
    code
}

/// What a person typed, as a user code: any case, with or without the dash or spaces; `None`
/// when it cannot be one.
pub fn normalize_user_code(typed: &str) -> Option<String> {
    let code: String = typed
        .chars()
        .filter(|c| !matches!(c, '-' | ' ' | '\u{2010}'..='\u{2015}'))
        .map(|c| c.to_ascii_uppercase())
        .collect();
    let valid =
        code.len() == USER_CODE_LEN && code.bytes().all(|b| USER_CODE_ALPHABET.contains(&b));
    valid.then_some(code)
}

/// A user code as people read it: `XXXX-XXXX`.
pub fn display_user_code(code: &str) -> String {
    match code.get(..4).zip(code.get(4..)) {
        Some((first, rest)) => format!("{first}-{rest}"),
        None => code.to_owned(),
    }
}

/// The device authorization request (RFC 8628 §3.1) of an authenticated `client`, as the
/// authorization request the user will see: its `scope` and `resource` read like
/// `/oidc/auth`'s, answered to the device authorization `id`.
pub fn parse(
    params: &Params,
    client: &Application,
    id: &str,
) -> Result<AuthorizationRequest, OAuthError> {
    if !client.may_use(GrantType::DeviceCode) {
        let why = "this application may not use the device authorization grant";
        return Err(OAuthError::new(ErrorCode::UnauthorizedClient, why));
    }
    let scope = Scopes::parse(params.get("scope").unwrap_or_default())?;
    let resources: Vec<String> = params.get_all("resource").map(str::to_owned).collect();
    for resource in &resources {
        check_indicator(resource)?;
    }
    Ok(AuthorizationRequest {
        client_id: client.id.clone(),
        redirect_uri: DEVICE_REDIRECT.to_owned(),
        response_mode: ResponseMode::Query,
        scope,
        state: None,
        nonce: None,
        prompt: Default::default(),
        max_age: None,
        login_hint: None,
        id_token_hint: None,
        ui_locales: None,
        acr_values: None,
        resources,
        code_challenge: None,
        device: Some(id.to_owned()),
    })
}

/// Where a device authorization stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Status {
    Pending,
    /// The user approved: the authorization code the device's next poll redeems.
    Approved {
        code_hash: String,
    },
    Denied,
}

/// A device authorization, as stored: its codes only as hashes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeviceAuthorization {
    pub id: String,
    pub device_code_hash: String,
    pub user_code_hash: String,
    pub client_id: String,
    /// The authorization request the user is asked about (JSON of `AuthorizationRequest`).
    pub request: String,
    pub created_at: i64,
    pub expires_at: i64,
    /// Seconds between polls, grown by each `slow_down`.
    pub interval_secs: i64,
    pub last_polled_at: Option<i64>,
    pub status: Status,
}

/// The answer to one poll (RFC 8628 §3.5), and the interval from now on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Poll {
    /// Redeem this authorization code: the poll's tokens are the code's.
    Redeem { code_hash: String },
    /// An error for the device, and the interval the device must keep from now on.
    Refused {
        error: OAuthError,
        interval_secs: i64,
    },
}

/// How `authorization` answers a poll by `client_id` at `now_ms`, decided from the record
/// as it was before this poll. A poll too soon after the last one is `slow_down` and grows
/// the interval by five seconds, whatever else holds.
pub fn poll(authorization: &DeviceAuthorization, client_id: &str, now_ms: i64) -> Poll {
    let refused = |code, why: &'static str, interval_secs| Poll::Refused {
        error: OAuthError::new(code, why),
        interval_secs,
    };
    let interval = authorization.interval_secs;
    if authorization.client_id != client_id {
        let why = "the device code was issued to another client";
        return refused(ErrorCode::InvalidGrant, why, interval);
    }
    if authorization.expires_at <= now_ms {
        let why = "the device code expired before the user decided";
        return refused(ErrorCode::ExpiredToken, why, interval);
    }
    let too_soon = authorization
        .last_polled_at
        .is_some_and(|last| now_ms - last < interval * 1000);
    if too_soon {
        let why = "polling too fast: wait longer between requests";
        return refused(ErrorCode::SlowDown, why, interval + SLOW_DOWN_SECS);
    }
    match &authorization.status {
        Status::Pending => {
            let why = "the user has not decided yet";
            refused(ErrorCode::AuthorizationPending, why, interval)
        }
        Status::Denied => refused(
            ErrorCode::AccessDenied,
            "the user denied the request",
            interval,
        ),
        Status::Approved { code_hash } => Poll::Redeem {
            code_hash: code_hash.clone(),
        },
    }
}

#[cfg(test)]
#[path = "device_tests.rs"]
mod tests;
