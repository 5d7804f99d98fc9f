//! The token endpoint's grants (one module per `grant_type`) and what they issue.

pub mod authorization_code;
pub mod client_credentials;
pub mod refresh_token;

use serde::Serialize;

use crate::client::GrantType;
use crate::params::Params;
use crate::{ErrorCode, OAuthError};

/// The `grant_type` of a token request. Known grants that are not available yet are
/// `unsupported_grant_type`, like unknown ones.
pub fn grant_type(params: &Params) -> Result<GrantType, OAuthError> {
    match params.get("grant_type") {
        None => Err(OAuthError::invalid_request("grant_type is required")),
        Some("client_credentials") => Ok(GrantType::ClientCredentials),
        Some("authorization_code") => Ok(GrantType::AuthorizationCode),
        Some("refresh_token") => Ok(GrantType::RefreshToken),
        Some(_) => Err(OAuthError::new(
            ErrorCode::UnsupportedGrantType,
            "this grant_type is not supported",
        )),
    }
}

/// The claims of a JWT access token (RFC 9068 §2.2).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AccessTokenClaims {
    pub iss: String,
    pub sub: String,
    pub aud: String,
    pub client_id: String,
    pub scope: String,
    pub iat: i64,
    pub exp: i64,
    pub jti: String,
}

/// The successful token response (RFC 6749 §5.1).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TokenResponse {
    pub access_token: String,
    pub token_type: &'static str,
    pub expires_in: i64,
    pub scope: String,
}
