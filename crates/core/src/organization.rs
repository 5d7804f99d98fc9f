//! Organizations (B2B tenants) as Logto defines them, so that apps written for Logto work
//! unchanged: their user scopes and claims, which organization a token request is for, and
//! what an organization token holds.

use serde_json::{Map, Value, json};

use crate::scope::Scopes;
use crate::token::AccessTokenClaims;
use crate::{ErrorCode, OAuthError};

/// The user scope that releases the `organizations` claim and opens organization tokens.
pub const SCOPE_ORGANIZATIONS: &str = "urn:logto:scope:organizations";
/// The user scope that releases `organization_roles` (`"<organization id>:<role name>"`).
pub const SCOPE_ORGANIZATION_ROLES: &str = "urn:logto:scope:organization_roles";
/// The resource Logto's SDKs add to a sign-in that asks for organizations: it stands for
/// "every organization", never for an API.
pub const RESERVED_RESOURCE: &str = "urn:logto:resource:organizations";
/// An organization token's audience is this followed by the organization's id.
pub const AUDIENCE_PREFIX: &str = "urn:logto:organization:";
/// An organization token lives an hour, as Logto's do.
pub const TOKEN_SECS: i64 = 3600;

#[derive(Debug, Clone, PartialEq)]
pub struct Organization {
    pub id: String,
    pub name: String,
    pub description: Option<String>,
    pub custom_data: Value,
    pub is_mfa_required: bool,
    /// Logto's page-styling fields, kept as given.
    pub color: Value,
    pub branding: Value,
    pub custom_css: Option<String>,
    pub created_at: i64,
}

/// A scope of the organization template (`read:members`, say): held through organization
/// roles, carried by organization tokens.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrganizationScope {
    pub id: String,
    pub name: String,
    pub description: Option<String>,
    pub created_at: i64,
}

/// A role of the organization template: organization scopes and API scopes, held by a
/// member within one organization.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrganizationRole {
    pub id: String,
    pub name: String,
    pub description: Option<String>,
    pub role_type: crate::role::RoleType,
    pub created_at: i64,
}

/// One organization a user belongs to, with the names of the roles held there: what the
/// claims need.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Membership {
    pub id: String,
    pub name: String,
    pub description: Option<String>,
    pub roles: Vec<String>,
}

/// What a third-party application would get in one of the user's organizations: the
/// organization scopes and API scopes (names) the user's roles hold there among those it
/// asks for. The consent page offers it; the user chooses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Offer {
    pub id: String,
    pub name: String,
    pub organization_scopes: Vec<String>,
    pub resource_scopes: Vec<String>,
}

/// Whether the claims of `scope` mention organizations (so that memberships need reading).
pub fn needs_memberships(scope: &Scopes) -> bool {
    scope.contains(SCOPE_ORGANIZATIONS) || scope.contains(SCOPE_ORGANIZATION_ROLES)
}

/// The organization claims `scope` releases: every organization the user is in, never only
/// one of them.
pub fn claims(memberships: &[Membership], scope: &Scopes) -> Map<String, Value> {
    let mut claims = Map::new();
    if scope.contains(SCOPE_ORGANIZATIONS) {
        let ids: Vec<&str> = memberships.iter().map(|m| m.id.as_str()).collect();
        claims.insert("organizations".into(), json!(ids));
    }
    if scope.contains(SCOPE_ORGANIZATION_ROLES) {
        let roles: Vec<String> = memberships
            .iter()
            .flat_map(|m| m.roles.iter().map(move |r| format!("{}:{r}", m.id)))
            .collect();
        claims.insert("organization_roles".into(), json!(roles));
    }
    claims
}

/// `organization_data`, which userinfo adds to `organizations` (Logto keeps it out of the
/// ID token, which it would make large).
pub fn data_claim(memberships: &[Membership]) -> Value {
    let data: Vec<Value> = memberships
        .iter()
        .map(|m| json!({"id": m.id, "name": m.name, "description": m.description}))
        .collect();
    Value::Array(data)
}

/// The audience of organization `id`'s tokens.
pub fn audience(id: &str) -> String {
    format!("{AUDIENCE_PREFIX}{id}")
}

/// What a token request is for within an organization.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    pub organization_id: String,
    /// An API, for a token carrying the API scopes the organization roles hold; `None`: a
    /// token for the organization itself (its organization scopes).
    pub api: Option<String>,
}

/// The organization a token request names, if any: `organization_id` (Logto's current
/// SDKs), with or without an API `resource`, or `resource=urn:logto:organization:<id>`
/// (older SDKs). The two must agree when both name the organization.
pub fn target(
    organization_id: Option<&str>,
    resource: Option<&str>,
) -> Result<Option<Target>, OAuthError> {
    let invalid = |why: &'static str| OAuthError::new(ErrorCode::InvalidTarget, why);
    let named = resource.and_then(|r| r.strip_prefix(AUDIENCE_PREFIX));
    if organization_id == Some("") || named == Some("") {
        return Err(OAuthError::invalid_request("the organization id is empty"));
    }
    let api = resource.filter(|_| named.is_none()).map(str::to_owned);
    if api.as_deref() == Some(RESERVED_RESOURCE) {
        return Err(invalid("name one organization with organization_id"));
    }
    Ok(match (organization_id, named) {
        (Some(id), Some(other)) if id != other => {
            return Err(invalid("resource names another organization"));
        }
        (Some(id), _) | (None, Some(id)) => Some(Target {
            organization_id: id.to_owned(),
            api,
        }),
        (None, None) => None,
    })
}

/// Whether a user's grant opens organization tokens: only when it holds
/// [`SCOPE_ORGANIZATIONS`] (`invalid_scope` otherwise, as the user never agreed).
pub fn check_granted(granted: &Scopes) -> Result<(), OAuthError> {
    match granted.contains(SCOPE_ORGANIZATIONS) {
        true => Ok(()),
        false => Err(OAuthError::new(
            ErrorCode::InvalidScope,
            "the authorization does not hold urn:logto:scope:organizations",
        )),
    }
}

/// The refusal for a user or application that is not (or no longer) a member, or whose
/// organization was not chosen for this application.
pub fn not_member() -> OAuthError {
    OAuthError::new(
        ErrorCode::InvalidGrant,
        "not a member of this organization, or it was not granted to this application",
    )
}

/// The claims of organization `organization_id`'s token for `subject` (a member user, or a
/// member machine application for itself): the organization's audience, and the scope
/// already narrowed to what the member's organization roles hold there.
pub fn access(
    (subject, client_id): (&str, &str),
    organization_id: &str,
    scope: &Scopes,
    issuer: &str,
    now_ms: i64,
) -> AccessTokenClaims {
    let iat = now_ms.div_euclid(1000);
    AccessTokenClaims {
        iss: issuer.to_owned(),
        sub: subject.to_owned(),
        aud: audience(organization_id),
        client_id: client_id.to_owned(),
        scope: scope.to_string(),
        iat,
        exp: iat + TOKEN_SECS,
        jti: crate::random::id(),
        act: None,
        subject_client_id: None,
        organization_id: Some(organization_id.to_owned()),
    }
}

#[cfg(test)]
#[path = "organization_tests.rs"]
mod tests;
