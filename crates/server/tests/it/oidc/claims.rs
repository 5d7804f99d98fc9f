//! The `custom_data` and `roles` scopes release their claims in the ID token and userinfo.

use serde_json::json;

use crate::oidc::authorization_code::{browser, sign_in};
use crate::support::{Admin, Authorize, TestApp, backends};

#[tokio::test]
async fn custom_data_and_roles_reach_the_application_with_their_scopes() {
    for backend in backends() {
        let app = TestApp::spawn(backend).await;
        let admin = Admin::new(&app).await;
        let (status, alice) = admin
            .post("/api/users", json!({"username": "alice", "password": "correct horse battery", "customData": {"plan": "pro"}}))
            .await;
        assert_eq!(
            (status, alice["customData"]["plan"].as_str()),
            (201, Some("pro"))
        );
        assert_eq!(
            admin
                .post(
                    "/api/users",
                    json!({"username": "bob", "customData": [1, 2]})
                )
                .await
                .0,
            422
        );
        let (_, role) = admin
            .post("/api/roles", json!({"name": "Staff", "type": "User"}))
            .await;
        admin
            .post(
                &format!(
                    "/api/users/{}/roles",
                    alice["id"].as_str().unwrap_or_default()
                ),
                json!({"roleIds": [role["id"]]}),
            )
            .await;
        let (_, web) = admin
            .post("/api/applications", json!({"name": "Web", "type": "Traditional", "oidcClientMetadata": {"redirectUris": ["https://app.example.com/callback"]}}))
            .await;
        let (id, secret) = (
            web["id"].as_str().unwrap_or_default(),
            web["secret"].as_str().unwrap_or_default(),
        );
        let start = Authorize::new(id)
            .set("scope", "openid custom_data roles")
            .url(&app);
        let back = sign_in(&app, &browser(), &start, "alice", "correct horse battery").await;
        let code = crate::oidc::authorization_code::code_of(&back);
        let form = [
            ("grant_type", "authorization_code"),
            ("code", code.as_str()),
            ("redirect_uri", "https://app.example.com/callback"),
        ];
        let tokens: serde_json::Value = app
            .token(&form, Some((id, secret)))
            .await
            .json()
            .await
            .unwrap_or_default();
        let info: serde_json::Value = app
            .http
            .get(app.url("/oidc/me"))
            .bearer_auth(tokens["access_token"].as_str().unwrap_or_default())
            .send()
            .await
            .unwrap_or_else(|e| panic!("{e}"))
            .json()
            .await
            .unwrap_or_default();
        assert_eq!(info["custom_data"], json!({"plan": "pro"}));
        assert_eq!(info["roles"], json!(["Staff"]));
        assert!(
            info.get("email").is_none(),
            "no email scope, no email claim"
        );
    }
}

async fn code_for(
    app: &TestApp,
    browser: &reqwest::Client,
    client_id: &str,
    who: &str,
    extra: &str,
) -> String {
    let start = format!(
        "{}/oidc/auth?client_id={client_id}&redirect_uri=https%3A%2F%2Fapp.example.com%2Fcallback&response_type=code&scope=openid+profile+address{extra}",
        app.address
    );
    let back = sign_in(app, browser, &start, who, "correct horse battery").await;
    crate::oidc::authorization_code::code_of(&back)
}

#[tokio::test]
async fn profile_address_and_picture_claims_and_es256_id_tokens() {
    let app = TestApp::spawn(crate::support::Backend::Sqlite).await;
    let admin = Admin::new(&app).await;
    let profile = json!({"givenName": "Alice", "familyName": "Martin", "locale": "fr-FR", "address": {"locality": "Paris", "country": "FR"}});
    let (status, alice) = admin
        .post("/api/users", json!({"username": "alice", "password": "correct horse battery", "profile": profile, "avatar": "https://cdn.example.com/alice.png"}))
        .await;
    assert_eq!(status, 201, "{alice}");
    assert_eq!(
        admin
            .post(
                "/api/users",
                json!({"username": "x", "profile": {"shoeSize": "42"}})
            )
            .await
            .0,
        422
    );
    let (status, web) = admin
        .post("/api/applications", json!({"name": "Web", "type": "Traditional", "oidcClientMetadata": {
            "redirectUris": ["https://app.example.com/callback"], "idTokenSignedResponseAlg": "ES256"}}))
        .await;
    assert_eq!(
        (
            status,
            web["oidcClientMetadata"]["idTokenSignedResponseAlg"].as_str()
        ),
        (201, Some("ES256"))
    );
    let (id, secret) = (
        web["id"].as_str().unwrap_or_default(),
        web["secret"].as_str().unwrap_or_default(),
    );
    let code = code_for(
        &app,
        &crate::oidc::authorization_code::browser(),
        id,
        "alice",
        "",
    )
    .await;
    let form = [
        ("grant_type", "authorization_code"),
        ("code", code.as_str()),
        ("redirect_uri", "https://app.example.com/callback"),
    ];
    let tokens: serde_json::Value = app
        .token(&form, Some((id, secret)))
        .await
        .json()
        .await
        .unwrap_or_default();

    let id_token = tokens["id_token"].as_str().unwrap_or_default();
    let header = jsonwebtoken::decode_header(id_token).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(header.alg, jsonwebtoken::Algorithm::ES256);
    let jwks: jsonwebtoken::jwk::JwkSet =
        serde_json::from_value(app.get_json("/oidc/jwks").await).unwrap_or_else(|e| panic!("{e}"));
    let key = jwks
        .find(header.kid.as_deref().unwrap_or_default())
        .and_then(|k| jsonwebtoken::DecodingKey::from_jwk(k).ok());
    let mut validation = jsonwebtoken::Validation::new(jsonwebtoken::Algorithm::ES256);
    validation.set_audience(&[id]);
    validation.set_issuer(&[&app.issuer]);
    let claims = jsonwebtoken::decode::<serde_json::Value>(
        id_token,
        &key.unwrap_or_else(|| panic!("no key")),
        &validation,
    )
    .unwrap_or_else(|e| panic!("{e}"))
    .claims;
    assert_eq!(
        (
            claims["given_name"].as_str(),
            claims["family_name"].as_str()
        ),
        (Some("Alice"), Some("Martin"))
    );
    assert_eq!(claims["picture"], "https://cdn.example.com/alice.png");
    assert_eq!(
        claims["address"],
        json!({"locality": "Paris", "country": "FR"})
    );
    assert_eq!(claims["locale"], "fr-FR");
}

#[tokio::test]
async fn an_id_token_hint_for_someone_else_is_not_served_by_this_session() {
    let app = TestApp::spawn(crate::support::Backend::Sqlite).await;
    let admin = Admin::new(&app).await;
    for name in ["alice", "bob"] {
        admin
            .post(
                "/api/users",
                json!({"username": name, "password": "correct horse battery"}),
            )
            .await;
    }
    let (_, web) = admin
        .post("/api/applications", json!({"name": "Web", "type": "Traditional", "oidcClientMetadata": {"redirectUris": ["https://app.example.com/callback"]}}))
        .await;
    let (id, secret) = (
        web["id"].as_str().unwrap_or_default(),
        web["secret"].as_str().unwrap_or_default(),
    );
    let app = &app;
    let id_token_of = |code: String| async move {
        let form = [
            ("grant_type", "authorization_code"),
            ("code", code.as_str()),
            ("redirect_uri", "https://app.example.com/callback"),
        ];
        let tokens: serde_json::Value = app
            .token(&form, Some((id, secret)))
            .await
            .json()
            .await
            .unwrap_or_default();
        tokens["id_token"].as_str().unwrap_or_default().to_owned()
    };
    let alice_browser = crate::oidc::authorization_code::browser();
    let alice_hint = id_token_of(code_for(app, &alice_browser, id, "alice", "").await).await;
    let bob_hint = id_token_of(
        code_for(
            app,
            &crate::oidc::authorization_code::browser(),
            id,
            "bob",
            "",
        )
        .await,
    )
    .await;
    let silent = |hint: &str| {
        Authorize::new(id)
            .set("prompt", "none")
            .set("id_token_hint", hint)
            .url(app)
    };
    let same = alice_browser
        .get(silent(&alice_hint))
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(
        same.headers()["location"]
            .to_str()
            .unwrap_or_default()
            .contains("code=")
    );
    let other = alice_browser
        .get(silent(&bob_hint))
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(
        other.headers()["location"]
            .to_str()
            .unwrap_or_default()
            .contains("error=login_required")
    );
    let forged = alice_browser
        .get(silent("not-a-token"))
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(
        forged.headers()["location"]
            .to_str()
            .unwrap_or_default()
            .contains("error=invalid_request")
    );
}
