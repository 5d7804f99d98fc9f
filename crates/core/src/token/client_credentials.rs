//! `grant_type=client_credentials` (RFC 6749 §4.4) with a resource indicator (RFC 8707):
//! a machine-to-machine application gets a token for one API, carrying the requested scopes
//! its roles allow.

use crate::client::{Application, GrantType};
use crate::organization;
use crate::params::Params;
use crate::resource::{Resource, check_indicator};
use crate::scope::Scopes;
use crate::token::AccessTokenClaims;
use crate::{ErrorCode, OAuthError};

/// The parts of the request this grant reads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    /// The API; `None` only for a token for an organization itself.
    pub resource: Option<String>,
    /// The organization the application acts in, as a member of it (Logto's
    /// machine-to-machine organization access).
    pub organization_id: Option<String>,
    /// `None` when the client asked for no particular scope.
    pub scope: Option<Scopes>,
}

pub fn parse(params: &Params) -> Result<Request, OAuthError> {
    let mut resources = params.get_all("resource");
    let resource = resources.next();
    if resources.next().is_some() {
        return Err(OAuthError::new(
            ErrorCode::InvalidTarget,
            "a client_credentials token is for exactly one resource",
        ));
    }
    if let Some(resource) = resource {
        check_indicator(resource)?;
    }
    let scope = params.get("scope").map(Scopes::parse).transpose()?;
    let within = organization::target(params.get("organization_id"), resource)?;
    let (resource, organization_id) = match within {
        Some(target) => (target.api, Some(target.organization_id)),
        None => (resource.map(str::to_owned), None),
    };
    if resource.is_none() && organization_id.is_none() {
        return Err(OAuthError::new(
            ErrorCode::InvalidTarget,
            "resource is required for client_credentials",
        ));
    }
    Ok(Request {
        resource,
        organization_id,
        scope,
    })
}

/// Only machine-to-machine applications use this grant (`unauthorized_client`).
pub fn check_client(application: &Application) -> Result<(), OAuthError> {
    match application.app_type.allows(GrantType::ClientCredentials) {
        true => Ok(()),
        false => Err(OAuthError::new(
            ErrorCode::UnauthorizedClient,
            "only machine-to-machine applications may use client_credentials",
        )),
    }
}

/// The token's scope. `defined` holds every scope the audience defines, `allowed` those the
/// application's roles grant there. Unknown scopes are `invalid_scope`; known ones the
/// application may not have are dropped, and a request left with none is `invalid_scope`.
/// Without a `scope` parameter the application gets everything it is allowed.
pub fn scope(
    requested: Option<&Scopes>,
    defined: &Scopes,
    allowed: &Scopes,
) -> Result<Scopes, OAuthError> {
    let Some(requested) = requested else {
        return Ok(allowed.clone());
    };
    if let Some(unknown) = requested.iter().find(|s| !defined.contains(s)) {
        return Err(OAuthError::new(
            ErrorCode::InvalidScope,
            format!("scope '{unknown}' is not defined for this resource"),
        ));
    }
    let granted = requested.intersect(allowed);
    if granted.is_empty() {
        return Err(OAuthError::new(
            ErrorCode::InvalidScope,
            "the application is not allowed any of the requested scopes",
        ));
    }
    Ok(granted)
}

/// Decide the token for API `resource`, with the [`scope`] rules.
pub fn grant(
    application: &Application,
    request: &Request,
    resource: &Resource,
    defined: &Scopes,
    allowed: &Scopes,
    issuer: &str,
    now_ms: i64,
) -> Result<AccessTokenClaims, OAuthError> {
    check_client(application)?;
    let granted = scope(request.scope.as_ref(), defined, allowed)?;
    let iat = now_ms.div_euclid(1000);
    Ok(AccessTokenClaims {
        iss: issuer.to_owned(),
        sub: application.id.clone(),
        aud: resource.indicator.clone(),
        client_id: application.id.clone(),
        scope: granted.to_string(),
        iat,
        exp: iat + resource.access_token_ttl,
        jti: crate::random::id(),
        act: None,
        subject_client_id: None,
        organization_id: request.organization_id.clone(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::client::ApplicationType;

    fn app(app_type: ApplicationType) -> Application {
        Application {
            dynamic: None,
            id: "m2m".into(),
            name: "Machine".into(),
            description: None,
            app_type,
            is_third_party: false,
            redirect_uris: vec![],
            post_logout_redirect_uris: vec![],
            cors_allowed_origins: vec![],
            settings: Default::default(),
            created_at: 0,
        }
    }

    fn api() -> Resource {
        Resource {
            id: "r".into(),
            name: "API".into(),
            indicator: "https://api.example.com".into(),
            access_token_ttl: 3600,
            is_management: false,
            created_at: 0,
        }
    }

    fn request(body: &str) -> Result<Request, OAuthError> {
        parse(&Params::parse(body.as_bytes())?)
    }

    fn decide(body: &str, app_type: ApplicationType) -> Result<AccessTokenClaims, OAuthError> {
        let defined = Scopes::from_names(["read", "write", "admin"]);
        let allowed = Scopes::from_names(["read", "write"]);
        grant(
            &app(app_type),
            &request(body)?,
            &api(),
            &defined,
            &allowed,
            "https://id.example.com/oidc",
            1_700_000_000_123,
        )
    }

    const RESOURCE: &str = "resource=https%3A%2F%2Fapi.example.com";

    #[test]
    fn issues_requested_allowed_scopes_for_the_resource() {
        let claims = decide(
            &format!("{RESOURCE}&scope=read"),
            ApplicationType::MachineToMachine,
        );
        let claims = claims.unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(claims.scope, "read");
        assert_eq!(claims.aud, "https://api.example.com");
        assert_eq!(
            (claims.sub.as_str(), claims.client_id.as_str()),
            ("m2m", "m2m")
        );
        assert_eq!((claims.iat, claims.exp), (1_700_000_000, 1_700_003_600));
    }

    #[test]
    fn without_scope_the_client_gets_all_it_is_allowed() {
        let claims = decide(RESOURCE, ApplicationType::MachineToMachine).map(|c| c.scope);
        assert_eq!(claims.ok().as_deref(), Some("read write"));
    }

    #[test]
    fn scopes_not_allowed_are_dropped_and_none_left_is_invalid_scope() {
        let claims = decide(
            &format!("{RESOURCE}&scope=read+admin"),
            ApplicationType::MachineToMachine,
        );
        assert_eq!(claims.map(|c| c.scope).ok().as_deref(), Some("read"));
        let err = decide(
            &format!("{RESOURCE}&scope=admin"),
            ApplicationType::MachineToMachine,
        )
        .err();
        assert_eq!(err.map(|e| e.code), Some(ErrorCode::InvalidScope));
    }

    #[test]
    fn unknown_scopes_are_invalid_scope() {
        let err = decide(
            &format!("{RESOURCE}&scope=read+delete"),
            ApplicationType::MachineToMachine,
        )
        .err();
        assert_eq!(err.map(|e| e.code), Some(ErrorCode::InvalidScope));
    }

    #[test]
    fn resource_is_required_single_and_absolute() {
        for body in [
            "scope=read",
            "resource=https%3A%2F%2Fa&resource=https%3A%2F%2Fb",
            "resource=relative",
        ] {
            let err = decide(body, ApplicationType::MachineToMachine)
                .err()
                .map(|e| e.code);
            assert_eq!(err, Some(ErrorCode::InvalidTarget), "{body}");
        }
    }

    #[test]
    fn an_organization_makes_the_resource_optional() {
        let own = request("organization_id=o1&scope=read").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            (own.resource, own.organization_id.as_deref()),
            (None, Some("o1"))
        );
        let older = request("resource=urn%3Alogto%3Aorganization%3Ao1");
        let older = older.unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            (older.resource, older.organization_id.as_deref()),
            (None, Some("o1"))
        );
        let within = request(&format!("{RESOURCE}&organization_id=o1"));
        let within = within.unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(within.resource.as_deref(), Some("https://api.example.com"));
        let claims = grant(
            &app(ApplicationType::MachineToMachine),
            &within,
            &api(),
            &Scopes::from_names(["read"]),
            &Scopes::from_names(["read"]),
            "https://id.example.com/oidc",
            0,
        );
        let claims = claims.unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(claims.organization_id.as_deref(), Some("o1"));
    }

    #[test]
    fn apps_that_sign_users_in_are_unauthorized_for_this_grant() {
        let err = decide(RESOURCE, ApplicationType::Traditional)
            .err()
            .map(|e| e.code);
        assert_eq!(err, Some(ErrorCode::UnauthorizedClient));
    }
}
