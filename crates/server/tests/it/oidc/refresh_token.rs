//! Refresh tokens (RFC 6749 §6): rotation and reuse detection per RFC 9700, narrowing but
//! never widening, bound to their client. The sign-in helpers here serve `introspection`
//! and `revocation` too.

use openidconnect::core::{CoreAuthenticationFlow, CoreClient, CoreProviderMetadata};
use openidconnect::{
    AuthorizationCode, ClientId, ClientSecret, CsrfToken, IssuerUrl, Nonce, OAuth2TokenResponse,
    PkceCodeChallenge, RedirectUrl, RefreshToken, Scope,
};
use serde_json::{Value, json};

use crate::oidc::authorization_code::{browser, sign_in};
use crate::support::{Admin, TestApp, backends};

pub(crate) type Client = openidconnect::core::CoreClient<
    openidconnect::EndpointSet,
    openidconnect::EndpointNotSet,
    openidconnect::EndpointNotSet,
    openidconnect::EndpointNotSet,
    openidconnect::EndpointMaybeSet,
    openidconnect::EndpointMaybeSet,
>;

/// Register an app, sign alice in through the pages, and return the client and its tokens.
pub(crate) async fn signed_in(
    app: &TestApp,
    admin: &Admin<'_>,
    body: Value,
) -> (Client, Value, String, Option<String>) {
    let (_, created) = admin.post("/api/applications", body).await;
    let id = created["id"].as_str().unwrap_or_default().to_owned();
    let secret = created["secret"].as_str().map(str::to_owned);
    let issuer = IssuerUrl::new(app.issuer.clone()).unwrap_or_else(|e| panic!("{e}"));
    let metadata = CoreProviderMetadata::discover_async(issuer, &app.http)
        .await
        .unwrap_or_else(|e| panic!("{e:?}"));
    let client = CoreClient::from_provider_metadata(
        metadata,
        ClientId::new(id.clone()),
        secret.clone().map(ClientSecret::new),
    )
    .set_redirect_uri(
        RedirectUrl::new("https://app.example.com/callback".into())
            .unwrap_or_else(|e| panic!("{e}")),
    );
    let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
    let (url, _, nonce) = client
        .authorize_url(
            CoreAuthenticationFlow::AuthorizationCode,
            CsrfToken::new_random,
            Nonce::new_random,
        )
        .add_scope(Scope::new("profile".into()))
        .add_scope(Scope::new("offline_access".into()))
        .set_pkce_challenge(challenge)
        .url();
    let back = sign_in(
        app,
        &browser(),
        url.as_str(),
        "alice",
        "correct horse battery",
    )
    .await;
    let code = crate::oidc::authorization_code::code_of(&back);
    let tokens = client
        .exchange_code(AuthorizationCode::new(code))
        .unwrap_or_else(|e| panic!("{e}"))
        .set_pkce_verifier(verifier)
        .request_async(&app.http)
        .await
        .unwrap_or_else(|e| panic!("{e:?}"));
    // Every client, public or confidential, gets an ID token that verifies against the JWKS.
    let id_token =
        openidconnect::TokenResponse::id_token(&tokens).unwrap_or_else(|| panic!("no ID token"));
    let claims = id_token
        .claims(&client.id_token_verifier(), &nonce)
        .unwrap_or_else(|e| panic!("{e:?}"));
    assert_eq!(
        claims.preferred_username().map(|u| u.as_str()),
        Some("alice")
    );
    let tokens = json!({
        "access_token": tokens.access_token().secret(),
        "refresh_token": tokens.refresh_token().map(|r| r.secret().clone()),
        "scope": tokens.scopes().map(|s| s.iter().map(|s| s.to_string()).collect::<Vec<_>>().join(" ")),
    });
    (client, tokens, id, secret)
}

pub(crate) async fn setup(app: &TestApp) -> Admin<'_> {
    let admin = Admin::new(app).await;
    admin
        .post(
            "/api/users",
            json!({"username": "alice", "password": "correct horse battery"}),
        )
        .await;
    admin
}

/// A public SPA client with a signed-in user's first tokens (refresh token included).
pub(crate) async fn spa_signed_in(app: &TestApp) -> (Client, Value) {
    let admin = setup(app).await;
    let body = json!({"name": "SPA", "type": "SPA", "oidcClientMetadata": {"redirectUris": ["https://app.example.com/callback"]}});
    let (client, tokens, _, _) = signed_in(app, &admin, body).await;
    (client, tokens)
}

pub(crate) async fn refresh(
    app: &TestApp,
    client: &Client,
    token: &str,
    scope: Option<&str>,
) -> Result<(String, Option<String>, String), String> {
    let token = RefreshToken::new(token.into());
    let mut request = client
        .exchange_refresh_token(&token)
        .unwrap_or_else(|e| panic!("{e}"));
    if let Some(scope) = scope {
        for s in scope.split(' ') {
            request = request.add_scope(Scope::new(s.into()));
        }
    }
    request
        .request_async(&app.http)
        .await
        .map(|t| {
            let scope = t
                .scopes()
                .map(|s| {
                    s.iter()
                        .map(|s| s.to_string())
                        .collect::<Vec<_>>()
                        .join(" ")
                })
                .unwrap_or_default();
            (
                t.access_token().secret().clone(),
                t.refresh_token().map(|r| r.secret().clone()),
                scope,
            )
        })
        .map_err(|e| format!("{e:?}"))
}

pub(crate) async fn userinfo_status(app: &TestApp, access_token: &str) -> u16 {
    let response = app
        .http
        .get(app.url("/oidc/me"))
        .bearer_auth(access_token)
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    response.status().as_u16()
}

#[tokio::test]
async fn public_clients_rotate_refresh_tokens_and_a_replay_revokes_the_family() {
    for backend in backends() {
        let app = TestApp::spawn(backend).await;
        let (client, tokens) = spa_signed_in(&app).await;
        let first = tokens["refresh_token"]
            .as_str()
            .unwrap_or_else(|| panic!("offline_access gives a refresh token"))
            .to_owned();

        let (access, second, scope) = refresh(&app, &client, &first, None)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        let second = second.unwrap_or_else(|| panic!("public clients rotate"));
        assert_ne!(second, first);
        assert_eq!(scope, "openid profile offline_access");
        assert_eq!(userinfo_status(&app, &access).await, 200);

        let (narrow_access, third, scope) = refresh(&app, &client, &second, Some("openid"))
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(scope, "openid", "a refresh may narrow the scope");
        let third = third.unwrap_or_default();
        let widened = refresh(&app, &client, &third, Some("openid email")).await;
        assert!(widened.is_err(), "but never widen it");

        // Replaying a rotated token: refused, and the live one dies with its family.
        assert!(refresh(&app, &client, &first, None).await.is_err());
        assert!(refresh(&app, &client, &third, None).await.is_err());
        assert_eq!(userinfo_status(&app, &narrow_access).await, 401);
    }
}

#[tokio::test]
async fn confidential_clients_may_keep_their_refresh_token() {
    let app = TestApp::spawn(crate::support::Backend::Sqlite).await;
    let admin = setup(&app).await;
    let body = json!({"name": "Web", "type": "Traditional", "oidcClientMetadata": {"redirectUris": ["https://app.example.com/callback"]},
        "customClientMetadata": {"rotateRefreshToken": false}});
    let (client, tokens, _, _) = signed_in(&app, &admin, body).await;
    let token = tokens["refresh_token"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    for _ in 0..2 {
        let (_, rotated, _) = refresh(&app, &client, &token, None)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(rotated, None, "the same refresh token keeps working");
    }
}

/// `token` posted to `path` (introspection or revocation) by `client` (id, secret if any).
pub(crate) async fn form(
    app: &TestApp,
    path: &str,
    client: (&str, Option<&str>),
    token: &str,
) -> (u16, Value) {
    let mut request = app.http.post(app.url(path));
    let mut fields = vec![("token", token.to_owned())];
    match client.1 {
        Some(secret) => request = request.basic_auth(client.0, Some(secret)),
        None => fields.push(("client_id", client.0.to_owned())),
    }
    let response = request
        .form(&fields)
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

/// Two confidential web clients of alice's: the first one's tokens, and both as
/// (id, secret).
pub(crate) struct TwoClients {
    pub tokens: Value,
    pub me: (String, Option<String>),
    pub other: (String, Option<String>),
}

impl TwoClients {
    pub(crate) async fn signed_in(app: &TestApp) -> (Self, Admin<'_>) {
        let admin = setup(app).await;
        let body = json!({"name": "Web", "type": "Traditional", "oidcClientMetadata": {"redirectUris": ["https://app.example.com/callback"]}});
        let (_, tokens, id, secret) = signed_in(app, &admin, body.clone()).await;
        let (_, _, other_id, other_secret) = signed_in(app, &admin, body).await;
        let two = Self {
            tokens,
            me: (id, secret),
            other: (other_id, other_secret),
        };
        (two, admin)
    }

    pub(crate) fn me(&self) -> (&str, Option<&str>) {
        (self.me.0.as_str(), self.me.1.as_deref())
    }

    pub(crate) fn other(&self) -> (&str, Option<&str>) {
        (self.other.0.as_str(), self.other.1.as_deref())
    }

    pub(crate) fn token(&self, name: &str) -> &str {
        self.tokens[name].as_str().unwrap_or_default()
    }
}

/// RFC 6749 §6: a refresh token is bound to its client; another client's attempt leaves it
/// intact for its owner.
#[tokio::test]
async fn a_refresh_token_is_bound_to_its_client() {
    for backend in backends() {
        let app = TestApp::spawn(backend).await;
        let (two, _admin) = TwoClients::signed_in(&app).await;
        let token = two.token("refresh_token");
        let borrowed = [("grant_type", "refresh_token"), ("refresh_token", token)];
        let (id, secret) = two.other();
        let basic = Some((id, secret.unwrap_or_default()));
        let (_, refused) = app.post_form("/oidc/token", &borrowed, basic).await;
        assert_eq!(refused["error"], "invalid_grant", "{refused}");
        let (id, secret) = two.me();
        let basic = Some((id, secret.unwrap_or_default()));
        let (status, owned) = app.post_form("/oidc/token", &borrowed, basic).await;
        assert_eq!(status, 200, "still the owner's: {owned}");
    }
}

#[tokio::test]
async fn a_retry_within_the_reuse_grace_gets_the_same_tokens_and_after_it_revokes_the_family() {
    let app = TestApp::spawn_with_fixed_clock(crate::support::Backend::Sqlite).await;
    let admin = setup(&app).await;
    let body = json!({"name": "Agent", "type": "Native",
        "oidcClientMetadata": {"redirectUris": ["https://app.example.com/callback"]},
        "customClientMetadata": {"refreshTokenReuseGraceSeconds": 10}});
    let (client, tokens, id, _) = signed_in(&app, &admin, body).await;
    let (_, app_view) = admin.get(&format!("/api/applications/{id}")).await;
    assert_eq!(
        app_view["customClientMetadata"]["refreshTokenReuseGraceSeconds"],
        10
    );
    let r0 = tokens["refresh_token"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let first = refresh(&app, &client, &r0, None).await;
    let first = first.unwrap_or_else(|e| panic!("{e}"));
    // The response was lost; the agent retries with the same token five seconds later.
    app.state.clock.advance(5_000);
    let again = refresh(&app, &client, &r0, None).await;
    assert_eq!(again.as_ref().ok(), Some(&first), "the same pair");
    let r1 = first.1.clone().unwrap_or_default();
    let second = refresh(&app, &client, &r1, None).await;
    let second = second.unwrap_or_else(|e| panic!("the family lives on: {e}"));
    // Past the grace, the old token presented again is a replay: the family is revoked.
    app.state.clock.advance(10_001);
    assert!(refresh(&app, &client, &r1, None).await.is_err());
    let r2 = second.1.unwrap_or_default();
    assert!(refresh(&app, &client, &r2, None).await.is_err(), "revoked");
    // The grace is at most a minute.
    let long = json!({"customClientMetadata": {"refreshTokenReuseGraceSeconds": 61}});
    let (status, body) = admin.patch(&format!("/api/applications/{id}"), long).await;
    assert_eq!(
        (status, &body["field"]),
        (
            422,
            &json!("customClientMetadata.refreshTokenReuseGraceSeconds")
        )
    );
}
