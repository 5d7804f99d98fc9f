//! Users' access tokens for APIs: `resource` at the authorization and token endpoints
//! (RFC 8707) gives a JWT (RFC 9068) carrying only the requested scopes the user's roles grant.

use serde_json::json;

use crate::oidc::authorization_code::{browser, sign_in};
use crate::oidc::refresh_token::userinfo_status;
use crate::support::walk::{param, sign_in_if_asked, walk};
use crate::support::{Admin, Authorize, TestApp, backends, verify_access_token};

#[tokio::test]
async fn a_user_token_for_an_api_carries_only_scopes_their_roles_grant() {
    for backend in backends() {
        let app = TestApp::spawn(backend).await;
        let admin = Admin::new(&app).await;
        let (_, alice) = admin
            .post(
                "/api/users",
                json!({"username": "alice", "password": "correct horse battery"}),
            )
            .await;
        let alice_id = alice["id"].as_str().unwrap_or_default().to_owned();
        let (_, api) = admin.post("/api/resources", json!({"name": "Orders", "indicator": "https://orders.example.com", "accessTokenTtl": 900})).await;
        let api_id = api["id"].as_str().unwrap_or_default();
        let (_, read) = admin
            .post(
                &format!("/api/resources/{api_id}/scopes"),
                json!({"name": "read:orders"}),
            )
            .await;
        admin
            .post(
                &format!("/api/resources/{api_id}/scopes"),
                json!({"name": "write:orders"}),
            )
            .await;
        let (_, role) = admin
            .post(
                "/api/roles",
                json!({"name": "Order reader", "type": "User"}),
            )
            .await;
        let role_id = role["id"].as_str().unwrap_or_default();
        admin
            .post(
                &format!("/api/roles/{role_id}/scopes"),
                json!({"scopeIds": [read["id"]]}),
            )
            .await;
        admin
            .post(
                &format!("/api/users/{alice_id}/roles"),
                json!({"roleIds": [role_id]}),
            )
            .await;
        let (_, web) = admin
            .post("/api/applications", json!({"name": "Web", "type": "Traditional", "oidcClientMetadata": {"redirectUris": ["https://app.example.com/callback"]}}))
            .await;
        let (id, secret) = (
            web["id"].as_str().unwrap_or_default(),
            web["secret"].as_str().unwrap_or_default(),
        );

        let auth = |extra: &str| {
            format!(
                "{}/oidc/auth?client_id={id}&redirect_uri=https%3A%2F%2Fapp.example.com%2Fcallback&response_type=code&scope=openid+read%3Aorders+write%3Aorders{extra}",
                app.address
            )
        };
        let unknown = browser()
            .get(auth("&resource=https%3A%2F%2Funknown.example.com"))
            .send()
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        let unknown = unknown.headers()["location"]
            .to_str()
            .unwrap_or_default()
            .to_owned();
        assert!(unknown.contains("error=invalid_target"), "{unknown}");

        // Sign alice in with `extra` on the authorization request, and redeem the code with
        // `more` on the token request.
        let redeem = async |extra: &str, more: &[(&str, &str)]| -> serde_json::Value {
            let password = "correct horse battery";
            let back = sign_in(&app, &browser(), &auth(extra), "alice", password).await;
            let code = crate::oidc::authorization_code::code_of(&back);
            let head = [
                ("grant_type", "authorization_code"),
                ("code", code.as_str()),
                ("redirect_uri", "https://app.example.com/callback"),
            ];
            let form: Vec<_> = head.iter().chain(more).copied().collect();
            let response = app.token(&form, Some((id, secret))).await;
            response.json().await.unwrap_or_default()
        };
        let orders = "&resource=https%3A%2F%2Forders.example.com";

        // Logto's SDKs redeem the code without `resource`: under `openid` the access token
        // is the opaque one for userinfo, and API tokens come from the refresh grant.
        let body = redeem(&format!("+offline_access{orders}"), &[]).await;
        let opaque = body["access_token"].as_str().unwrap_or_default();
        assert_eq!(opaque.split('.').count(), 1, "{body}");
        assert_eq!(userinfo_status(&app, opaque).await, 200);
        let refresh = body["refresh_token"].as_str().unwrap_or_default();
        let form = [
            ("grant_type", "refresh_token"),
            ("refresh_token", refresh),
            ("resource", "https://orders.example.com"),
        ];
        let response = app.token(&form, Some((id, secret))).await;
        let body: serde_json::Value = response.json().await.unwrap_or_default();
        let token = body["access_token"].as_str().unwrap_or_default();
        let claims = verify_access_token(&app, token, "https://orders.example.com").await;
        assert_eq!(claims["scope"], "read:orders", "{body}");

        // Naming the API at the redemption gives its JWT at once.
        let body = redeem(orders, &[("resource", "https://orders.example.com")]).await;
        assert_eq!(body["expires_in"], 900);
        assert!(body["id_token"].is_string());
        let token = body["access_token"].as_str().unwrap_or_default();
        let claims = verify_access_token(&app, token, "https://orders.example.com").await;
        assert_eq!(
            (claims["sub"].as_str(), claims["scope"].as_str()),
            (Some(alice_id.as_str()), Some("read:orders"))
        );
        assert_eq!(claims["client_id"], id);

        // The token endpoint may only narrow to a resource of the authorization.
        let refused = redeem(orders, &[("resource", "https://other.example.com")]).await;
        assert_eq!(refused["error"], "invalid_target");
    }
}

#[tokio::test]
async fn an_administrator_signed_in_through_an_app_can_call_the_management_api() {
    let app = TestApp::spawn(crate::support::Backend::Sqlite).await;
    let admin = Admin::new(&app).await;
    let (_, root) = admin
        .post(
            "/api/users",
            json!({"username": "root", "password": "correct horse battery"}),
        )
        .await;
    admin
        .post(
            &format!(
                "/api/users/{}/roles",
                root["id"].as_str().unwrap_or_default()
            ),
            json!({"roleIds": ["latchkey-admin"]}),
        )
        .await;
    let (_, web) = admin
        .post("/api/applications", json!({"name": "Ops", "type": "Traditional", "oidcClientMetadata": {"redirectUris": ["https://ops.example.com/callback"]}}))
        .await;
    let (id, secret) = (
        web["id"].as_str().unwrap_or_default(),
        web["secret"].as_str().unwrap_or_default(),
    );
    let resource: String =
        url::form_urlencoded::byte_serialize(admin.credentials.resource.as_bytes()).collect();
    let start = format!(
        "{}/oidc/auth?client_id={id}&redirect_uri=https%3A%2F%2Fops.example.com%2Fcallback&response_type=code&scope=openid+all&resource={resource}",
        app.address
    );
    let back = sign_in(&app, &browser(), &start, "root", "correct horse battery").await;
    let code = crate::oidc::authorization_code::code_of(&back);
    let form = [
        ("grant_type", "authorization_code"),
        ("code", code.as_str()),
        ("redirect_uri", "https://ops.example.com/callback"),
        ("resource", admin.credentials.resource.as_str()),
    ];
    let body: serde_json::Value = app
        .token(&form, Some((id, secret)))
        .await
        .json()
        .await
        .unwrap_or_default();
    let token = body["access_token"].as_str().unwrap_or_default();
    let listed = app
        .http
        .get(app.url("/api/users"))
        .bearer_auth(token)
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(listed.status(), 200);
}

/// The management API is never open to a third-party application, whatever it asks.
#[tokio::test]
async fn a_third_party_application_is_never_given_the_management_api() {
    for backend in backends() {
        let app = TestApp::spawn(backend).await;
        let admin = Admin::new(&app).await;
        admin.alice().await;
        let partner = admin.third_party("Partner").await;
        let request = Authorize::new(&partner.id)
            .set("scope", "openid all")
            .set("resource", &format!("{}/api", app.address));
        let browser = browser();
        let stop = walk(&app, &browser, &request.url(&app)).await;
        let refused = sign_in_if_asked(&app, &browser, stop).await.client();
        assert_eq!(param(&refused, "error").as_deref(), Some("invalid_target"));
    }
}
