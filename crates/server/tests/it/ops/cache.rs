//! The token endpoint's copies of clients and API permissions (decision 0009): a change made
//! through this node's API is seen by its very next request; one made elsewhere (another
//! node, the CLI, SQL) within the poll of the cache generation.

use std::time::{Duration, Instant};

use serde_json::json;

use crate::support::{Admin, TestApp, backends};

/// A machine allowed `read` on an API, and its first secret.
async fn machine(admin: &Admin<'_>) -> (String, String) {
    let (_, api) = admin
        .post(
            "/api/resources",
            json!({"name": "Cached", "indicator": "https://cached.example.com"}),
        )
        .await;
    let api_id = api["id"].as_str().unwrap_or_default();
    let (_, scope) = admin
        .post(
            &format!("/api/resources/{api_id}/scopes"),
            json!({"name": "read"}),
        )
        .await;
    let (_, role) = admin
        .post(
            "/api/roles",
            json!({"name": "Reader", "type": "MachineToMachine"}),
        )
        .await;
    let role_id = role["id"].as_str().unwrap_or_default();
    admin
        .post(
            &format!("/api/roles/{role_id}/scopes"),
            json!({"scopeIds": [scope["id"]]}),
        )
        .await;
    let (_, app) = admin
        .post(
            "/api/applications",
            json!({"name": "M", "type": "MachineToMachine"}),
        )
        .await;
    let id = app["id"].as_str().unwrap_or_default().to_owned();
    admin
        .post(
            &format!("/api/applications/{id}/roles"),
            json!({"roleIds": [role_id]}),
        )
        .await;
    (id, app["secret"].as_str().unwrap_or_default().to_owned())
}

async fn token(app: &TestApp, id: &str, secret: &str) -> (u16, serde_json::Value) {
    let form = [
        ("grant_type", "client_credentials"),
        ("resource", "https://cached.example.com"),
    ];
    let response = app.token(&form, Some((id, secret))).await;
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or_default())
}

#[tokio::test]
async fn changes_through_the_api_apply_to_the_next_token_request() {
    for backend in backends() {
        let app = TestApp::spawn(backend).await;
        let admin = Admin::new(&app).await;
        let (id, secret) = machine(&admin).await;
        // Twice: the second answer comes from the copies.
        for _ in 0..2 {
            assert_eq!(token(&app, &id, &secret).await.1["scope"], "read");
        }
        let roles = admin.get(&format!("/api/applications/{id}/roles")).await.1;
        let role_id = roles[0]["id"].as_str().unwrap_or_default().to_owned();
        assert_eq!(
            admin
                .delete(&format!("/api/applications/{id}/roles/{role_id}"))
                .await,
            204
        );
        assert_eq!(
            token(&app, &id, &secret).await.1["scope"],
            "",
            "the role is gone"
        );
        assert_eq!(
            admin
                .delete(&format!("/api/applications/{id}/secrets/Default%20secret"))
                .await,
            204
        );
        assert_eq!(token(&app, &id, &secret).await.0, 401, "the secret is gone");
    }
}

#[tokio::test]
async fn changes_made_elsewhere_apply_within_the_poll() {
    for backend in backends() {
        let app = TestApp::spawn(backend).await;
        let admin = Admin::new(&app).await;
        let (id, secret) = machine(&admin).await;
        for _ in 0..2 {
            assert_eq!(token(&app, &id, &secret).await.0, 200);
        }
        // As another node or the CLI would: straight to the database, past this node's API.
        app.state
            .db
            .delete_secret(&id, "Default secret")
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        let started = Instant::now();
        while token(&app, &id, &secret).await.0 == 200 {
            assert!(
                started.elapsed() < Duration::from_secs(10),
                "a secret deleted elsewhere was still accepted after 10 s"
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        assert_eq!(token(&app, &id, &secret).await.0, 401);
    }
}
