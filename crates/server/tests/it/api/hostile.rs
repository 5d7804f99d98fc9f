//! Hostile callers of the management API, cross-origin requests, and spoofed proxy headers.

use serde_json::{Value, json};

use crate::oidc::authorization_code::browser;
use crate::support::walk::{param, sign_in_if_asked, walk};
use crate::support::{Admin, TestApp, backends};

async fn api_status(app: &TestApp, token: Option<&str>) -> u16 {
    let mut request = app.http.get(app.url("/api/applications"));
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    request
        .send()
        .await
        .map(|r| r.status().as_u16())
        .unwrap_or(0)
}

/// An access token for `resource` from alice's sign-in to a first-party app.
async fn user_token(app: &TestApp, client: &Value, resource: &str) -> Value {
    let browser = browser();
    let url = format!(
        "{}/oidc/auth?client_id={}&redirect_uri=https%3A%2F%2Fapp.example.com%2Fcb&response_type=code&scope=openid+all&resource={}",
        app.address,
        client["id"].as_str().unwrap_or_default(),
        url::form_urlencoded::byte_serialize(resource.as_bytes()).collect::<String>()
    );
    let stop = sign_in_if_asked(app, &browser, walk(app, &browser, &url).await).await;
    let code = param(&stop.client(), "code").unwrap_or_default();
    let form = [
        ("grant_type", "authorization_code"),
        ("code", code.as_str()),
        ("redirect_uri", "https://app.example.com/cb"),
        ("resource", resource),
    ];
    let basic = (
        client["id"].as_str().unwrap_or_default(),
        client["secret"].as_str().unwrap_or_default(),
    );
    app.token(&form, Some(basic))
        .await
        .json()
        .await
        .unwrap_or_default()
}

/// The same for a third-party application: its consent page is answered with Authorize.
async fn user_token_with_consent(app: &TestApp, client: &Value, resource: &str) -> Value {
    let browser = browser();
    let url = format!(
        "{}/oidc/auth?client_id={}&redirect_uri=https%3A%2F%2Fapp.example.com%2Fcb&response_type=code&scope=openid&resource={}",
        app.address,
        client["id"].as_str().unwrap_or_default(),
        url::form_urlencoded::byte_serialize(resource.as_bytes()).collect::<String>()
    );
    let stop = sign_in_if_asked(app, &browser, walk(app, &browser, &url).await).await;
    let back =
        crate::support::walk::answer(app, &browser, stop.page("/consent/"), "authorize").await;
    let code = param(&back.client(), "code").unwrap_or_default();
    let form = [
        ("grant_type", "authorization_code"),
        ("code", code.as_str()),
        ("redirect_uri", "https://app.example.com/cb"),
        ("resource", resource),
    ];
    let basic = (
        client["id"].as_str().unwrap_or_default(),
        client["secret"].as_str().unwrap_or_default(),
    );
    app.token(&form, Some(basic))
        .await
        .json()
        .await
        .unwrap_or_default()
}

#[tokio::test]
async fn the_management_api_refuses_every_token_but_a_live_one_with_all() {
    for backend in backends() {
        let app = TestApp::spawn_with_fixed_clock(backend).await;
        let admin = Admin::new(&app).await;
        // RFC 6750 §3: no token is 401 with a Bearer challenge.
        assert_eq!(api_status(&app, None).await, 401);
        // A malformed token is 401 invalid_token.
        assert_eq!(api_status(&app, Some("not.a.token")).await, 401);
        let alice = json!({"username": "alice", "password": "correct horse battery"});
        assert_eq!(admin.post("/api/users", alice).await.0, 201);
        let (_, web) = admin
            .post(
                "/api/applications",
                json!({"name": "Web", "type": "Traditional",
                "oidcClientMetadata": {"redirectUris": ["https://app.example.com/cb"]}}),
            )
            .await;
        // A person without the administrator role gets a management token without `all`: 403.
        let management = format!("{}/api", app.address);
        let tokens = user_token(&app, &web, &management).await;
        let token = tokens["access_token"].as_str().unwrap_or_default();
        assert_eq!(api_status(&app, Some(token)).await, 403, "{tokens}");
        // An ID token is not an access token, even one Latchkey signed.
        let id_token = tokens["id_token"].as_str().unwrap_or_default();
        assert_eq!(api_status(&app, Some(id_token)).await, 401);
        // A third-party application can never be given the management API.
        let (_, partner) = admin
            .post(
                "/api/applications",
                json!({"name": "Partner", "type": "Traditional", "isThirdParty": true,
                "oidcClientMetadata": {"redirectUris": ["https://app.example.com/cb"]}}),
            )
            .await;
        let browser = browser();
        let url = format!(
            "{}/oidc/auth?client_id={}&redirect_uri=https%3A%2F%2Fapp.example.com%2Fcb&response_type=code&scope=openid+all&resource={}",
            app.address,
            partner["id"].as_str().unwrap_or_default(),
            url::form_urlencoded::byte_serialize(management.as_bytes()).collect::<String>()
        );
        let refused = walk(&app, &browser, &url).await.client();
        assert_eq!(param(&refused, "error").as_deref(), Some("invalid_target"));
        // A third-party application's token for another API is refused at /api (wrong audience).
        let (_, partner2) = admin
            .post(
                "/api/applications",
                json!({"name": "Partner two", "type": "Traditional", "isThirdParty": true,
                "oidcClientMetadata": {"redirectUris": ["https://app.example.com/cb"]}}),
            )
            .await;
        let (_, docs) = admin
            .post(
                "/api/resources",
                json!({"name": "Docs", "indicator": "https://docs.example.com"}),
            )
            .await;
        assert!(docs["id"].is_string());
        let third = user_token_with_consent(&app, &partner2, "https://docs.example.com").await;
        let third_token = third["access_token"].as_str().unwrap_or_default();
        assert!(!third_token.is_empty(), "{third}");
        assert_eq!(api_status(&app, Some(third_token)).await, 401);
        // The administrator's own token stops at its expiry (one hour).
        assert_eq!(api_status(&app, Some(&admin.token)).await, 200);
        app.state.clock.advance(3_601_000);
        assert_eq!(api_status(&app, Some(&admin.token)).await, 401, "expired");
    }
}

#[tokio::test]
async fn cross_origin_and_proxy_headers_are_not_taken_on_trust() {
    for backend in backends() {
        let app = TestApp::spawn(backend).await;
        let admin = Admin::new(&app).await;
        let (_, spa) = admin
            .post(
                "/api/applications",
                json!({"name": "SPA", "type": "SPA",
                "oidcClientMetadata": {"redirectUris": ["http://localhost:5173/cb"]},
                "customClientMetadata": {"corsAllowedOrigins": ["http://localhost:5173"]}}),
            )
            .await;
        let auth = format!(
            "{}/oidc/auth?client_id={}&redirect_uri=http%3A%2F%2Flocalhost%3A5173%2Fcb&response_type=code&scope=openid",
            app.address,
            spa["id"].as_str().unwrap_or_default()
        );
        // CORS never on the authorization endpoint, even for a registered origin.
        let response = app
            .http
            .get(&auth)
            .header("origin", "http://localhost:5173")
            .send()
            .await;
        let response = response.unwrap_or_else(|e| panic!("{e}"));
        assert!(
            response
                .headers()
                .get("access-control-allow-origin")
                .is_none()
        );
        // The token endpoint answers an unregistered origin without CORS headers.
        let foreign = app
            .http
            .post(app.url("/oidc/token"))
            .header("origin", "https://evil.example.com")
            .form(&[("grant_type", "client_credentials")])
            .send()
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        assert!(
            foreign
                .headers()
                .get("access-control-allow-origin")
                .is_none()
        );
        // A look-alike of a registered origin is another origin.
        let lookalike = app
            .http
            .post(app.url("/oidc/token"))
            .header("origin", "http://localhost:5173.evil.com")
            .form(&[("grant_type", "client_credentials")])
            .send()
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        assert!(
            lookalike
                .headers()
                .get("access-control-allow-origin")
                .is_none()
        );
        // X-Forwarded-For is honoured only from trusted proxies (none here).
        let spoofed = app
            .http
            .post(app.url("/oidc/token"))
            .header("x-forwarded-for", "203.0.113.99")
            .basic_auth("nobody", Some("x"))
            .form(&[("grant_type", "client_credentials")])
            .send()
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(spoofed.status(), 401);
        let (_, logged) = admin
            .get("/api/audit-logs?action=client.authentication_failure")
            .await;
        assert_eq!(
            logged[0]["actorId"], "127.0.0.1",
            "the peer, not the header"
        );
    }
}
