//! `grant_type=authorization_code` (RFC 6749 §4.1.3, RFC 7636 §4.5): the code must belong to
//! the client, come with the same redirect URI, and answer its PKCE challenge.

use crate::client::Application;
use crate::grant::{AuthorizationCode, Grant};
use crate::params::Params;
use crate::{ErrorCode, OAuthError, pkce};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    pub code: String,
    pub redirect_uri: Option<String>,
    pub code_verifier: Option<String>,
    /// The API the access token is for (RFC 8707), if the client names one.
    pub resource: Option<String>,
}

pub fn parse(params: &Params) -> Result<Request, OAuthError> {
    let code = params
        .get("code")
        .ok_or_else(|| OAuthError::invalid_request("code is required"))?;
    let code_verifier = params.get("code_verifier");
    if let Some(verifier) = code_verifier {
        pkce::check_verifier(verifier)?;
    }
    Ok(Request {
        code: code.to_owned(),
        redirect_uri: params.get("redirect_uri").map(str::to_owned),
        code_verifier: code_verifier.map(str::to_owned),
        resource: params.get("resource").map(str::to_owned),
    })
}

fn invalid_grant(why: &'static str) -> OAuthError {
    OAuthError::new(ErrorCode::InvalidGrant, why)
}

/// Check a consumed code against the request and the authenticated client.
pub fn check(
    request: &Request,
    code: &AuthorizationCode,
    grant: &Grant,
    client: &Application,
) -> Result<(), OAuthError> {
    if grant.client_id != client.id {
        return Err(invalid_grant("the code was issued to another client"));
    }
    if code.redirect_uri == crate::device::DEVICE_REDIRECT {
        return Err(invalid_grant("this code was issued to a device"));
    }
    if request.redirect_uri.as_deref() != Some(code.redirect_uri.as_str()) {
        return Err(invalid_grant(
            "redirect_uri differs from the authorization request",
        ));
    }
    match (&code.code_challenge, &request.code_verifier) {
        (Some(challenge), Some(verifier)) if pkce::verifies(verifier, challenge) => Ok(()),
        (Some(_), Some(_)) => Err(invalid_grant(
            "code_verifier does not match the code_challenge",
        )),
        (Some(_), None) => Err(invalid_grant("code_verifier is required")),
        // A verifier for a code issued without a challenge is a downgrade attempt.
        (None, Some(_)) => Err(invalid_grant("this code was issued without PKCE")),
        (None, None) if client.app_type.is_confidential() => Ok(()),
        (None, None) => Err(invalid_grant("public clients must use PKCE")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::client::ApplicationType;

    const VERIFIER: &str = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
    const CHALLENGE: &str = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";

    fn fixture(
        challenge: Option<&str>,
        app_type: ApplicationType,
    ) -> (AuthorizationCode, Grant, Application) {
        let code = AuthorizationCode {
            code_hash: "h".into(),
            grant_id: "g".into(),
            redirect_uri: "https://app.example.com/cb".into(),
            nonce: None,
            code_challenge: challenge.map(str::to_owned),
            created_at: 0,
            expires_at: 60_000,
        };
        let grant = Grant {
            id: "g".into(),
            client_id: "app".into(),
            user_id: "u".into(),
            session_id_hash: None,
            scope: "openid".into(),
            resources: vec![],
            auth_time: 0,
            amr: crate::mfa::Amr::password(),
            created_at: 0,
            revoked_at: None,
        };
        let app = Application {
            dynamic: None,
            id: "app".into(),
            name: "App".into(),
            description: None,
            app_type,
            is_third_party: false,
            redirect_uris: vec![code.redirect_uri.clone()],
            post_logout_redirect_uris: vec![],
            cors_allowed_origins: vec![],
            settings: Default::default(),
            created_at: 0,
        };
        (code, grant, app)
    }

    fn request(verifier: Option<&str>, redirect_uri: &str) -> Request {
        Request {
            code: "c".into(),
            redirect_uri: Some(redirect_uri.into()),
            code_verifier: verifier.map(str::to_owned),
            resource: None,
        }
    }

    const CB: &str = "https://app.example.com/cb";

    #[test]
    fn pkce_is_checked_and_cannot_be_downgraded() {
        let (code, grant, spa) = fixture(Some(CHALLENGE), ApplicationType::Spa);
        assert!(check(&request(Some(VERIFIER), CB), &code, &grant, &spa).is_ok());
        let wrong = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXj";
        assert!(check(&request(Some(wrong), CB), &code, &grant, &spa).is_err());
        assert!(check(&request(None, CB), &code, &grant, &spa).is_err());
        let (plain, grant, web) = fixture(None, ApplicationType::Traditional);
        assert!(check(&request(None, CB), &plain, &grant, &web).is_ok());
        let downgrade = check(&request(Some(VERIFIER), CB), &plain, &grant, &web);
        assert_eq!(
            downgrade.err().map(|e| e.code),
            Some(ErrorCode::InvalidGrant)
        );
    }

    #[test]
    fn the_code_is_bound_to_client_and_redirect_uri() {
        let (code, grant, mut app) = fixture(None, ApplicationType::Traditional);
        assert!(
            check(
                &request(None, "https://app.example.com/other"),
                &code,
                &grant,
                &app
            )
            .is_err()
        );
        app.id = "someone-else".into();
        assert!(check(&request(None, CB), &code, &grant, &app).is_err());
    }
}
