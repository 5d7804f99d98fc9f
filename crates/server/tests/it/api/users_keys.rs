//! `/api/users` and `/api/configs/oidc/private-keys`.

use serde_json::json;

use crate::support::{Admin, TestApp, backends};

#[tokio::test]
async fn users_are_created_changed_suspended_and_deleted_without_exposing_hashes() {
    for backend in backends() {
        let app = TestApp::spawn(backend).await;
        let admin = Admin::new(&app).await;
        let (status, alice) = admin
            .post("/api/users", json!({"username": "alice", "primaryEmail": "alice@example.com", "name": "Alice", "password": "correct horse battery"}))
            .await;
        assert_eq!(status, 201, "{alice}");
        assert_eq!(alice["hasPassword"], true);
        let text = alice.to_string();
        assert!(
            !text.contains("argon2") && !text.contains("password\""),
            "{text}"
        );
        let id = alice["id"].as_str().unwrap_or_default().to_owned();
        let stored = app
            .state
            .db
            .find_user(&id)
            .await
            .ok()
            .flatten()
            .and_then(|u| u.password_hash)
            .unwrap_or_default();
        assert!(latchkey_core::user::verify_password(
            "correct horse battery",
            &stored
        ));

        assert_eq!(
            admin
                .post("/api/users", json!({"username": "ALICE"}))
                .await
                .0,
            409,
            "identifiers are unique in any case"
        );
        assert_eq!(
            admin
                .post("/api/users", json!({"primaryEmail": "Alice@Example.com"}))
                .await
                .0,
            409
        );
        let (status, problem) = admin.post("/api/users", json!({"name": "Nobody"})).await;
        assert_eq!(
            (status, problem["code"].as_str()),
            (422, Some("user.identifier_required"))
        );
        assert_eq!(
            admin
                .post(
                    "/api/users",
                    json!({"username": "bob", "password": "short"})
                )
                .await
                .0,
            422
        );
        assert_eq!(
            admin
                .post(
                    "/api/users",
                    json!({"username": "bob", "password": "x".repeat(1025)})
                )
                .await
                .0,
            422
        );
        assert_eq!(
            admin
                .post("/api/users", json!({"primaryEmail": "not-an-email"}))
                .await
                .0,
            422
        );
        assert_eq!(
            admin
                .post(
                    "/api/users",
                    json!({"username": "bob", "passwordHash": "x"})
                )
                .await
                .0,
            400
        );

        let path = format!("/api/users/{id}");
        let (status, changed) = admin
            .patch(&path, json!({"name": null, "primaryPhone": "+33612345678"}))
            .await;
        assert_eq!(
            (
                status,
                changed["name"].is_null(),
                changed["primaryPhone"].as_str()
            ),
            (200, true, Some("+33612345678"))
        );
        let (status, _) = admin
            .patch(
                &path,
                json!({"username": null, "primaryEmail": null, "primaryPhone": null}),
            )
            .await;
        assert_eq!(status, 422, "the last identifier cannot be removed");
        let (status, _) = admin
            .patch(
                &format!("{path}/password"),
                json!({"password": "a new long password"}),
            )
            .await;
        assert_eq!(status, 200);
        let stored = app
            .state
            .db
            .find_user(&id)
            .await
            .ok()
            .flatten()
            .and_then(|u| u.password_hash)
            .unwrap_or_default();
        assert!(latchkey_core::user::verify_password(
            "a new long password",
            &stored
        ));
        let (status, suspended) = admin
            .patch(
                &format!("{path}/is-suspended"),
                json!({"isSuspended": true}),
            )
            .await;
        assert_eq!(
            (status, suspended["isSuspended"].as_bool()),
            (200, Some(true))
        );

        let (_, role) = admin
            .post("/api/roles", json!({"name": "Staff", "type": "User"}))
            .await;
        let roles_path = format!("{path}/roles");
        assert_eq!(
            admin
                .post(&roles_path, json!({"roleIds": [role["id"]]}))
                .await
                .0,
            201
        );
        assert_eq!(
            admin
                .post(&roles_path, json!({"roleIds": ["management-api-access"]}))
                .await
                .0,
            422,
            "machine roles are not for users"
        );
        assert_eq!(admin.get(&roles_path).await.1[0]["name"], "Staff");
        assert_eq!(
            admin
                .delete(&format!(
                    "{roles_path}/{}",
                    role["id"].as_str().unwrap_or_default()
                ))
                .await,
            204
        );

        admin.post("/api/users", json!({"username": "carol"})).await;
        let (_, found, headers) = admin
            .send(
                reqwest::Method::GET,
                "/api/users?search=car&page_size=1",
                None,
            )
            .await;
        assert_eq!(
            (
                headers["total-number"].to_str().ok(),
                found[0]["username"].as_str()
            ),
            (Some("1"), Some("carol"))
        );
        assert_eq!(admin.delete(&path).await, 204);
        assert_eq!(admin.get(&path).await.0, 404);
    }
}

#[tokio::test]
async fn signing_keys_are_listed_rotated_and_retired_through_the_api() {
    for backend in backends() {
        let app = TestApp::spawn(backend).await;
        let admin = Admin::new(&app).await;
        let (status, keys) = admin.get("/api/configs/oidc/private-keys").await;
        assert_eq!(status, 200);
        assert_eq!(keys.as_array().map(Vec::len), Some(4));
        assert!(!keys.to_string().contains("private_key"));
        let (status, rotated) = admin
            .post(
                "/api/configs/oidc/private-keys/rotate",
                json!({"signingKeyAlgorithm": "EC"}),
            )
            .await;
        assert_eq!(status, 201);
        let previous: Vec<&serde_json::Value> = rotated
            .as_array()
            .into_iter()
            .flatten()
            .filter(|k| k["state"] == "previous")
            .collect();
        assert_eq!(previous.len(), 1);
        assert_eq!(previous[0]["signingKeyAlgorithm"], "EC");
        let previous_id = previous[0]["id"].as_str().unwrap_or_default().to_owned();
        let jwks = app.get_json("/oidc/jwks").await;
        assert_eq!(
            jwks["keys"].as_array().map(Vec::len),
            Some(5),
            "this node publishes the rotation at once"
        );

        let current = rotated
            .as_array()
            .into_iter()
            .flatten()
            .find(|k| k["state"] == "current")
            .and_then(|k| k["id"].as_str())
            .unwrap_or_default()
            .to_owned();
        assert_eq!(
            admin
                .delete(&format!("/api/configs/oidc/private-keys/{current}"))
                .await,
            422
        );
        assert_eq!(
            admin
                .delete(&format!("/api/configs/oidc/private-keys/{previous_id}"))
                .await,
            204
        );
        assert_eq!(
            app.get_json("/oidc/jwks").await["keys"]
                .as_array()
                .map(Vec::len),
            Some(4)
        );
        // The admin's token was signed by the retired key: retiring it ends such tokens.
        assert_eq!(admin.get("/api/configs/oidc/private-keys").await.0, 401);
        let admin = Admin::new(&app).await;
        assert_eq!(
            admin.delete("/api/configs/oidc/private-keys/unknown").await,
            404
        );
        assert_eq!(
            admin
                .post(
                    "/api/configs/oidc/private-keys/rotate",
                    json!({"signingKeyAlgorithm": "DSA"})
                )
                .await
                .0,
            422
        );
        // The EC next key was published by the rotation moments ago: rotating both families
        // now is refused, and the RSA family is left as it was too.
        let (status, refused) = admin
            .post("/api/configs/oidc/private-keys/rotate", json!({}))
            .await;
        assert_eq!(
            (status, &refused["code"]),
            (409, &json!("key.rotation_too_soon"))
        );
        assert!(
            refused["detail"]
                .as_str()
                .is_some_and(|d| d.contains("next ES256 key")),
            "{refused}"
        );
        assert_eq!(
            admin
                .get("/api/configs/oidc/private-keys")
                .await
                .1
                .as_array()
                .map(Vec::len),
            Some(4)
        );
        let (status, both) = admin
            .post(
                "/api/configs/oidc/private-keys/rotate",
                json!({"force": true}),
            )
            .await;
        assert_eq!((status, both.as_array().map(Vec::len)), (201, Some(6)));
    }
}
