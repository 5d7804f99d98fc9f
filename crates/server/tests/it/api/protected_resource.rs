//! RFC 9728 helper: for each API, the protected resource metadata its own server should
//! publish, naming this server as its authorization server.

use serde_json::json;

use crate::support::{Admin, TestApp, backends};

#[tokio::test]
async fn an_api_gets_the_metadata_its_server_should_publish() {
    for backend in backends() {
        let app = TestApp::spawn(backend).await;
        let admin = Admin::new(&app).await;
        let api = json!({"name": "Docs MCP", "indicator": "https://mcp.example.com/mcp"});
        let (_, api) = admin.post("/api/resources", api).await;
        let id = api["id"].as_str().unwrap_or_default();
        for name in ["docs:read", "docs:write"] {
            let path = format!("/api/resources/{id}/scopes");
            assert_eq!(admin.post(&path, json!({"name": name})).await.0, 201);
        }
        let path = format!("/api/resources/{id}/protected-resource-metadata");
        let (status, metadata) = admin.get(&path).await;
        assert_eq!(status, 200, "{metadata}");
        assert_eq!(
            metadata,
            json!({
                "resource": "https://mcp.example.com/mcp",
                "authorization_servers": [app.issuer],
                "scopes_supported": ["docs:read", "docs:write"],
                "bearer_methods_supported": ["header"],
            })
        );
        let missing = admin
            .get("/api/resources/nope/protected-resource-metadata")
            .await;
        assert_eq!(missing.0, 404);
    }
}
