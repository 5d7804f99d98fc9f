//! `grant_type=urn:ietf:params:oauth:grant-type:device_code` (RFC 8628 §3.4): the device
//! polls with its device code; once the user approved, the poll redeems the authorization
//! code that approval issued, which no redirect URI or PKCE verifier accompanies.

use crate::device::DEVICE_REDIRECT;
use crate::grant::{AuthorizationCode, Grant};
use crate::params::Params;
use crate::{ErrorCode, OAuthError};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    pub device_code: String,
    /// The API the access token is for (RFC 8707), if the device names one.
    pub resource: Option<String>,
}

pub fn parse(params: &Params) -> Result<Request, OAuthError> {
    let device_code = params
        .get("device_code")
        .ok_or_else(|| OAuthError::invalid_request("device_code is required"))?;
    Ok(Request {
        device_code: device_code.to_owned(),
        resource: params.get("resource").map(str::to_owned),
    })
}

/// Check the code an approval issued against the polling client.
pub fn check(code: &AuthorizationCode, grant: &Grant, client_id: &str) -> Result<(), OAuthError> {
    let invalid = |why| Err(OAuthError::new(ErrorCode::InvalidGrant, why));
    if grant.client_id != client_id {
        return invalid("the device code was issued to another client");
    }
    if code.redirect_uri != DEVICE_REDIRECT {
        return invalid("this code was not issued to a device");
    }
    Ok(())
}
