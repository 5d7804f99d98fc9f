//! The `custom_data` and `roles` scopes release their claims in the ID token and userinfo.

use serde_json::json;

use crate::code_flow::{browser, sign_in};
use crate::support::{Admin, TestApp, backends};

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
        let start = format!(
            "{}/oidc/auth?client_id={id}&redirect_uri=https%3A%2F%2Fapp.example.com%2Fcallback&response_type=code&scope=openid+custom_data+roles",
            app.address
        );
        let back = sign_in(&app, &browser(), &start, "alice", "correct horse battery").await;
        let code = back
            .query_pairs()
            .find(|(n, _)| n == "code")
            .map(|(_, v)| v.into_owned())
            .unwrap_or_default();
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
