//! Which user claims each scope releases (OIDC Core §5.4), and the ID token (§2).

use aws_lc_rs::digest::{SHA256, digest};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Map, Value, json};

use crate::organization::{self, Membership, SCOPE_ORGANIZATION_ROLES, SCOPE_ORGANIZATIONS};
use crate::scope::Scopes;
use crate::user::User;

/// The scopes this server understands for users, in the order discovery lists them.
pub const USER_SCOPES: [&str; 10] = [
    "openid",
    "profile",
    "email",
    "phone",
    "address",
    "custom_data",
    "roles",
    SCOPE_ORGANIZATIONS,
    SCOPE_ORGANIZATION_ROLES,
    "offline_access",
];

/// The user-data scopes a third-party application's consent ceiling may hold (`openid` and
/// `offline_access` are not data and are never in a ceiling).
pub const CONSENT_USER_SCOPES: [&str; 8] = [
    "profile",
    "email",
    "phone",
    "address",
    "custom_data",
    "roles",
    SCOPE_ORGANIZATIONS,
    SCOPE_ORGANIZATION_ROLES,
];

/// OIDC claim names and the camelCase profile fields they come from.
const PROFILE_CLAIMS: [(&str, &str); 10] = [
    ("given_name", "givenName"),
    ("family_name", "familyName"),
    ("middle_name", "middleName"),
    ("nickname", "nickname"),
    ("profile", "profile"),
    ("website", "website"),
    ("gender", "gender"),
    ("birthdate", "birthdate"),
    ("zoneinfo", "zoneinfo"),
    ("locale", "locale"),
];
const ADDRESS_CLAIMS: [(&str, &str); 6] = [
    ("formatted", "formatted"),
    ("street_address", "streetAddress"),
    ("locality", "locality"),
    ("region", "region"),
    ("postal_code", "postalCode"),
    ("country", "country"),
];

/// Whether the claims of `scope` name the user's roles (so that they need reading at all).
pub fn needs_roles(scope: &Scopes) -> bool {
    scope.contains("roles")
}

/// What the user holds beyond the account, read only when a scope releases it
/// ([`needs_roles`], [`organization::needs_memberships`]).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Held {
    /// The names of the user's roles.
    pub roles: Vec<String>,
    pub organizations: Vec<Membership>,
}

/// The claims `scope` releases about `user`, always with `sub`. A claim without a value is
/// left out rather than sent as `null` (OIDC Core §5.3.2).
pub fn user_claims(user: &User, held: &Held, scope: &Scopes) -> Map<String, Value> {
    let mut claims = Map::new();
    claims.insert("sub".into(), json!(user.id));
    let mut put = |name: &str, value: Option<Value>| {
        if let Some(value) = value {
            claims.insert(name.into(), value);
        }
    };
    if scope.contains("profile") {
        put("name", user.name.as_ref().map(|v| json!(v)));
        put("username", user.username.as_ref().map(|v| json!(v)));
        put(
            "preferred_username",
            user.username.as_ref().map(|v| json!(v)),
        );
        put("updated_at", Some(json!(user.updated_at.div_euclid(1000))));
        put("created_at", Some(json!(user.created_at.div_euclid(1000))));
    }
    if scope.contains("email") {
        put("email", user.primary_email.as_ref().map(|v| json!(v)));
        // True only once the address was proven (a code sent there typed back) or an
        // administrator vouched for it: relying parties may link accounts on it only then.
        put(
            "email_verified",
            user.primary_email
                .as_ref()
                .map(|_| json!(user.primary_email_verified)),
        );
    }
    if scope.contains("profile") {
        for (claim, field) in PROFILE_CLAIMS {
            put(
                claim,
                user.profile.get(field).filter(|v| v.is_string()).cloned(),
            );
        }
        put("picture", user.avatar.as_ref().map(|v| json!(v)));
    }
    if scope.contains("address") {
        let address: Map<String, Value> = user.profile["address"]
            .as_object()
            .into_iter()
            .flatten()
            .filter_map(|(k, v)| {
                ADDRESS_CLAIMS
                    .iter()
                    .find(|(_, field)| field == k)
                    .map(|(claim, _)| ((*claim).to_owned(), v.clone()))
            })
            .collect();
        put(
            "address",
            (!address.is_empty()).then_some(Value::Object(address)),
        );
    }
    if scope.contains("custom_data") {
        put("custom_data", Some(user.custom_data.clone()));
    }
    if needs_roles(scope) {
        put("roles", Some(json!(held.roles)));
    }
    if scope.contains("phone") {
        put(
            "phone_number",
            user.primary_phone.as_ref().map(|v| json!(v)),
        );
        put(
            "phone_number_verified",
            user.primary_phone.as_ref().map(|_| json!(false)),
        );
    }
    claims.extend(organization::claims(&held.organizations, scope));
    claims
}

/// The claims userinfo answers for `scope`: the user's, and each organization's name
/// (`organization_data`, which Logto keeps out of the ID token).
pub fn userinfo_claims(user: &User, held: &Held, scope: &Scopes) -> Map<String, Value> {
    let mut claims = user_claims(user, held, scope);
    if scope.contains(SCOPE_ORGANIZATIONS) {
        let data = organization::data_claim(&held.organizations);
        claims.insert("organization_data".into(), data);
    }
    claims
}

/// `at_hash`: the left half of the SHA-256 of the access token, base64url (OIDC Core
/// §3.1.3.6; SHA-256 for both RS256 and ES256).
pub fn at_hash(access_token: &str) -> String {
    let hash = digest(&SHA256, access_token.as_bytes());
    URL_SAFE_NO_PAD.encode(&hash.as_ref()[..16])
}

/// What the ID token says beyond the user's claims.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdTokenContext<'a> {
    pub issuer: &'a str,
    pub client_id: &'a str,
    pub now_ms: i64,
    pub ttl_secs: i64,
    pub auth_time_ms: i64,
    /// How the user authenticated: `amr` and `acr`.
    pub amr: &'a crate::mfa::Amr,
    pub nonce: Option<&'a str>,
    pub session_id: Option<&'a str>,
    pub access_token: Option<&'a str>,
}

pub fn id_token_claims(
    user: &User,
    held: &Held,
    scope: &Scopes,
    context: &IdTokenContext<'_>,
) -> Map<String, Value> {
    let mut claims = user_claims(user, held, scope);
    let iat = context.now_ms.div_euclid(1000);
    claims.insert("iss".into(), json!(context.issuer));
    claims.insert("aud".into(), json!(context.client_id));
    claims.insert("iat".into(), json!(iat));
    claims.insert("exp".into(), json!(iat + context.ttl_secs));
    claims.insert(
        "auth_time".into(),
        json!(context.auth_time_ms.div_euclid(1000)),
    );
    claims.insert("amr".into(), json!(context.amr.claim()));
    claims.insert("acr".into(), json!(context.amr.acr()));
    if let Some(nonce) = context.nonce {
        claims.insert("nonce".into(), json!(nonce));
    }
    if let Some(sid) = context.session_id {
        claims.insert("sid".into(), json!(sid));
    }
    if let Some(token) = context.access_token {
        claims.insert("at_hash".into(), json!(at_hash(token)));
    }
    claims
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user() -> User {
        User {
            id: "u1".into(),
            username: Some("alice".into()),
            primary_email: Some("alice@example.com".into()),
            primary_email_verified: false,
            primary_phone: None,
            name: Some("Alice".into()),
            password_hash: Some("$argon2id$secret".into()),
            is_suspended: false,
            created_at: 1_000_000,
            updated_at: 2_000_000,
            last_sign_in_at: None,
            custom_data: serde_json::json!({}),
            profile: serde_json::json!({}),
            avatar: None,
        }
    }

    #[test]
    fn each_scope_releases_only_its_claims() {
        let openid = user_claims(&user(), &Held::default(), &Scopes::from_names(["openid"]));
        assert_eq!(openid.keys().collect::<Vec<_>>(), ["sub"]);
        let all = user_claims(
            &user(),
            &Held::default(),
            &Scopes::from_names(["openid", "profile", "email"]),
        );
        assert_eq!(all["preferred_username"], "alice");
        assert_eq!(all["email_verified"], false, "never claimed without proof");
        let mut proven = user();
        proven.primary_email_verified = true;
        let proven = user_claims(
            &proven,
            &Held::default(),
            &Scopes::from_names(["openid", "email"]),
        );
        assert_eq!(proven["email_verified"], true);
        assert!(all.get("phone_number").is_none(), "no value, no claim");
        assert!(!Value::Object(all).to_string().contains("argon2"));
    }

    #[test]
    fn custom_data_and_roles_have_their_own_scopes() {
        let mut u = user();
        u.custom_data = json!({"plan": "pro"});
        let roles = Held {
            roles: vec!["Staff".to_owned()],
            organizations: vec![],
        };
        let none = user_claims(&u, &roles, &Scopes::from_names(["openid", "profile"]));
        assert!(none.get("custom_data").is_none() && none.get("roles").is_none());
        let both = user_claims(
            &u,
            &roles,
            &Scopes::from_names(["openid", "custom_data", "roles"]),
        );
        assert_eq!(
            (
                both["custom_data"]["plan"].as_str(),
                both["roles"][0].as_str()
            ),
            (Some("pro"), Some("Staff"))
        );
    }

    #[test]
    fn profile_and_address_fields_become_standard_claims() {
        let mut u = user();
        u.profile = json!({"givenName": "Alice", "locale": "fr-FR", "address": {"postalCode": "75001", "country": "FR"}});
        u.avatar = Some("https://cdn.example.com/a.png".into());
        let claims = user_claims(
            &u,
            &Held::default(),
            &Scopes::from_names(["openid", "profile", "address"]),
        );
        assert_eq!(
            (claims["given_name"].as_str(), claims["locale"].as_str()),
            (Some("Alice"), Some("fr-FR"))
        );
        assert_eq!(claims["picture"], "https://cdn.example.com/a.png");
        assert_eq!(
            claims["address"],
            json!({"postal_code": "75001", "country": "FR"})
        );
        assert!(claims.get("family_name").is_none());
    }

    #[test]
    fn at_hash_follows_oidc_core() {
        // OIDC Core Appendix A.3's example pairs this token with this at_hash.
        assert_eq!(
            at_hash("jHkWEdUXMU1BwAsC4vtUsZwnNvTIxEl0z9K3vx5KF0Y"),
            "77QmUPtjPfzWtF2AnpK9RQ"
        );
    }

    #[test]
    fn the_id_token_carries_protocol_claims() {
        let context = IdTokenContext {
            issuer: "https://id.example.com/oidc",
            client_id: "app",
            now_ms: 10_000,
            ttl_secs: 3600,
            auth_time_ms: 9_000,
            amr: &crate::mfa::Amr::password(),
            nonce: Some("n-0S6_WzA2Mj"),
            session_id: Some("sid"),
            access_token: Some("token"),
        };
        let claims = id_token_claims(
            &user(),
            &Held::default(),
            &Scopes::from_names(["openid"]),
            &context,
        );
        assert_eq!(
            (
                claims["iat"].as_i64(),
                claims["exp"].as_i64(),
                claims["auth_time"].as_i64()
            ),
            (Some(10), Some(3610), Some(9))
        );
        assert_eq!(
            (claims["aud"].as_str(), claims["nonce"].as_str()),
            (Some("app"), Some("n-0S6_WzA2Mj"))
        );
        assert!(claims.contains_key("at_hash"));
    }
}
