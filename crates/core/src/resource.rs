//! API resources (RFC 8707 resource indicators) and the scopes they define.

use url::Url;

use crate::{ErrorCode, OAuthError};

/// The fixed id of Latchkey's own management API resource.
pub const MANAGEMENT_RESOURCE_ID: &str = "management-api";
/// The one scope of the management API, granting every operation.
pub const MANAGEMENT_SCOPE: &str = "all";
/// The built-in machine-to-machine role that holds the management scope.
pub const MANAGEMENT_ROLE_ID: &str = "management-api-access";
/// The built-in user role of administrators: the management scope, held by people.
pub const ADMIN_ROLE_ID: &str = "latchkey-admin";

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resource {
    pub id: String,
    pub name: String,
    /// The `resource` parameter value that selects this API; the `aud` of its tokens.
    pub indicator: String,
    /// Lifetime of access tokens for this API, in seconds.
    pub access_token_ttl: i64,
    pub is_management: bool,
    pub created_at: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scope {
    pub id: String,
    pub resource_id: String,
    pub name: String,
    pub description: String,
    pub created_at: i64,
}

/// The management API's indicator, derived from the public URL so it names this deployment.
pub fn management_indicator(public_url: &str) -> String {
    format!("{}/api", public_url.trim_end_matches('/'))
}

/// Check a `resource` parameter: an absolute URI without a fragment (RFC 8707 §2).
pub fn check_indicator(value: &str) -> Result<(), OAuthError> {
    let invalid = |why: &'static str| OAuthError::new(ErrorCode::InvalidTarget, why);
    let url = Url::parse(value).map_err(|_| invalid("resource must be an absolute URI"))?;
    if url.fragment().is_some() {
        return Err(invalid("resource must not contain a fragment"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn indicators_are_absolute_without_fragment() {
        assert!(check_indicator("https://api.example.com/v1").is_ok());
        assert!(check_indicator("urn:example:api").is_ok());
        for bad in [
            "/relative",
            "api.example.com",
            "https://a.example/#frag",
            "",
        ] {
            let err = check_indicator(bad).err().map(|e| e.code);
            assert_eq!(err, Some(ErrorCode::InvalidTarget), "{bad}");
        }
    }

    #[test]
    fn management_indicator_follows_the_public_url() {
        assert_eq!(
            management_indicator("https://id.example.com/"),
            "https://id.example.com/api"
        );
    }
}
