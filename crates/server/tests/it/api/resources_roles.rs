//! `/api/resources` and `/api/roles`: APIs, their scopes, roles granting them, and the
//! client-credentials tokens that follow.

use serde_json::json;

use crate::support::{Admin, TestApp, backends, verify_access_token};

#[tokio::test]
async fn an_api_with_scopes_and_a_role_shape_the_next_client_credentials_token() {
    for backend in backends() {
        let app = TestApp::spawn(backend).await;
        let admin = Admin::new(&app).await;
        let (status, api) = admin.post("/api/resources", json!({"name": "Orders", "indicator": "https://orders.example.com", "accessTokenTtl": 600})).await;
        assert_eq!(status, 201, "{api}");
        let api_id = api["id"].as_str().unwrap_or_default().to_owned();
        let scopes_path = format!("/api/resources/{api_id}/scopes");
        let (_, read) = admin
            .post(
                &scopes_path,
                json!({"name": "read:orders", "description": "Read orders"}),
            )
            .await;
        let (_, write) = admin
            .post(&scopes_path, json!({"name": "write:orders"}))
            .await;
        assert_eq!(
            admin
                .post(&scopes_path, json!({"name": "read:orders"}))
                .await
                .0,
            409
        );
        assert_eq!(
            admin
                .post(&scopes_path, json!({"name": "two words"}))
                .await
                .0,
            422
        );
        let (_, listed) = admin.get(&scopes_path).await;
        assert_eq!(listed.as_array().map(Vec::len), Some(2));

        let (status, role) = admin
            .post(
                "/api/roles",
                json!({"name": "Order reader", "description": "Reads", "type": "MachineToMachine"}),
            )
            .await;
        assert_eq!(status, 201, "{role}");
        let role_id = role["id"].as_str().unwrap_or_default().to_owned();
        assert_eq!(
            admin
                .post(
                    "/api/roles",
                    json!({"name": "Order reader", "type": "User"})
                )
                .await
                .0,
            409
        );
        let (status, granted) = admin
            .post(
                &format!("/api/roles/{role_id}/scopes"),
                json!({"scopeIds": [read["id"]]}),
            )
            .await;
        assert_eq!(status, 201);
        assert_eq!(granted[0]["name"], "read:orders");
        assert_eq!(
            granted[0]["resource"]["indicator"],
            "https://orders.example.com"
        );
        let (status, problem) = admin
            .post(
                &format!("/api/roles/{role_id}/scopes"),
                json!({"scopeIds": ["nope"]}),
            )
            .await;
        assert_eq!(
            (status, problem["field"].as_str()),
            (422, Some("scopeIds[0]"))
        );

        let (_, worker) = admin
            .post(
                "/api/applications",
                json!({"name": "Worker", "type": "MachineToMachine"}),
            )
            .await;
        let worker_id = worker["id"].as_str().unwrap_or_default().to_owned();
        let secret = worker["secret"].as_str().unwrap_or_default().to_owned();
        let form = [
            ("grant_type", "client_credentials"),
            ("resource", "https://orders.example.com"),
            ("scope", "read:orders write:orders"),
        ];
        assert_eq!(
            app.token(&form, Some((&worker_id, &secret))).await.status(),
            400,
            "no role yet: invalid_scope"
        );

        let roles_path = format!("/api/applications/{worker_id}/roles");
        assert_eq!(
            admin
                .post(&roles_path, json!({"roleIds": [role_id]}))
                .await
                .0,
            201
        );
        let (_, held) = admin.get(&roles_path).await;
        assert_eq!(held[0]["id"], role_id.as_str());
        let body: serde_json::Value = app
            .token(&form, Some((&worker_id, &secret)))
            .await
            .json()
            .await
            .unwrap_or_default();
        assert_eq!(
            body["scope"], "read:orders",
            "write:orders is dropped: no role grants it"
        );
        assert_eq!(body["expires_in"], 600);
        let claims = verify_access_token(
            &app,
            body["access_token"].as_str().unwrap_or_default(),
            "https://orders.example.com",
        )
        .await;
        assert_eq!(claims["scope"], "read:orders");

        assert_eq!(
            admin
                .post(
                    &format!("/api/roles/{role_id}/scopes"),
                    json!({"scopeIds": [write["id"]]})
                )
                .await
                .0,
            201
        );
        let body: serde_json::Value = app
            .token(&form, Some((&worker_id, &secret)))
            .await
            .json()
            .await
            .unwrap_or_default();
        assert_eq!(
            body["scope"], "read:orders write:orders",
            "a role change applies at once"
        );
        assert_eq!(
            admin
                .delete(&format!(
                    "/api/roles/{role_id}/scopes/{}",
                    write["id"].as_str().unwrap_or_default()
                ))
                .await,
            204
        );
        assert_eq!(admin.delete(&format!("{roles_path}/{role_id}")).await, 204);
        assert_eq!(
            app.token(&form, Some((&worker_id, &secret))).await.status(),
            400
        );

        let (status, patched) = admin
            .patch(
                &format!("/api/resources/{api_id}"),
                json!({"name": "Orders v2", "accessTokenTtl": 120}),
            )
            .await;
        assert_eq!(
            (status, patched["accessTokenTtl"].as_i64()),
            (200, Some(120))
        );
        assert_eq!(
            admin
                .patch(
                    &format!("/api/resources/{api_id}"),
                    json!({"indicator": "https://x"})
                )
                .await
                .0,
            400,
            "indicator is fixed"
        );
        let scope_path = format!("{scopes_path}/{}", read["id"].as_str().unwrap_or_default());
        let (status, scope) = admin
            .patch(&scope_path, json!({"description": "Read every order"}))
            .await;
        assert_eq!(
            (status, scope["description"].as_str()),
            (200, Some("Read every order"))
        );
        assert_eq!(admin.delete(&scope_path).await, 204);
        assert_eq!(admin.delete(&scope_path).await, 404);
        let (status, role) = admin
            .patch(&format!("/api/roles/{role_id}"), json!({"name": "Reader"}))
            .await;
        assert_eq!((status, role["name"].as_str()), (200, Some("Reader")));
        assert_eq!(admin.delete(&format!("/api/roles/{role_id}")).await, 204);
        assert_eq!(admin.get(&format!("/api/roles/{role_id}")).await.0, 404);
        assert_eq!(admin.delete(&format!("/api/resources/{api_id}")).await, 204);
        assert_eq!(admin.get(&format!("/api/resources/{api_id}")).await.0, 404);
        let form = [
            ("grant_type", "client_credentials"),
            ("resource", "https://orders.example.com"),
        ];
        let response = app.token(&form, Some((&worker_id, &secret))).await;
        assert_eq!(response.status(), 400, "a deleted API is an unknown target");
    }
}

#[tokio::test]
async fn the_management_resource_and_role_are_read_only_and_rules_hold() {
    let app = TestApp::spawn(crate::support::Backend::Sqlite).await;
    let admin = Admin::new(&app).await;
    let (status, list, headers) = admin
        .send(reqwest::Method::GET, "/api/resources", None)
        .await;
    assert_eq!(status, 200);
    assert_eq!(headers["total-number"], "1");
    assert_eq!(list[0]["isReadOnly"], true);
    assert_eq!(list[0]["indicator"], admin.credentials.resource.as_str());
    assert_eq!(
        admin
            .patch("/api/resources/management-api", json!({"name": "Mine"}))
            .await
            .0,
        403
    );
    assert_eq!(admin.delete("/api/resources/management-api").await, 403);
    assert_eq!(
        admin
            .post(
                "/api/resources/management-api/scopes",
                json!({"name": "more"})
            )
            .await
            .0,
        403
    );
    assert_eq!(
        admin
            .patch("/api/roles/management-api-access", json!({"name": "Mine"}))
            .await
            .0,
        403
    );
    assert_eq!(admin.delete("/api/roles/management-api-access").await, 403);
    assert_eq!(admin.delete("/api/roles/latchkey-admin").await, 403);
    assert_eq!(
        admin.get("/api/roles/latchkey-admin").await.1["isReadOnly"],
        true
    );

    assert_eq!(
        admin
            .post(
                "/api/resources",
                json!({"name": "Dup", "indicator": admin.credentials.resource})
            )
            .await
            .0,
        409
    );
    let (status, problem) = admin
        .post(
            "/api/resources",
            json!({"name": "Bad", "indicator": "orders"}),
        )
        .await;
    assert_eq!(
        (status, problem["field"].as_str()),
        (422, Some("indicator"))
    );
    assert_eq!(
        admin
            .post(
                "/api/resources",
                json!({"name": "Bad", "indicator": "https://a.example", "accessTokenTtl": 1})
            )
            .await
            .0,
        422
    );

    let (_, user_role) = admin.post("/api/roles", json!({"name": "Staff"})).await;
    assert_eq!(
        user_role["type"], "User",
        "roles are for users unless said otherwise"
    );
    let (_, spa) = admin
        .post("/api/applications", json!({"name": "Web", "type": "SPA"}))
        .await;
    let spa_roles = format!(
        "/api/applications/{}/roles",
        spa["id"].as_str().unwrap_or_default()
    );
    assert_eq!(
        admin
            .post(&spa_roles, json!({"roleIds": ["management-api-access"]}))
            .await
            .0,
        422,
        "only machines hold roles"
    );
    let machine_roles = format!("/api/applications/{}/roles", admin.credentials.client_id);
    let (status, problem) = admin
        .post(&machine_roles, json!({"roleIds": [user_role["id"]]}))
        .await;
    assert_eq!(
        (status, problem["code"].as_str()),
        (422, Some("role.type_mismatch"))
    );
    let (_, _, headers) = admin
        .send(reqwest::Method::GET, "/api/roles?search=staff", None)
        .await;
    assert_eq!(headers["total-number"], "1");
}
