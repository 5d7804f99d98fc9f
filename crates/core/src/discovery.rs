//! Provider metadata: OpenID Connect Discovery 1.0 §3 and RFC 8414 §2, one document served at
//! every well-known address (clients probe them in differing orders and must read the same
//! thing wherever they look).
//!
//! It lists only what the server implements: as a feature lands, it adds its members here in
//! the same change.

use crate::client::GrantType;
use serde::Serialize;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Metadata {
    pub issuer: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub authorization_endpoint: Option<String>,
    pub token_endpoint: String,
    /// RFC 8628 §4.
    pub device_authorization_endpoint: String,
    pub jwks_uri: String,
    pub response_types_supported: Vec<&'static str>,
    pub grant_types_supported: Vec<&'static str>,
    pub token_endpoint_auth_methods_supported: Vec<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub subject_types_supported: Option<Vec<&'static str>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id_token_signing_alg_values_supported: Option<Vec<&'static str>>,
    pub authorization_response_iss_parameter_supported: bool,
    pub response_modes_supported: Vec<&'static str>,
    pub code_challenge_methods_supported: Vec<&'static str>,
    pub scopes_supported: Vec<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub userinfo_endpoint: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub claims_supported: Option<Vec<&'static str>>,
    /// The `acr` values ID tokens carry; asking for the second lets a client require a
    /// second factor.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub acr_values_supported: Option<Vec<&'static str>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub end_session_endpoint: Option<String>,
    pub revocation_endpoint: String,
    pub revocation_endpoint_auth_methods_supported: Vec<&'static str>,
    pub introspection_endpoint: String,
    pub introspection_endpoint_auth_methods_supported: Vec<&'static str>,
    /// Clients may use the URL of their metadata document as `client_id` (CIMD).
    pub client_id_metadata_document_supported: bool,
    /// Where clients register themselves (RFC 7591), while the policy accepts them.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub registration_endpoint: Option<String>,
}

impl Metadata {
    /// The document as it reads while the policy accepts client ID metadata documents
    /// (`cimd`) or not.
    pub fn accepting_documents(self, cimd: bool) -> Self {
        Self {
            client_id_metadata_document_supported: cimd,
            ..self
        }
    }

    /// The document as it reads while the policy accepts dynamic registrations or not.
    pub fn accepting_registrations(self, dcr: bool) -> Self {
        let endpoint = dcr.then(|| format!("{}/reg", self.issuer));
        Self {
            registration_endpoint: endpoint,
            ..self
        }
    }
}

/// The members RFC 8414 (and its extensions) define, for `issuer`.
fn oauth_members(issuer: &str) -> Metadata {
    Metadata {
        issuer: issuer.to_owned(),
        authorization_endpoint: Some(format!("{issuer}/auth")),
        token_endpoint: format!("{issuer}/token"),
        device_authorization_endpoint: format!("{issuer}/device/auth"),
        jwks_uri: format!("{issuer}/jwks"),
        response_types_supported: vec!["code"],
        grant_types_supported: GrantType::ALL.iter().map(|g| g.as_str()).collect(),
        token_endpoint_auth_methods_supported: vec![
            "client_secret_basic",
            "client_secret_post",
            "none",
        ],
        subject_types_supported: None,
        id_token_signing_alg_values_supported: None,
        authorization_response_iss_parameter_supported: true,
        response_modes_supported: vec!["query", "form_post"],
        code_challenge_methods_supported: vec!["S256"],
        scopes_supported: crate::claims::USER_SCOPES.to_vec(),
        userinfo_endpoint: None,
        claims_supported: None,
        acr_values_supported: None,
        end_session_endpoint: None,
        revocation_endpoint: format!("{issuer}/token/revocation"),
        revocation_endpoint_auth_methods_supported: vec![
            "client_secret_basic",
            "client_secret_post",
            "none",
        ],
        introspection_endpoint: format!("{issuer}/token/introspection"),
        introspection_endpoint_auth_methods_supported: vec![
            "client_secret_basic",
            "client_secret_post",
            "none",
        ],
        client_id_metadata_document_supported: false,
        registration_endpoint: None,
    }
}

/// The document for `issuer`: RFC 8414's members and OpenID Connect Discovery's.
pub fn metadata(issuer: &str) -> Metadata {
    Metadata {
        subject_types_supported: Some(vec!["public"]),
        id_token_signing_alg_values_supported: Some(vec!["RS256", "ES256"]),
        userinfo_endpoint: Some(format!("{issuer}/me")),
        acr_values_supported: Some(vec![crate::mfa::ACR_SINGLE, crate::mfa::ACR_MFA]),
        end_session_endpoint: Some(format!("{issuer}/session/end")),
        claims_supported: Some(vec![
            "sub",
            "iss",
            "aud",
            "exp",
            "iat",
            "auth_time",
            "amr",
            "acr",
            "nonce",
            "sid",
            "at_hash",
            "name",
            "username",
            "preferred_username",
            "updated_at",
            "created_at",
            "email",
            "email_verified",
            "phone_number",
            "phone_number_verified",
            "given_name",
            "family_name",
            "middle_name",
            "nickname",
            "profile",
            "website",
            "gender",
            "birthdate",
            "zoneinfo",
            "locale",
            "picture",
            "address",
            "custom_data",
            "roles",
        ]),
        ..oauth_members(issuer)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn endpoints_hang_off_the_issuer() {
        let m = metadata("https://id.example.com/oidc");
        assert_eq!(m.token_endpoint, "https://id.example.com/oidc/token");
        assert_eq!(m.jwks_uri, "https://id.example.com/oidc/jwks");
        assert!(m.authorization_response_iss_parameter_supported);
    }

    #[test]
    fn the_document_carries_what_mcp_clients_check() {
        let m = serde_json::to_value(metadata("https://id.example.com/oidc")).unwrap_or_default();
        assert_eq!(
            m["code_challenge_methods_supported"],
            serde_json::json!(["S256"])
        );
        let auth = m["token_endpoint_auth_methods_supported"]
            .as_array()
            .cloned();
        assert!(
            auth.unwrap_or_default()
                .contains(&serde_json::json!("none"))
        );
        let scopes = m["scopes_supported"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        assert!(scopes.contains(&serde_json::json!("offline_access")));
        assert_eq!(m["authorization_response_iss_parameter_supported"], true);
    }

    #[test]
    fn documents_are_advertised_only_while_accepted() {
        let m = metadata("https://id.example.com/oidc");
        assert!(!m.client_id_metadata_document_supported);
        let m = m.accepting_documents(true);
        let json = serde_json::to_value(&m).unwrap_or_default();
        assert_eq!(json["client_id_metadata_document_supported"], true);
        assert!(json.get("registration_endpoint").is_none());
        let m = m.accepting_registrations(true);
        assert_eq!(
            m.registration_endpoint.as_deref(),
            Some("https://id.example.com/oidc/reg")
        );
    }
}
