//! Refresh tokens under attack: replayed, widened or borrowed, and other clients' tokens at
//! revocation and introspection (RFC 6749 §6, RFC 9700 §4.14, RFC 7009, RFC 7662).

use serde_json::{Value, json};

use crate::oidc::authorization_code::browser;
use crate::support::walk::{param, sign_in_if_asked, walk};
use crate::support::{Admin, CALLBACK, TestApp, backends};

const VERIFIER: &str = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
const CHALLENGE: &str = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";

fn id(v: &Value) -> String {
    v["id"].as_str().unwrap_or_default().to_owned()
}

/// Tokens for alice from a public client (SPA) with offline_access.
async fn spa_tokens(app: &TestApp, browser: &reqwest::Client, spa: &str) -> Value {
    let url = format!(
        "{}/oidc/auth?client_id={spa}&redirect_uri=https%3A%2F%2Fapp.example.com%2Fcallback&response_type=code\
         &scope=openid+profile+offline_access&code_challenge={CHALLENGE}&code_challenge_method=S256",
        app.address
    );
    let stop = sign_in_if_asked(app, browser, walk(app, browser, &url).await).await;
    let code = param(&stop.client(), "code").unwrap_or_default();
    let form = [
        ("grant_type", "authorization_code"),
        ("code", &code),
        ("redirect_uri", CALLBACK),
        ("client_id", spa),
        ("code_verifier", VERIFIER),
    ];
    let (status, tokens) = app.post_form("/oidc/token", &form, None).await;
    assert_eq!(status, 200, "{tokens}");
    tokens
}

#[tokio::test]
async fn refresh_tokens_revocation_and_introspection_resist_misuse() {
    for backend in backends() {
        let app = TestApp::spawn(backend).await;
        let admin = Admin::new(&app).await;
        let alice = json!({"username": "alice", "password": "correct horse battery"});
        assert_eq!(admin.post("/api/users", alice).await.0, 201);
        let redirect = json!({"redirectUris": [CALLBACK]});
        let (_, spa) = admin
            .post(
                "/api/applications",
                json!({"name": "SPA", "type": "SPA", "oidcClientMetadata": redirect}),
            )
            .await;
        let (_, web) = admin
            .post(
                "/api/applications",
                json!({"name": "Web", "type": "Traditional", "oidcClientMetadata": redirect}),
            )
            .await;
        let (spa, web_id, web_secret) = (
            id(&spa),
            id(&web),
            web["secret"].as_str().unwrap_or_default().to_owned(),
        );
        let web_auth = Some((web_id.as_str(), web_secret.as_str()));
        let browser = browser();
        let tokens = spa_tokens(&app, &browser, &spa).await;
        let first = tokens["refresh_token"]
            .as_str()
            .unwrap_or_default()
            .to_owned();
        let access = tokens["access_token"]
            .as_str()
            .unwrap_or_default()
            .to_owned();

        // A refresh may narrow scope, never widen it.
        let widen = [
            ("grant_type", "refresh_token"),
            ("refresh_token", first.as_str()),
            ("client_id", &spa),
            ("scope", "openid profile email"),
        ];
        assert_eq!(
            app.post_form("/oidc/token", &widen, None).await.1["error"],
            "invalid_scope"
        );
        // Bound to its client: another client cannot use it, and it stays intact for its owner.
        let borrowed = [
            ("grant_type", "refresh_token"),
            ("refresh_token", first.as_str()),
        ];
        assert_eq!(
            app.post_form("/oidc/token", &borrowed, web_auth).await.1["error"],
            "invalid_grant"
        );
        // RFC 7662 §2.2: another client introspecting a token learns only `active: false`.
        let (status, seen) = app
            .post_form(
                "/oidc/token/introspection",
                &[("token", access.as_str())],
                web_auth,
            )
            .await;
        assert_eq!((status, seen), (200, json!({"active": false})));
        // RFC 7662 §2.1: introspection needs client authentication.
        let (status, _) = app
            .post_form(
                "/oidc/token/introspection",
                &[("token", access.as_str())],
                None,
            )
            .await;
        assert_eq!(status, 401);
        // RFC 7009 §2.1: revoking another client's token answers 200 and revokes nothing.
        let (status, _) = app
            .post_form(
                "/oidc/token/revocation",
                &[("token", first.as_str())],
                web_auth,
            )
            .await;
        assert_eq!(status, 200);
        let own = [
            ("grant_type", "refresh_token"),
            ("refresh_token", first.as_str()),
            ("client_id", &spa),
        ];
        let (status, rotated) = app.post_form("/oidc/token", &own, None).await;
        assert_eq!(status, 200, "still the owner's: {rotated}");
        let second = rotated["refresh_token"]
            .as_str()
            .unwrap_or_default()
            .to_owned();
        assert_ne!(second, first, "public clients rotate");
        // A rotated refresh token replayed revokes the whole family.
        assert_eq!(
            app.post_form("/oidc/token", &own, None).await.1["error"],
            "invalid_grant"
        );
        let next = [
            ("grant_type", "refresh_token"),
            ("refresh_token", second.as_str()),
            ("client_id", &spa),
        ];
        assert_eq!(
            app.post_form("/oidc/token", &next, None).await.1["error"],
            "invalid_grant",
            "family revoked"
        );
        // Revoking a refresh token ends its grant: a fresh family's token stops at once.
        let tokens = spa_tokens(&app, &browser, &spa).await;
        let fresh = tokens["refresh_token"]
            .as_str()
            .unwrap_or_default()
            .to_owned();
        let opaque = tokens["access_token"]
            .as_str()
            .unwrap_or_default()
            .to_owned();
        let (status, _) = app
            .post_form(
                "/oidc/token/revocation",
                &[("token", fresh.as_str()), ("client_id", &spa)],
                None,
            )
            .await;
        assert_eq!(status, 200);
        let again = [
            ("grant_type", "refresh_token"),
            ("refresh_token", fresh.as_str()),
            ("client_id", &spa),
        ];
        assert_eq!(
            app.post_form("/oidc/token", &again, None).await.1["error"],
            "invalid_grant"
        );
        // ... and with it the grant's opaque access tokens.
        let me = app
            .http
            .get(app.url("/oidc/me"))
            .bearer_auth(&opaque)
            .send()
            .await;
        assert_eq!(me.map(|r| r.status().as_u16()).ok(), Some(401));
    }
}
