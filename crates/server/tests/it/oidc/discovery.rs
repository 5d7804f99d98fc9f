//! Discovery (OIDC Discovery 1.0, RFC 8414), the JWKS, and a relying-party library that
//! finds its way from the issuer alone.

use openidconnect::core::{CoreClient, CoreProviderMetadata};
use openidconnect::{AuthType, ClientId, ClientSecret, IssuerUrl, OAuth2TokenResponse, Scope};

use crate::support::{TestApp, backends, verify_access_token};

#[tokio::test]
async fn an_rp_library_discovers_the_issuer_and_gets_a_verifiable_management_token() {
    for backend in backends() {
        let app = TestApp::spawn(backend).await;
        let credentials = app.bootstrap().await;
        let issuer = IssuerUrl::new(credentials.issuer.clone()).unwrap_or_else(|e| panic!("{e}"));
        let metadata = CoreProviderMetadata::discover_async(issuer, &app.http)
            .await
            .unwrap_or_else(|e| panic!("discovery failed on {backend:?}: {e:?}"));
        assert_eq!(
            metadata.jwks().keys().len(),
            4,
            "two RSA and two EC keys published"
        );
        assert_eq!(
            metadata.token_endpoint().map(|u| u.as_str().to_owned()),
            Some(credentials.token_endpoint.clone())
        );

        for auth_type in [AuthType::BasicAuth, AuthType::RequestBody] {
            let client = CoreClient::from_provider_metadata(
                metadata.clone(),
                ClientId::new(credentials.client_id.clone()),
                Some(ClientSecret::new(credentials.client_secret.clone())),
            )
            .set_auth_type(auth_type.clone());
            let response = client
                .exchange_client_credentials()
                .unwrap_or_else(|e| panic!("{e}"))
                .add_scope(Scope::new("all".into()))
                .add_extra_param("resource", credentials.resource.clone())
                .request_async(&app.http)
                .await
                .unwrap_or_else(|e| {
                    panic!("client_credentials with {auth_type:?} on {backend:?}: {e:?}")
                });
            assert_eq!(response.token_type().as_ref(), "bearer");
            let scopes: Vec<String> = response
                .scopes()
                .into_iter()
                .flatten()
                .map(|s| s.to_string())
                .collect();
            assert_eq!(scopes, ["all"]);

            let claims = verify_access_token(
                &app,
                response.access_token().secret(),
                &credentials.resource,
            )
            .await;
            assert_eq!(claims["sub"], credentials.client_id.as_str());
            assert_eq!(claims["client_id"], credentials.client_id.as_str());
            assert_eq!(claims["scope"], "all");
            let (iat, exp) = (
                claims["iat"].as_i64().unwrap_or(0),
                claims["exp"].as_i64().unwrap_or(0),
            );
            assert_eq!(exp - iat, 3600);
            assert_eq!(response.expires_in().map(|d| d.as_secs()), Some(3600));
            assert!(claims["jti"].as_str().is_some_and(|j| j.len() >= 16));
        }
    }
}

/// MCP clients probe these four addresses in differing orders; each answers the same bytes,
/// to any origin, and a metadata URL never answers 5xx.
#[tokio::test]
async fn every_well_known_address_answers_the_same_document() {
    let app = TestApp::spawn(crate::support::Backend::Sqlite).await;
    let mut bodies = Vec::new();
    for path in [
        "/oidc/.well-known/openid-configuration",
        "/oidc/.well-known/oauth-authorization-server",
        "/.well-known/oauth-authorization-server/oidc",
        "/.well-known/openid-configuration/oidc",
    ] {
        let response = app
            .http
            .get(app.url(path))
            .header("origin", "https://inspector.example");
        let response = response.send().await.unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(response.status(), 200, "{path}");
        assert_eq!(
            response.headers()["access-control-allow-origin"],
            "*",
            "{path}"
        );
        bodies.push(response.bytes().await.unwrap_or_default());
    }
    assert!(bodies.windows(2).all(|pair| pair[0] == pair[1]));
}

#[tokio::test]
async fn the_metadata_names_the_issuer_and_only_implemented_features() {
    let app = TestApp::spawn(crate::support::Backend::Sqlite).await;
    let openid = app.get_json("/oidc/.well-known/openid-configuration").await;
    let oauth = app
        .get_json("/.well-known/oauth-authorization-server/oidc")
        .await;
    assert_eq!(openid["issuer"], app.issuer.as_str());
    assert_eq!(oauth["issuer"], app.issuer.as_str());
    assert_eq!(
        oauth["grant_types_supported"],
        serde_json::json!([
            "authorization_code",
            "refresh_token",
            "client_credentials",
            "urn:ietf:params:oauth:grant-type:device_code",
            "urn:ietf:params:oauth:grant-type:token-exchange"
        ])
    );
    assert_eq!(
        oauth["device_authorization_endpoint"],
        format!("{}/device/auth", app.issuer)
    );
    assert_eq!(
        oauth["token_endpoint_auth_methods_supported"],
        serde_json::json!(["client_secret_basic", "client_secret_post", "none"])
    );
    assert_eq!(
        oauth["response_types_supported"],
        serde_json::json!(["code"])
    );
    assert_eq!(
        oauth["code_challenge_methods_supported"],
        serde_json::json!(["S256"])
    );
    assert_eq!(
        openid["authorization_response_iss_parameter_supported"],
        true
    );
    assert_eq!(openid["userinfo_endpoint"], format!("{}/me", app.issuer));
    assert_eq!(
        openid["id_token_signing_alg_values_supported"],
        serde_json::json!(["RS256", "ES256"])
    );
    assert_eq!(
        openid["revocation_endpoint"],
        format!("{}/token/revocation", app.issuer)
    );
    assert_eq!(
        openid["introspection_endpoint"],
        format!("{}/token/introspection", app.issuer)
    );
    assert_eq!(
        openid["end_session_endpoint"],
        format!("{}/session/end", app.issuer)
    );
}

#[tokio::test]
async fn the_jwks_publishes_rs256_and_es256_public_keys_only() {
    let app = TestApp::spawn(crate::support::Backend::Sqlite).await;
    let jwks = app.get_json("/oidc/jwks").await;
    let keys = jwks["keys"].as_array().cloned().unwrap_or_default();
    let mut algs: Vec<&str> = keys.iter().filter_map(|k| k["alg"].as_str()).collect();
    algs.sort();
    assert_eq!(algs, ["ES256", "ES256", "RS256", "RS256"]);
    for key in &keys {
        assert!(key["kid"].as_str().is_some_and(|k| !k.is_empty()));
        assert_eq!(key["use"], "sig");
        for private in ["d", "p", "q", "dp", "dq", "qi"] {
            assert!(
                key.get(private).is_none(),
                "private member {private} published"
            );
        }
    }
    let response = app
        .http
        .get(app.url("/oidc/jwks"))
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(response.headers()["access-control-allow-origin"], "*");
}

#[tokio::test]
async fn health_answers_when_the_database_does() {
    for backend in backends() {
        let app = TestApp::spawn(backend).await;
        assert_eq!(app.get_json("/health").await["status"], "ok");
        app.state.db.close().await;
        let response = app
            .http
            .get(app.url("/health"))
            .send()
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(response.status(), 503);
    }
}
