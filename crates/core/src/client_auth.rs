//! How a client proves who it is at the token endpoint (RFC 6749 §2.3.1):
//! `client_secret_basic` or `client_secret_post`, never both at once.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;

use crate::OAuthError;
use crate::client::{Application, ClientSecret, find_matching_secret, hash_secret};
use crate::params::{Params, decode};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuthMethod {
    ClientSecretBasic,
    ClientSecretPost,
    /// A public client naming itself with `client_id` alone.
    None,
}

/// What the request claims: a client id and, for confidential clients, a secret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PresentedClient {
    pub client_id: String,
    pub secret: Option<String>,
    pub method: AuthMethod,
}

/// Read the client's credentials from the `Authorization` header and the form.
pub fn parse(authorization: Option<&str>, params: &Params) -> Result<PresentedClient, OAuthError> {
    let body_id = params.get("client_id");
    let body_secret = params.get("client_secret");
    let Some(header) = authorization else {
        let client_id = body_id.ok_or_else(OAuthError::invalid_client)?;
        return Ok(PresentedClient {
            client_id: client_id.to_owned(),
            secret: body_secret.map(str::to_owned),
            method: match body_secret {
                Some(_) => AuthMethod::ClientSecretPost,
                None => AuthMethod::None,
            },
        });
    };
    let (client_id, secret) = parse_basic(header).ok_or_else(OAuthError::invalid_client)?;
    if body_secret.is_some() {
        return Err(OAuthError::invalid_request(
            "use one client authentication method, not both Basic and client_secret",
        ));
    }
    if body_id.is_some_and(|id| id != client_id) {
        return Err(OAuthError::invalid_request(
            "client_id in the body differs from the authenticated client",
        ));
    }
    Ok(PresentedClient {
        client_id,
        secret: Some(secret),
        method: AuthMethod::ClientSecretBasic,
    })
}

/// `Basic base64(urlencode(id) ":" urlencode(secret))`, as RFC 6749 §2.3.1 requires.
fn parse_basic(header: &str) -> Option<(String, String)> {
    let (scheme, credentials) = header.trim().split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return None;
    }
    let decoded = STANDARD.decode(credentials.trim()).ok()?;
    let decoded = String::from_utf8(decoded).ok()?;
    let (id, secret) = decoded.split_once(':')?;
    let (id, secret) = (decode(id.as_bytes()).ok()?, decode(secret.as_bytes()).ok()?);
    (!id.is_empty() && !secret.is_empty()).then_some((id, secret))
}

/// Check a presented client against the stored application and its secrets. Returns the
/// secret that matched (for confidential clients). Every failure is the same
/// `invalid_client`, so a caller learns nothing about which part was wrong.
pub fn authenticate<'a>(
    presented: &PresentedClient,
    application: Option<&Application>,
    secrets: &'a [ClientSecret],
    now_ms: i64,
) -> Result<Option<&'a ClientSecret>, OAuthError> {
    let Some(application) = application else {
        // Spend the same hashing work as for a known client.
        let _ = presented.secret.as_deref().map(hash_secret);
        return Err(OAuthError::invalid_client());
    };
    match (&presented.secret, application.app_type.is_confidential()) {
        (Some(secret), true) => find_matching_secret(secrets, secret, now_ms)
            .map(Some)
            .ok_or_else(OAuthError::invalid_client),
        (None, false) => Ok(None),
        _ => Err(OAuthError::invalid_client()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ErrorCode;
    use crate::client::ApplicationType;

    fn params(body: &str) -> Params {
        Params::parse(body.as_bytes()).unwrap_or_default()
    }

    fn basic(id: &str, secret: &str) -> String {
        format!("Basic {}", STANDARD.encode(format!("{id}:{secret}")))
    }

    #[test]
    fn basic_credentials_are_form_decoded() {
        let p = parse(Some(&basic("my+app", "s%3Acret")), &params("")).ok();
        let p = p.map(|p| (p.client_id, p.secret, p.method));
        let expected = (
            "my app".to_owned(),
            Some("s:cret".to_owned()),
            AuthMethod::ClientSecretBasic,
        );
        assert_eq!(p, Some(expected));
    }

    #[test]
    fn post_credentials_come_from_the_body() {
        let p = parse(None, &params("client_id=a&client_secret=b")).ok();
        assert_eq!(p.map(|p| p.method), Some(AuthMethod::ClientSecretPost));
    }

    #[test]
    fn two_methods_at_once_are_refused() {
        let err = parse(Some(&basic("a", "b")), &params("client_secret=b")).err();
        assert_eq!(err.map(|e| e.code), Some(ErrorCode::InvalidRequest));
    }

    #[test]
    fn malformed_basic_and_missing_client_are_invalid_client() {
        let empty = [basic("", "secret"), basic("app", ""), basic("app", "%FF")];
        let malformed = ["Basic !!!", "Bearer abc", "Basic YWJj"].map(String::from);
        for header in malformed.iter().chain(&empty) {
            let err = parse(Some(header), &params("")).err();
            assert_eq!(
                err.map(|e| e.code),
                Some(ErrorCode::InvalidClient),
                "{header}"
            );
        }
        let err = parse(None, &params("grant_type=client_credentials")).err();
        assert_eq!(err.map(|e| e.code), Some(ErrorCode::InvalidClient));
    }

    #[test]
    fn confidential_clients_need_a_matching_unexpired_secret() {
        let app = Application {
            dynamic: None,
            id: "app".into(),
            name: "App".into(),
            description: None,
            app_type: ApplicationType::MachineToMachine,
            is_third_party: false,
            redirect_uris: vec![],
            post_logout_redirect_uris: vec![],
            cors_allowed_origins: vec![],
            settings: Default::default(),
            created_at: 0,
        };
        let (value, secret) = ClientSecret::generate("s", 0, Some(100));
        let secrets = [secret];
        let with = |s: Option<&str>| PresentedClient {
            client_id: "app".into(),
            secret: s.map(str::to_owned),
            method: AuthMethod::ClientSecretPost,
        };
        assert!(authenticate(&with(Some(&value)), Some(&app), &secrets, 50).is_ok());
        assert!(authenticate(&with(Some(&value)), Some(&app), &secrets, 100).is_err());
        assert!(authenticate(&with(Some("wrong")), Some(&app), &secrets, 50).is_err());
        assert!(authenticate(&with(None), Some(&app), &secrets, 50).is_err());
        assert!(authenticate(&with(Some(&value)), None, &secrets, 50).is_err());
    }
}
