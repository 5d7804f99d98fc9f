//! JWTs are never trusted unless this server signed them for the purpose at hand: no
//! `alg: none`, no key chosen from the header, typed (`JWT` against `at+jwt`), at the
//! authorization endpoint and at `/api`.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Value, json};

use crate::support::{Admin, Authorize, CALLBACK, TestApp, backends};

fn id(v: &Value) -> String {
    v["id"].as_str().unwrap_or_default().to_owned()
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
        let hint = |token: &str| Authorize::new(&web).set("id_token_hint", token).url(&app);
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
