//! The token endpoint's grants (one module per `grant_type`) and what they issue.

pub mod authorization_code;
pub mod client_credentials;
pub mod device_code;
pub mod refresh_token;
pub mod token_exchange;

use serde::Serialize;

use crate::client::{Application, GrantType};
use crate::params::Params;
use crate::resource::Resource;
use crate::scope::Scopes;
use crate::{ErrorCode, OAuthError};

/// A token request, parsed once from the form: one variant per `grant_type`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TokenRequest {
    AuthorizationCode(authorization_code::Request),
    RefreshToken(refresh_token::Request),
    ClientCredentials(client_credentials::Request),
    DeviceCode(device_code::Request),
    TokenExchange(token_exchange::Request),
}

impl TokenRequest {
    /// The request `client` made: its grant type, then whether this client may use that
    /// grant (`unauthorized_client` comes before anything the grant itself checks, RFC 6749
    /// §5.2), then the grant's own parameters.
    pub fn parse(params: &Params, client: &Application) -> Result<Self, OAuthError> {
        let grant = grant_type(params)?;
        if !client.may_use(grant) {
            let why = "this application may not use this grant";
            return Err(OAuthError::new(ErrorCode::UnauthorizedClient, why));
        }
        Ok(match grant {
            GrantType::AuthorizationCode => {
                Self::AuthorizationCode(authorization_code::parse(params)?)
            }
            GrantType::RefreshToken => Self::RefreshToken(refresh_token::parse(params)?),
            GrantType::ClientCredentials => {
                Self::ClientCredentials(client_credentials::parse(params)?)
            }
            GrantType::DeviceCode => Self::DeviceCode(device_code::parse(params)?),
            GrantType::TokenExchange => Self::TokenExchange(token_exchange::parse(params)?),
        })
    }

    pub fn grant_type(&self) -> GrantType {
        match self {
            Self::AuthorizationCode(_) => GrantType::AuthorizationCode,
            Self::RefreshToken(_) => GrantType::RefreshToken,
            Self::ClientCredentials(_) => GrantType::ClientCredentials,
            Self::DeviceCode(_) => GrantType::DeviceCode,
            Self::TokenExchange(_) => GrantType::TokenExchange,
        }
    }
}

/// The `grant_type` of a token request. Known grants that are not available yet are
/// `unsupported_grant_type`, like unknown ones.
pub fn grant_type(params: &Params) -> Result<GrantType, OAuthError> {
    let value = params
        .get("grant_type")
        .ok_or_else(|| OAuthError::invalid_request("grant_type is required"))?;
    GrantType::parse(value).ok_or_else(|| {
        let why = "this grant_type is not supported";
        OAuthError::new(ErrorCode::UnsupportedGrantType, why)
    })
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
    /// Who acts for the user (RFC 8693 §4.1): in exchanged tokens only.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub act: Option<serde_json::Value>,
    /// In exchanged tokens: the application the user's consent was given to.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub subject_client_id: Option<String>,
    /// In tokens issued within an organization (for it, or for an API in it).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub organization_id: Option<String>,
}

/// The claims of a user's JWT access token for `resource` (RFC 9068), shared by the code and
/// refresh grants: the token's scope narrowed to what the user's roles hold on that API now
/// (`held`, within a third-party application's ceiling), since what was taken away after
/// the user consented is not carried over; a third-party application never gets the
/// management API.
pub fn user_access(
    app: &Application,
    user_id: &str,
    scope: &Scopes,
    (resource, held): (&Resource, &Scopes),
    issuer: &str,
    now_ms: i64,
) -> Result<AccessTokenClaims, OAuthError> {
    resource.open_to(app.is_third_party)?;
    let iat = now_ms.div_euclid(1000);
    Ok(AccessTokenClaims {
        iss: issuer.to_owned(),
        sub: user_id.to_owned(),
        aud: resource.indicator.clone(),
        client_id: app.id.clone(),
        scope: scope.intersect(held).to_string(),
        iat,
        exp: iat + resource.access_token_ttl,
        jti: crate::random::id(),
        act: None,
        subject_client_id: None,
        organization_id: None,
    })
}

/// The successful token response (RFC 6749 §5.1), for every grant: a user's grants add an
/// ID token (OIDC Core §3.1.3.3) and maybe a refresh token.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TokenResponse {
    pub access_token: String,
    pub token_type: &'static str,
    pub expires_in: i64,
    pub scope: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id_token: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub refresh_token: Option<String>,
    /// RFC 8693 §2.2.1: what a token exchange issued.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub issued_token_type: Option<&'static str>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::client::ApplicationType;

    #[test]
    fn a_user_token_holds_what_the_roles_still_allow_and_never_the_management_api_for_a_partner() {
        let mut app = Application {
            dynamic: None,
            id: "app".into(),
            name: "App".into(),
            description: None,
            app_type: ApplicationType::Traditional,
            is_third_party: true,
            redirect_uris: vec![],
            post_logout_redirect_uris: vec![],
            cors_allowed_origins: vec![],
            settings: Default::default(),
            created_at: 0,
        };
        let mut api = Resource {
            id: "r".into(),
            name: "API".into(),
            indicator: "https://api.example.com".into(),
            access_token_ttl: 600,
            is_management: false,
            created_at: 0,
        };
        let (scope, held) = (
            Scopes::from_names(["read", "write"]),
            Scopes::from_names(["read"]),
        );
        let claims = user_access(&app, "u1", &scope, (&api, &held), "https://id/oidc", 5_500);
        let claims = claims.unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!((claims.sub.as_str(), claims.scope.as_str()), ("u1", "read"));
        assert_eq!((claims.iat, claims.exp), (5, 605));
        api.is_management = true;
        let refused = user_access(&app, "u1", &scope, (&api, &held), "https://id/oidc", 0);
        assert_eq!(
            refused.err().map(|e| e.code),
            Some(ErrorCode::InvalidTarget)
        );
        app.is_third_party = false;
        assert!(user_access(&app, "u1", &scope, (&api, &held), "https://id/oidc", 0).is_ok());
    }
}
