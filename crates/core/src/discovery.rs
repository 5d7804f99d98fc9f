//! Provider metadata: OpenID Connect Discovery 1.0 §3 and RFC 8414 §2.
//!
//! Both documents list only what the server implements. OIDC Discovery makes
//! `authorization_endpoint`, `response_types_supported`, `subject_types_supported` and
//! `id_token_signing_alg_values_supported` mandatory, so the OpenID document carries them;
//! `response_types_supported` is empty until the authorization endpoint issues codes.

use serde::Serialize;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Metadata {
    pub issuer: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub authorization_endpoint: Option<String>,
    pub token_endpoint: String,
    pub jwks_uri: String,
    pub response_types_supported: Vec<&'static str>,
    pub grant_types_supported: Vec<&'static str>,
    pub token_endpoint_auth_methods_supported: Vec<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub subject_types_supported: Option<Vec<&'static str>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id_token_signing_alg_values_supported: Option<Vec<&'static str>>,
    pub authorization_response_iss_parameter_supported: bool,
}

/// The RFC 8414 authorization-server metadata for `issuer`.
pub fn oauth_metadata(issuer: &str) -> Metadata {
    Metadata {
        issuer: issuer.to_owned(),
        authorization_endpoint: None,
        token_endpoint: format!("{issuer}/token"),
        jwks_uri: format!("{issuer}/jwks"),
        response_types_supported: vec![],
        grant_types_supported: vec!["client_credentials"],
        token_endpoint_auth_methods_supported: vec!["client_secret_basic", "client_secret_post"],
        subject_types_supported: None,
        id_token_signing_alg_values_supported: None,
        authorization_response_iss_parameter_supported: true,
    }
}

/// The OpenID Provider metadata for `issuer`: the OAuth document plus the members OIDC
/// Discovery requires.
pub fn openid_metadata(issuer: &str) -> Metadata {
    Metadata {
        authorization_endpoint: Some(format!("{issuer}/auth")),
        subject_types_supported: Some(vec!["public"]),
        id_token_signing_alg_values_supported: Some(vec!["RS256", "ES256"]),
        ..oauth_metadata(issuer)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn endpoints_hang_off_the_issuer() {
        let m = openid_metadata("https://id.example.com/oidc");
        assert_eq!(m.token_endpoint, "https://id.example.com/oidc/token");
        assert_eq!(m.jwks_uri, "https://id.example.com/oidc/jwks");
        assert!(m.authorization_response_iss_parameter_supported);
    }

    #[test]
    fn the_oauth_document_omits_what_is_not_implemented() {
        let m =
            serde_json::to_value(oauth_metadata("https://id.example.com/oidc")).unwrap_or_default();
        assert!(m.get("authorization_endpoint").is_none());
        assert_eq!(
            m["grant_types_supported"],
            serde_json::json!(["client_credentials"])
        );
    }
}
