//! The management API as a script uses it: bootstrap credentials, then HTTP only.

use serde_json::json;

use crate::support::{Admin, TestApp, backends};

#[tokio::test]
async fn a_script_with_only_the_bootstrap_credentials_sets_up_everything() {
    for backend in backends() {
        let app = TestApp::spawn(backend).await;
        let admin = Admin::new(&app).await;

        let mut ids = Vec::new();
        for app_type in ["Traditional", "SPA", "Native", "MachineToMachine"] {
            let (status, created) = admin
                .post(
                    "/api/applications",
                    json!({"name": app_type, "type": app_type}),
                )
                .await;
            assert_eq!(status, 201);
            ids.push(created);
        }
        let (status, partner) = admin
            .post(
                "/api/applications",
                json!({"name": "Partner", "type": "SPA", "isThirdParty": true,
                "oidcClientMetadata": {"redirectUris": ["https://partner.example.com/callback"]}}),
            )
            .await;
        assert_eq!(status, 201);
        let (status, user) = admin
            .post(
                "/api/users",
                json!({"username": "dana", "password": "a long enough password"}),
            )
            .await;
        assert_eq!(status, 201);
        let user_id = user["id"].as_str().unwrap_or_default();
        assert_eq!(
            admin.get(&format!("/api/users/{user_id}")).await.1["username"],
            "dana"
        );

        let (_, api) = admin
            .post(
                "/api/resources",
                json!({"name": "Billing", "indicator": "https://billing.example.com"}),
            )
            .await;
        let api_id = api["id"].as_str().unwrap_or_default();
        assert_eq!(
            admin.get(&format!("/api/resources/{api_id}")).await.1["name"],
            "Billing"
        );
        let (_, read) = admin
            .post(
                &format!("/api/resources/{api_id}/scopes"),
                json!({"name": "invoices:read"}),
            )
            .await;
        admin
            .post(
                &format!("/api/resources/{api_id}/scopes"),
                json!({"name": "invoices:write"}),
            )
            .await;
        let (_, role) = admin
            .post(
                "/api/roles",
                json!({"name": "Invoice reader", "type": "MachineToMachine"}),
            )
            .await;
        let role_id = role["id"].as_str().unwrap_or_default();
        admin
            .post(
                &format!("/api/roles/{role_id}/scopes"),
                json!({"scopeIds": [read["id"]]}),
            )
            .await;
        assert_eq!(
            admin.get(&format!("/api/roles/{role_id}")).await.1["type"],
            "MachineToMachine"
        );
        let (_, granted) = admin.get(&format!("/api/roles/{role_id}/scopes")).await;
        assert_eq!(granted[0]["name"], "invoices:read");

        let (_, _, headers) = admin
            .send(
                reqwest::Method::GET,
                "/api/applications?isThirdParty=true",
                None,
            )
            .await;
        assert_eq!(headers["total-number"], "1");
        let (_, listed, headers) = admin
            .send(
                reqwest::Method::GET,
                "/api/applications?isThirdParty=false",
                None,
            )
            .await;
        assert_eq!(
            headers["total-number"], "5",
            "four created plus the bootstrap machine"
        );
        assert!(
            listed
                .as_array()
                .into_iter()
                .flatten()
                .all(|a| a["id"] != partner["id"])
        );

        // The machine, its role, and its secret rotated: the token endpoint sees it all at once.
        let machine = &ids[3];
        let machine_id = machine["id"].as_str().unwrap_or_default();
        admin
            .post(
                &format!("/api/applications/{machine_id}/roles"),
                json!({"roleIds": [role_id]}),
            )
            .await;
        let (_, fresh) = admin
            .post(
                &format!("/api/applications/{machine_id}/secrets"),
                json!({"name": "2027"}),
            )
            .await;
        assert_eq!(
            admin
                .delete(&format!(
                    "/api/applications/{machine_id}/secrets/Default%20secret"
                ))
                .await,
            204
        );
        let form = [
            ("grant_type", "client_credentials"),
            ("resource", "https://billing.example.com"),
        ];
        let old = app
            .token(
                &form,
                Some((machine_id, machine["secret"].as_str().unwrap_or_default())),
            )
            .await;
        assert_eq!(old.status(), 401);
        let body: serde_json::Value = app
            .token(
                &form,
                Some((machine_id, fresh["value"].as_str().unwrap_or_default())),
            )
            .await
            .json()
            .await
            .unwrap_or_default();
        assert_eq!(body["scope"], "invoices:read");

        // A key rotation is published by the JWKS at once.
        let before = app.get_json("/oidc/jwks").await["keys"]
            .as_array()
            .map(Vec::len);
        assert_eq!(
            admin
                .post(
                    "/api/configs/oidc/private-keys/rotate",
                    json!({"signingKeyAlgorithm": "RSA"})
                )
                .await
                .0,
            201
        );
        let after = app.get_json("/oidc/jwks").await["keys"]
            .as_array()
            .map(Vec::len);
        assert_eq!((before, after), (Some(4), Some(5)));
    }
}
