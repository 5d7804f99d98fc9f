//! Hostile use of tokens, client credentials and JWTs: refresh tokens that are replayed,
//! widened or borrowed, other clients' tokens at revocation and introspection, bent client
//! authentication, and forged or misdirected JWTs at the authorization endpoint and `/api`.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Value, json};

use crate::oidc::authorization_code::browser;
use crate::support::walk::{param, sign_in_if_asked, walk};
use crate::support::{Admin, TestApp, backends};

const CALLBACK: &str = "https://app.example.com/callback";
const VERIFIER: &str = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
const CHALLENGE: &str = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";

fn id(v: &Value) -> String {
    v["id"].as_str().unwrap_or_default().to_owned()
}

async fn post(
    app: &TestApp,
    path: &str,
    form: &[(&str, &str)],
    basic: Option<(&str, &str)>,
) -> (u16, Value) {
    let mut request = app.http.post(app.url(path)).form(form);
    if let Some((user, secret)) = basic {
        request = request.basic_auth(user, Some(secret));
    }
    let response = request.send().await.unwrap_or_else(|e| panic!("{e}"));
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or_default())
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
    let (status, tokens) = post(app, "/oidc/token", &form, None).await;
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
            post(&app, "/oidc/token", &widen, None).await.1["error"],
            "invalid_scope"
        );
        // Bound to its client: another client cannot use it, and it stays intact for its owner.
        let borrowed = [
            ("grant_type", "refresh_token"),
            ("refresh_token", first.as_str()),
        ];
        assert_eq!(
            post(&app, "/oidc/token", &borrowed, web_auth).await.1["error"],
            "invalid_grant"
        );
        // RFC 7662 §2.2: another client introspecting a token learns only `active: false`.
        let (status, seen) = post(
            &app,
            "/oidc/token/introspection",
            &[("token", access.as_str())],
            web_auth,
        )
        .await;
        assert_eq!((status, seen), (200, json!({"active": false})));
        // RFC 7662 §2.1: introspection needs client authentication.
        let (status, _) = post(
            &app,
            "/oidc/token/introspection",
            &[("token", access.as_str())],
            None,
        )
        .await;
        assert_eq!(status, 401);
        // RFC 7009 §2.1: revoking another client's token answers 200 and revokes nothing.
        let (status, _) = post(
            &app,
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
        let (status, rotated) = post(&app, "/oidc/token", &own, None).await;
        assert_eq!(status, 200, "still the owner's: {rotated}");
        let second = rotated["refresh_token"]
            .as_str()
            .unwrap_or_default()
            .to_owned();
        assert_ne!(second, first, "public clients rotate");
        // A rotated refresh token replayed revokes the whole family.
        assert_eq!(
            post(&app, "/oidc/token", &own, None).await.1["error"],
            "invalid_grant"
        );
        let next = [
            ("grant_type", "refresh_token"),
            ("refresh_token", second.as_str()),
            ("client_id", &spa),
        ];
        assert_eq!(
            post(&app, "/oidc/token", &next, None).await.1["error"],
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
        let (status, _) = post(
            &app,
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
            post(&app, "/oidc/token", &again, None).await.1["error"],
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

#[tokio::test]
async fn client_authentication_cannot_be_bent() {
    for backend in backends() {
        let app = TestApp::spawn(backend).await;
        let admin = Admin::new(&app).await;
        let (_, m2m) = admin
            .post(
                "/api/applications",
                json!({"name": "Job", "type": "MachineToMachine"}),
            )
            .await;
        let (_, spa) = admin
            .post(
                "/api/applications",
                json!({"name": "SPA", "type": "SPA",
            "oidcClientMetadata": {"redirectUris": [CALLBACK]}}),
            )
            .await;
        let (m2m, secret) = (
            id(&m2m),
            m2m["secret"].as_str().unwrap_or_default().to_owned(),
        );
        let grant = [("grant_type", "client_credentials")];
        // RFC 6749 §5.2: a wrong secret is 401 invalid_client with a challenge.
        let response = app
            .http
            .post(app.url("/oidc/token"))
            .basic_auth(&m2m, Some("wrong"))
            .form(&grant)
            .send()
            .await;
        let response = response.unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(response.status(), 401);
        assert!(response.headers().contains_key("www-authenticate"));
        // RFC 6749 §2.3: a client must not use more than one authentication method.
        let both = [
            ("grant_type", "client_credentials"),
            ("client_id", m2m.as_str()),
            ("client_secret", secret.as_str()),
        ];
        let (status, body) = post(&app, "/oidc/token", &both, Some((&m2m, &secret))).await;
        assert!(matches!(status, 400 | 401), "{body}");
        // A client_id in the body that contradicts the Basic credentials is refused.
        let other = [
            ("grant_type", "client_credentials"),
            ("client_id", spa["id"].as_str().unwrap_or_default()),
        ];
        let (status, _) = post(&app, "/oidc/token", &other, Some((&m2m, &secret))).await;
        assert!(matches!(status, 400 | 401));
        // A public client offering a secret is not thereby confidential.
        let spa_id = id(&spa);
        let (status, _) = post(&app, "/oidc/token", &grant, Some((&spa_id, "made-up"))).await;
        assert_eq!(status, 401);
        // An unknown client is 401 invalid_client, like a wrong secret (nothing to tell apart).
        let (status, body) = post(&app, "/oidc/token", &grant, Some(("nobody", "x"))).await;
        assert_eq!(
            (status, body["error"].as_str()),
            (401, Some("invalid_client"))
        );
        // A public client cannot use client_credentials at all.
        let (status, _) = post(
            &app,
            "/oidc/token",
            &[("grant_type", "client_credentials"), ("client_id", &spa_id)],
            None,
        )
        .await;
        assert!(matches!(status, 400 | 401));
        // An expired secret no longer authenticates.
        let path = format!("/api/applications/{m2m}/secrets");
        let expired = json!({"name": "old", "expiresAt": app.state.clock.now_ms() - 1});
        let (status, created) = admin.post(&path, expired).await;
        if status == 201 {
            let value = created["value"].as_str().unwrap_or_default().to_owned();
            assert_eq!(
                post(&app, "/oidc/token", &grant, Some((&m2m, &value)))
                    .await
                    .0,
                401
            );
        } else {
            assert_eq!(
                status, 422,
                "an expiry in the past is refused at creation: {created}"
            );
        }
    }
}

fn unsigned(header: Value, claims: Value) -> String {
    let part = |v: &Value| URL_SAFE_NO_PAD.encode(v.to_string());
    format!("{}.{}.", part(&header), part(&claims))
}

#[tokio::test]
async fn forged_jwts_are_never_trusted() {
    for backend in backends() {
        let app = TestApp::spawn(backend).await;
        let admin = Admin::new(&app).await;
        let (_, web) = admin
            .post(
                "/api/applications",
                json!({"name": "Web", "type": "Traditional",
            "oidcClientMetadata": {"redirectUris": [CALLBACK]}}),
            )
            .await;
        let web = id(&web);
        let jwks = app.get_json("/oidc/jwks").await;
        let rsa = jwks["keys"]
            .as_array()
            .into_iter()
            .flatten()
            .find(|k| k["kty"] == "RSA")
            .cloned()
            .unwrap_or_default();
        let kid = rsa["kid"].as_str().unwrap_or_default();
        let claims =
            json!({"iss": app.issuer, "sub": "someone", "aud": web, "exp": 4_000_000_000_i64});
        let hint = |token: &str| {
            format!(
                "{}/oidc/auth?client_id={web}&redirect_uri=https%3A%2F%2Fapp.example.com%2Fcallback&response_type=code&scope=openid&id_token_hint={token}",
                app.address
            )
        };
        let refused = async |token: &str, why: &str| {
            let response = app
                .http
                .get(hint(token))
                .send()
                .await
                .unwrap_or_else(|e| panic!("{e}"));
            let location = response
                .headers()
                .get("location")
                .map(|l| l.to_str().unwrap_or("").to_owned());
            assert!(
                location.is_some_and(|l| l.contains("error=invalid_request")),
                "{why}"
            );
        };
        // Never `alg: none`.
        refused(
            &unsigned(
                json!({"alg": "none", "typ": "JWT", "kid": kid}),
                claims.clone(),
            ),
            "alg none",
        )
        .await;
        // Never pick the key family from `alg`: HS256 keyed with the RSA public key is refused.
        let n = URL_SAFE_NO_PAD
            .decode(rsa["n"].as_str().unwrap_or_default())
            .unwrap_or_default();
        let mut header = jsonwebtoken::Header::new(jsonwebtoken::Algorithm::HS256);
        header.kid = Some(kid.to_owned());
        let hs = jsonwebtoken::encode(
            &header,
            &claims,
            &jsonwebtoken::EncodingKey::from_secret(&n),
        );
        refused(&hs.unwrap_or_default(), "HS256 with the public key").await;
        // `jwk`/`jku` headers are ignored: a key embedded by the attacker is never used.
        refused(
            &unsigned(
                json!({"alg": "RS256", "kid": kid, "jku": "https://evil.com/jwks"}),
                claims.clone(),
            ),
            "jku",
        )
        .await;
        // A truncated or garbage token is not an ID token.
        refused("a.b", "two parts").await;
        refused("not-a-jwt", "garbage").await;

        // The management API: an unsigned token claiming scope `all` is 401.
        let api_claims = json!({"iss": app.issuer, "aud": format!("{}/api", app.address), "scope": "all", "exp": 4_000_000_000_i64});
        let forged = unsigned(json!({"alg": "none", "typ": "at+jwt"}), api_claims);
        let response = app
            .http
            .get(app.url("/api/applications"))
            .bearer_auth(&forged)
            .send()
            .await;
        assert_eq!(
            response.map(|r| r.status().as_u16()).ok(),
            Some(401),
            "alg none at /api"
        );
        // An ID token (typ JWT) is not an access token for /api, even though Latchkey signed it.
        let hs = jsonwebtoken::encode(
            &jsonwebtoken::Header::default(),
            &json!({"scope": "all"}),
            &jsonwebtoken::EncodingKey::from_secret(b"k"),
        );
        let response = app
            .http
            .get(app.url("/api/applications"))
            .bearer_auth(hs.unwrap_or_default())
            .send()
            .await;
        assert_eq!(
            response.map(|r| r.status().as_u16()).ok(),
            Some(401),
            "HS256 at /api"
        );
    }
}
