//! `/api/applications/{id}/user-consent-scopes` and `/sign-in-experience`: the consent
//! ceiling and branding of third-party applications.

use serde_json::json;

use crate::support::{Admin, TestApp, backends};

#[tokio::test]
async fn a_third_party_app_gets_a_ceiling_without_management_scopes() {
    for backend in backends() {
        let app = TestApp::spawn(backend).await;
        let admin = Admin::new(&app).await;
        let (_, partner) = admin
            .post(
                "/api/applications",
                json!({"name": "Partner", "type": "Traditional", "isThirdParty": true,
                "oidcClientMetadata": {"redirectUris": ["https://partner.example.com/cb"]}}),
            )
            .await;
        let (_, first) = admin
            .post("/api/applications", json!({"name": "Ours", "type": "SPA"}))
            .await;
        let (_, api) = admin
            .post(
                "/api/resources",
                json!({"name": "Orders", "indicator": "https://orders.example.com"}),
            )
            .await;
        let (_, read) = admin
            .post(
                &format!(
                    "/api/resources/{}/scopes",
                    api["id"].as_str().unwrap_or_default()
                ),
                json!({"name": "read:orders", "description": "Read your orders"}),
            )
            .await;
        let path = format!(
            "/api/applications/{}/user-consent-scopes",
            partner["id"].as_str().unwrap_or_default()
        );

        let (status, empty) = admin.get(&path).await;
        assert_eq!(
            (status, empty),
            (
                200,
                json!({"userScopes": [], "resourceScopes": [], "organizationScopes": [],
                    "organizationResourceScopes": []})
            )
        );
        let (status, ceiling) = admin
            .post(
                &path,
                json!({"userScopes": ["profile", "email"], "resourceScopes": [read["id"]]}),
            )
            .await;
        assert_eq!(status, 201, "{ceiling}");
        assert_eq!(ceiling["userScopes"], json!(["email", "profile"]));
        assert_eq!(
            ceiling["resourceScopes"][0]["resource"]["indicator"],
            "https://orders.example.com"
        );
        assert_eq!(
            ceiling["resourceScopes"][0]["scopes"][0],
            json!({"id": read["id"], "name": "read:orders", "description": "Read your orders"})
        );
        assert_eq!(admin.get(&path).await.1, ceiling);

        for (body, field) in [
            (json!({"userScopes": ["openid"]}), "userScopes[0]"),
            (
                json!({"resourceScopes": ["management-api-all"]}),
                "resourceScopes[0]",
            ),
            (
                json!({"resourceScopes": ["no-such-scope"]}),
                "resourceScopes[0]",
            ),
        ] {
            let (status, problem) = admin.post(&path, body.clone()).await;
            assert_eq!(
                (status, problem["field"].as_str()),
                (422, Some(field)),
                "{body}"
            );
        }
        let first_path = format!(
            "/api/applications/{}/user-consent-scopes",
            first["id"].as_str().unwrap_or_default()
        );
        assert_eq!(
            admin
                .post(&first_path, json!({"userScopes": ["email"]}))
                .await
                .0,
            422,
            "first-party apps have no ceiling"
        );

        assert_eq!(
            admin.delete(&format!("{path}/user-scopes/email")).await,
            204
        );
        assert_eq!(
            admin.delete(&format!("{path}/user-scopes/email")).await,
            404
        );
        assert_eq!(
            admin
                .delete(&format!(
                    "{path}/resource-scopes/{}",
                    read["id"].as_str().unwrap_or_default()
                ))
                .await,
            204
        );
        assert_eq!(admin.delete(&format!("{path}/everything/x")).await, 404);
        assert_eq!(
            admin.get(&path).await.1,
            json!({"userScopes": ["profile"], "resourceScopes": [], "organizationScopes": [],
                "organizationResourceScopes": []})
        );
    }
}

#[tokio::test]
async fn branding_takes_https_urls_only() {
    for backend in backends() {
        let app = TestApp::spawn(backend).await;
        let admin = Admin::new(&app).await;
        let (_, partner) = admin
            .post(
                "/api/applications",
                json!({"name": "Partner", "type": "SPA", "isThirdParty": true}),
            )
            .await;
        let path = format!(
            "/api/applications/{}/sign-in-experience",
            partner["id"].as_str().unwrap_or_default()
        );
        assert_eq!(admin.get(&path).await.0, 404);
        let branding = json!({"displayName": "Partner Inc.", "branding": {"logoUrl": "https://partner.example.com/logo.png"},
            "termsOfUseUrl": "https://partner.example.com/terms", "privacyPolicyUrl": "https://partner.example.com/privacy"});
        let (status, saved, _) = admin
            .send(reqwest::Method::PUT, &path, Some(branding.clone()))
            .await;
        assert_eq!(
            (status, saved["termsOfUseUrl"].as_str()),
            (200, Some("https://partner.example.com/terms"))
        );
        let (status, shown) = admin.get(&path).await;
        assert_eq!(status, 200);
        assert_eq!(shown["displayName"], "Partner Inc.");
        assert_eq!(
            shown["branding"]["logoUrl"],
            "https://partner.example.com/logo.png"
        );
        for (body, field) in [
            (
                json!({"termsOfUseUrl": "http://partner.example.com/terms"}),
                "termsOfUseUrl",
            ),
            (
                json!({"branding": {"logoUrl": "javascript:alert(1)"}}),
                "branding.logoUrl",
            ),
            (
                json!({"privacyPolicyUrl": format!("https://partner.example.com/{}", "x".repeat(2048))}),
                "privacyPolicyUrl",
            ),
        ] {
            let (status, problem, _) = admin
                .send(reqwest::Method::PUT, &path, Some(body.clone()))
                .await;
            assert_eq!(
                (status, problem["field"].as_str()),
                (422, Some(field)),
                "{body}"
            );
        }
        let (status, _, _) = admin
            .send(reqwest::Method::PUT, &path, Some(json!({"colour": "red"})))
            .await;
        assert_eq!(status, 400, "unknown fields are refused");
    }
}
