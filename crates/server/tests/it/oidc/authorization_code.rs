//! The authorization code flow driven by the `openidconnect` crate through the real sign-in
//! page, as a browser would: discovery, sign-in form, code, tokens, ID-token validation
//! against the JWKS, userinfo, PKCE, code reuse.

use openidconnect::core::{
    CoreAuthenticationFlow, CoreClient, CoreProviderMetadata, CoreUserInfoClaims,
};
use openidconnect::{
    AuthorizationCode, ClientId, ClientSecret, CsrfToken, IssuerUrl, Nonce, OAuth2TokenResponse,
    PkceCodeChallenge, RedirectUrl, Scope, TokenResponse,
};
use serde_json::json;

use crate::support::{Admin, Backend, TestApp, backends};

/// A browser: keeps cookies, does not follow redirects (each hop is checked).
pub fn browser() -> reqwest::Client {
    reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap_or_else(|e| panic!("{e}"))
}

fn location(response: &reqwest::Response) -> String {
    assert_eq!(response.status(), 303, "expected a 303 redirect");
    response.headers()["location"]
        .to_str()
        .unwrap_or_default()
        .to_owned()
}

pub fn hidden(page: &str, name: &str) -> String {
    let marker = format!(r#"name="{name}" value=""#);
    let start = page
        .find(&marker)
        .map(|i| i + marker.len())
        .unwrap_or_else(|| panic!("no {name} field in {page}"));
    page[start..]
        .split('"')
        .next()
        .unwrap_or_default()
        .to_owned()
}

/// Follow an authorization URL through the sign-in page; returns the redirect to the client.
pub async fn sign_in(
    app: &TestApp,
    browser: &reqwest::Client,
    auth_url: &str,
    identifier: &str,
    password: &str,
) -> url::Url {
    let to_sign_in = browser
        .get(auth_url)
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let sign_in_path = location(&to_sign_in);
    assert!(sign_in_path.starts_with("/sign-in/"), "{sign_in_path}");
    let page = browser
        .get(app.url(&sign_in_path))
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(page.status(), 200);
    assert!(
        page.headers()["content-security-policy"]
            .to_str()
            .unwrap_or("")
            .contains("frame-ancestors 'none'")
    );
    let page = page.text().await.unwrap_or_default();
    assert!(
        page.contains(r#"<label for="password">"#),
        "labelled fields"
    );
    let form = [
        ("csrf", hidden(&page, "csrf")),
        ("identifier", identifier.to_owned()),
        ("password", password.to_owned()),
    ];
    let submitted = browser
        .post(app.url(&sign_in_path))
        .form(&form)
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let resume = location(&submitted);
    let done = browser
        .get(app.url(&resume))
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    url::Url::parse(&location(&done)).unwrap_or_else(|e| panic!("{e}"))
}

/// The `code` of an authorization response.
pub fn code_of(url: &url::Url) -> String {
    param(url, "code").unwrap_or_default()
}

fn param(url: &url::Url, name: &str) -> Option<String> {
    url.query_pairs()
        .find(|(n, _)| n == name)
        .map(|(_, v)| v.into_owned())
}

async fn metadata(app: &TestApp) -> CoreProviderMetadata {
    let issuer = IssuerUrl::new(app.issuer.clone()).unwrap_or_else(|e| panic!("{e}"));
    CoreProviderMetadata::discover_async(issuer, &app.http)
        .await
        .unwrap_or_else(|e| panic!("{e:?}"))
}

async fn user(admin: &Admin<'_>) {
    let (status, _) = admin
        .post("/api/users", json!({"username": "alice", "primaryEmail": "alice@example.com", "name": "Alice", "password": "correct horse battery"}))
        .await;
    assert_eq!(status, 201);
}

#[tokio::test]
async fn a_traditional_app_signs_a_user_in_and_reads_userinfo() {
    for backend in backends() {
        let app = TestApp::spawn(backend).await;
        let admin = Admin::new(&app).await;
        user(&admin).await;
        let (_, web) = admin
            .post(
                "/api/applications",
                json!({"name": "Web", "type": "Traditional",
                "oidcClientMetadata": {"redirectUris": ["https://app.example.com/callback"]}}),
            )
            .await;
        let client = CoreClient::from_provider_metadata(
            metadata(&app).await,
            ClientId::new(web["id"].as_str().unwrap_or_default().into()),
            Some(ClientSecret::new(
                web["secret"].as_str().unwrap_or_default().into(),
            )),
        )
        .set_redirect_uri(
            RedirectUrl::new("https://app.example.com/callback".into())
                .unwrap_or_else(|e| panic!("{e}")),
        );
        let (auth_url, csrf, nonce) = client
            .authorize_url(
                CoreAuthenticationFlow::AuthorizationCode,
                CsrfToken::new_random,
                Nonce::new_random,
            )
            .add_scope(Scope::new("profile".into()))
            .add_scope(Scope::new("email".into()))
            .url();

        let browser = browser();
        let back = sign_in(
            &app,
            &browser,
            auth_url.as_str(),
            "alice",
            "correct horse battery",
        )
        .await;
        assert_eq!(
            param(&back, "state").as_deref(),
            Some(csrf.secret().as_str())
        );
        assert_eq!(
            param(&back, "iss").as_deref(),
            Some(app.issuer.as_str()),
            "RFC 9207"
        );
        let code = param(&back, "code").unwrap_or_default();

        let tokens = client
            .exchange_code(AuthorizationCode::new(code.clone()))
            .unwrap_or_else(|e| panic!("{e}"))
            .request_async(&app.http)
            .await
            .unwrap_or_else(|e| panic!("code exchange on {backend:?}: {e:?}"));
        let id_token = tokens.id_token().unwrap_or_else(|| panic!("no ID token"));
        let claims = id_token
            .claims(&client.id_token_verifier(), &nonce)
            .unwrap_or_else(|e| panic!("ID token: {e:?}"));
        assert_eq!(
            claims.preferred_username().map(|u| u.as_str()),
            Some("alice")
        );
        assert_eq!(
            claims.email().map(|e| e.as_str()),
            Some("alice@example.com")
        );
        assert!(claims.auth_time().is_some());
        assert!(claims.access_token_hash().is_some());

        let info: CoreUserInfoClaims = client
            .user_info(tokens.access_token().clone(), None)
            .unwrap_or_else(|e| panic!("{e}"))
            .request_async(&app.http)
            .await
            .unwrap_or_else(|e| panic!("userinfo: {e:?}"));
        assert_eq!(info.subject(), claims.subject());
        assert_eq!(info.email().map(|e| e.as_str()), Some("alice@example.com"));

        // Single sign-on: a second authorization in the same browser needs no form.
        let (again, _, _) = client
            .authorize_url(
                CoreAuthenticationFlow::AuthorizationCode,
                CsrfToken::new_random,
                Nonce::new_random,
            )
            .url();
        let direct = browser
            .get(again.as_str())
            .send()
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        assert!(location(&direct).starts_with("https://app.example.com/callback?code="));

        // Replaying the first code fails and revokes what it issued.
        let replay = client
            .exchange_code(AuthorizationCode::new(code))
            .unwrap_or_else(|e| panic!("{e}"))
            .request_async(&app.http)
            .await;
        assert!(replay.is_err());
        let revoked = app
            .http
            .get(app.url("/oidc/me"))
            .bearer_auth(tokens.access_token().secret())
            .send()
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(revoked.status(), 401);
        let audit = app.state.db.find_recent_audit(20).await.unwrap_or_default();
        assert!(
            audit.iter().any(|(a, _, _)| a == "grant.code_reuse"),
            "reuse audited"
        );
    }
}

#[tokio::test]
async fn public_clients_use_pkce_and_native_apps_a_loopback_port_of_their_choice() {
    for backend in backends() {
        let app = TestApp::spawn(backend).await;
        let admin = Admin::new(&app).await;
        user(&admin).await;
        let (_, native) = admin
            .post(
                "/api/applications",
                json!({"name": "Desktop", "type": "Native",
                "oidcClientMetadata": {"redirectUris": ["http://127.0.0.1/callback"]}}),
            )
            .await;
        let port = 40_000 + (std::process::id() % 20_000) as u16;
        let redirect = format!("http://127.0.0.1:{port}/callback");
        let client = CoreClient::from_provider_metadata(
            metadata(&app).await,
            ClientId::new(native["id"].as_str().unwrap_or_default().into()),
            None,
        )
        .set_redirect_uri(RedirectUrl::new(redirect.clone()).unwrap_or_else(|e| panic!("{e}")));
        let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
        let (auth_url, _, nonce) = client
            .authorize_url(
                CoreAuthenticationFlow::AuthorizationCode,
                CsrfToken::new_random,
                Nonce::new_random,
            )
            .set_pkce_challenge(challenge)
            .url();
        let back = sign_in(
            &app,
            &browser(),
            auth_url.as_str(),
            "alice@example.com",
            "correct horse battery",
        )
        .await;
        assert!(back.as_str().starts_with(&redirect), "{back}");
        let code = param(&back, "code").unwrap_or_default();

        let wrong = PkceCodeChallenge::new_random_sha256().1;
        let mismatch = client
            .exchange_code(AuthorizationCode::new(code.clone()))
            .unwrap_or_else(|e| panic!("{e}"))
            .set_pkce_verifier(wrong)
            .request_async(&app.http)
            .await;
        assert!(mismatch.is_err(), "a wrong verifier fails");

        // The code was consumed by the failed attempt; run the flow again with the right one.
        let (challenge, verifier2) = PkceCodeChallenge::new_random_sha256();
        let (auth_url, _, nonce2) = client
            .authorize_url(
                CoreAuthenticationFlow::AuthorizationCode,
                CsrfToken::new_random,
                Nonce::new_random,
            )
            .set_pkce_challenge(challenge)
            .url();
        let _ = (verifier, nonce);
        let browser = browser();
        let back = sign_in(
            &app,
            &browser,
            auth_url.as_str(),
            "alice",
            "correct horse battery",
        )
        .await;
        let tokens = client
            .exchange_code(AuthorizationCode::new(
                param(&back, "code").unwrap_or_default(),
            ))
            .unwrap_or_else(|e| panic!("{e}"))
            .set_pkce_verifier(verifier2)
            .request_async(&app.http)
            .await
            .unwrap_or_else(|e| panic!("{e:?}"));
        let claims = tokens
            .id_token()
            .map(|t| t.claims(&client.id_token_verifier(), &nonce2).is_ok());
        assert_eq!(claims, Some(true));

        // Without PKCE a public client is turned back at the authorization endpoint.
        let (no_pkce, _, _) = client
            .authorize_url(
                CoreAuthenticationFlow::AuthorizationCode,
                CsrfToken::new_random,
                Nonce::new_random,
            )
            .url();
        let refused = browser
            .get(no_pkce.as_str())
            .send()
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        let refused = url::Url::parse(&location(&refused)).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(param(&refused, "error").as_deref(), Some("invalid_request"));
    }
}

#[tokio::test]
async fn wrong_credentials_and_untrusted_requests_never_reach_the_client() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let admin = Admin::new(&app).await;
    user(&admin).await;
    let (_, web) = admin
        .post(
            "/api/applications",
            json!({"name": "Web", "type": "Traditional",
            "oidcClientMetadata": {"redirectUris": ["https://app.example.com/callback"]}}),
        )
        .await;
    let id = web["id"].as_str().unwrap_or_default();
    let browser = browser();
    for query in [
        format!(
            "client_id={id}&redirect_uri=https%3A%2F%2Fevil.example.com%2F&response_type=code&scope=openid"
        ),
        "client_id=unknown&redirect_uri=https%3A%2F%2Fapp.example.com%2Fcallback&response_type=code&scope=openid"
            .to_owned(),
        format!(
            "client_id={id}&client_id={id}&redirect_uri=https%3A%2F%2Fapp.example.com%2Fcallback&response_type=code&scope=openid"
        ),
    ] {
        let response = browser
            .get(app.url(&format!("/oidc/auth?{query}")))
            .send()
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(response.status(), 400, "{query}");
        assert!(response.headers().get("location").is_none());
        assert!(response.text().await.unwrap_or_default().contains("<html"));
    }
    let prompt_none = format!(
        "client_id={id}&redirect_uri=https%3A%2F%2Fapp.example.com%2Fcallback&response_type=code&scope=openid&prompt=none&state=xyz"
    );
    let response = browser
        .get(app.url(&format!("/oidc/auth?{prompt_none}")))
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let back = url::Url::parse(&location(&response)).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        (
            param(&back, "error").as_deref(),
            param(&back, "state").as_deref()
        ),
        (Some("login_required"), Some("xyz"))
    );

    let start = format!(
        "client_id={id}&redirect_uri=https%3A%2F%2Fapp.example.com%2Fcallback&response_type=code&scope=openid"
    );
    let to_sign_in = browser
        .get(app.url(&format!("/oidc/auth?{start}")))
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let path = location(&to_sign_in);
    let page = browser
        .get(app.url(&path))
        .header("accept-language", "fr-FR,fr;q=0.9")
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let page = page.text().await.unwrap_or_default();
    assert!(page.contains("Mot de passe"), "French from Accept-Language");
    let csrf = hidden(&page, "csrf");
    for (identifier, password) in [
        ("alice", "wrong password!"),
        ("nobody", "correct horse battery"),
    ] {
        let form = [
            ("csrf", csrf.as_str()),
            ("identifier", identifier),
            ("password", password),
        ];
        let failed = browser
            .post(app.url(&path))
            .form(&form)
            .send()
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(failed.status(), 400);
        assert!(
            failed
                .text()
                .await
                .unwrap_or_default()
                .contains("The username or password is incorrect.")
        );
    }
    // A suspended user cannot sign in, even with the right password.
    let (_, users) = admin.get("/api/users?search=alice").await;
    let alice = users[0]["id"].as_str().unwrap_or_default().to_owned();
    admin
        .patch(
            &format!("/api/users/{alice}/is-suspended"),
            json!({"isSuspended": true}),
        )
        .await;
    let form = [
        ("csrf", csrf.as_str()),
        ("identifier", "alice"),
        ("password", "correct horse battery"),
    ];
    let suspended = browser
        .post(app.url(&path))
        .form(&form)
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(suspended.status(), 400);
    // A form from another site carries no binding cookie and no token.
    let forged = reqwest::Client::new().post(app.url(&path)).form(&[
        ("csrf", csrf.as_str()),
        ("identifier", "alice"),
        ("password", "correct horse battery"),
    ]);
    assert_eq!(
        forged.send().await.map(|r| r.status().as_u16()).ok(),
        Some(400)
    );
}
