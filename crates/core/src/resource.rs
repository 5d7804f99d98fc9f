//! API resources (RFC 8707 resource indicators) and the scopes they define.

use std::collections::BTreeMap;

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
    /// The description in other languages, by language tag (`fr`); each replaces
    /// `description` on pages in that language.
    pub descriptions: BTreeMap<String, String>,
    pub created_at: i64,
}

impl Scope {
    /// The description for a page in language `lang`: its own there, else the default.
    pub fn description_in(&self, lang: &str) -> &str {
        self.descriptions
            .get(lang)
            .map_or(self.description.as_str(), String::as_str)
    }
}

impl Resource {
    /// Whether a client may ask for tokens for this API: a third-party application never
    /// gets the management API, whoever its user is (`invalid_target`).
    pub fn open_to(&self, third_party: bool) -> Result<(), OAuthError> {
        if third_party && self.is_management {
            let why = "a third-party application may not access the management API";
            return Err(OAuthError::new(ErrorCode::InvalidTarget, why));
        }
        Ok(())
    }
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

/// Whether a requested `resource` names the registered `indicator`: byte for byte, or but for
/// one trailing `/` (MCP clients send the server's URL either way; a mismatch there ends in
/// `invalid_target` or endless re-authentication). Tokens carry the registered form.
pub fn names(indicator: &str, requested: &str) -> bool {
    indicator == requested || other_form(requested).is_some_and(|other| other == indicator)
}

/// `requested` with its trailing `/` removed, or with one added.
pub fn other_form(requested: &str) -> Option<String> {
    match requested.strip_suffix('/') {
        Some("") => None,
        Some(stripped) if !stripped.ends_with('/') => Some(stripped.to_owned()),
        Some(_) => None,
        None => Some(format!("{requested}/")),
    }
}

/// The API a user's access token is for (RFC 8707 §2.2), decided as the engine inside Logto
/// decides it, so that Logto's SDKs work unchanged: the API the token request names, if the
/// grant holds it; without one, no API when the grant holds `openid` (the opaque token is for
/// userinfo: the SDKs redeem the code without `resource`, then ask for API tokens with the
/// refresh token), else the grant's API if it holds exactly one.
pub fn audience<'a>(
    granted: &'a [String],
    openid: bool,
    requested: Option<&'a str>,
) -> Result<Option<&'a str>, OAuthError> {
    let invalid = |why: &'static str| OAuthError::new(ErrorCode::InvalidTarget, why);
    match (requested, granted) {
        (Some(r), _) => match granted.iter().find(|g| names(g, r)) {
            Some(registered) => Ok(Some(registered)),
            None => Err(invalid("the resource was not part of the authorization")),
        },
        (None, _) if openid => Ok(None),
        (None, []) => Ok(None),
        (None, [only]) => Ok(Some(only)),
        (None, _) => Err(invalid(
            "the authorization holds several resources: name one with `resource`",
        )),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_scope_reads_in_the_pages_language_when_it_has_a_description_there() {
        let scope = super::Scope {
            id: "s".into(),
            resource_id: "r".into(),
            name: "read:docs".into(),
            description: "Read your documents".into(),
            descriptions: [("fr".to_owned(), "Lire vos documents".to_owned())].into(),
            created_at: 0,
        };
        assert_eq!(scope.description_in("fr"), "Lire vos documents");
        assert_eq!(scope.description_in("en"), "Read your documents");
    }

    use super::*;

    #[test]
    fn a_trailing_slash_does_not_make_another_resource() {
        assert!(names(
            "https://mcp.example.com/mcp",
            "https://mcp.example.com/mcp/"
        ));
        assert!(names("https://mcp.example.com/", "https://mcp.example.com"));
        assert!(!names(
            "https://mcp.example.com/mcp",
            "https://mcp.example.com/mcp//"
        ));
        assert!(!names(
            "https://mcp.example.com/mcp",
            "https://mcp.example.com/mc"
        ));
        let granted = ["https://mcp.example.com/mcp".to_owned()];
        let chosen = audience(&granted, false, Some("https://mcp.example.com/mcp/"));
        assert_eq!(
            chosen.ok().flatten(),
            Some("https://mcp.example.com/mcp"),
            "the registered form"
        );
    }

    #[test]
    fn the_management_api_is_never_open_to_a_third_party_application() {
        let mut api = Resource {
            id: "r".into(),
            name: "API".into(),
            indicator: "https://api.example.com".into(),
            access_token_ttl: 3600,
            is_management: false,
            created_at: 0,
        };
        assert!(api.open_to(true).is_ok());
        api.is_management = true;
        assert!(api.open_to(false).is_ok(), "an administrator's own app");
        let refused = api.open_to(true).err().map(|e| e.code);
        assert_eq!(refused, Some(ErrorCode::InvalidTarget));
    }

    #[test]
    fn the_token_is_for_the_named_api_else_userinfo_under_openid_else_the_only_api() {
        let two = [
            "https://a.example".to_owned(),
            "https://b.example".to_owned(),
        ];
        let one = &two[..1];
        let b = Some("https://b.example");
        assert_eq!(audience(&two, true, b), Ok(b));
        assert_eq!(audience(&two, false, b), Ok(b));
        assert_eq!(audience(&two, true, None), Ok(None), "openid: userinfo");
        assert_eq!(audience(one, true, None), Ok(None), "openid: userinfo");
        assert_eq!(audience(one, false, None), Ok(Some("https://a.example")));
        assert_eq!(audience(&[], false, None), Ok(None));
        for (granted, requested) in [(one, b), (&two[..], None), (&[][..], b)] {
            let code = audience(granted, false, requested).err().map(|e| e.code);
            assert_eq!(
                code,
                Some(ErrorCode::InvalidTarget),
                "{granted:?} {requested:?}"
            );
        }
    }

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
