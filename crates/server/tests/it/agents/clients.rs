//! The clients of the agents' table (`AGENTS.md`), replayed: each one's metadata document as
//! it publishes it, then authorization code + PKCE + `resource` + refresh through the real
//! pages, as each sends them.

use serde_json::json;

use super::{MCP, connect, document, setup, spawn};
use crate::support::{Admin, backends, verify_access_token};

/// One client: where its document lives, the document, the redirect it uses at run time
/// and the scope it asks for.
struct Replayed {
    path: &'static str,
    document: serde_json::Value,
    redirect_uri: &'static str,
    scope: &'static str,
}

fn clients(base: &str) -> Vec<Replayed> {
    let url = |path: &str| format!("{base}{path}");
    vec![
        // Public, yet lists the JWT bearer grant: dropped, not refused.
        Replayed {
            path: "/claude/oauth/mcp-oauth-client-metadata",
            document: document(
                &url("/claude/oauth/mcp-oauth-client-metadata"),
                "Claude",
                &[
                    "https://claude.ai/api/mcp/auth_callback",
                    "https://claude.com/api/mcp/auth_callback",
                ],
                json!({"grant_types": ["authorization_code", "refresh_token",
                    "urn:ietf:params:oauth:grant-type:jwt-bearer"],
                    "response_types": ["code"], "client_uri": "https://claude.ai",
                    "logo_uri": "https://claude.ai/images/claude_app_icon.png"}),
            ),
            redirect_uri: "https://claude.ai/api/mcp/auth_callback",
            scope: "mcp:tools offline_access",
        },
        // Lists its loopback redirect without a port, and runs on an ephemeral one.
        Replayed {
            path: "/claude-code/client.json",
            document: document(
                &url("/claude-code/client.json"),
                "Claude Code",
                &["http://localhost/callback", "http://127.0.0.1/callback"],
                json!({"grant_types": ["authorization_code", "refresh_token"]}),
            ),
            redirect_uri: "http://localhost:54213/callback",
            scope: "mcp:tools offline_access",
        },
        // RFC 7591 metadata choices instead of a single method.
        Replayed {
            path: "/chatgpt/oauth/client.json",
            document: {
                let mut d = document(
                    &url("/chatgpt/oauth/client.json"),
                    "ChatGPT",
                    &[
                        "https://chatgpt.com/connector_platform_oauth_redirect",
                        "https://chatgpt.com/connector/oauth/c-123",
                    ],
                    json!({"token_endpoint_auth_methods_supported": ["none", "private_key_jwt"],
                        "grant_types": ["authorization_code", "refresh_token"]}),
                );
                d.as_object_mut()
                    .map(|d| d.remove("token_endpoint_auth_method"));
                d
            },
            redirect_uri: "https://chatgpt.com/connector_platform_oauth_redirect",
            scope: "mcp:tools offline_access",
        },
        // A logo on another domain; a loopback IP with a fixed port.
        Replayed {
            path: "/vscode/oauth/client-metadata.json",
            document: document(
                &url("/vscode/oauth/client-metadata.json"),
                "Visual Studio Code",
                &["http://127.0.0.1:33418", "https://vscode.dev/redirect"],
                json!({"logo_uri": "https://code.visualstudio.com/assets/favicon.png",
                    "grant_types": ["authorization_code", "refresh_token"]}),
            ),
            redirect_uri: "http://127.0.0.1:33418",
            scope: "mcp:tools offline_access",
        },
        Replayed {
            path: "/opencode/oauth/client.json",
            document: document(
                &url("/opencode/oauth/client.json"),
                "opencode",
                &["http://127.0.0.1:19876/mcp/oauth/callback"],
                json!({"grant_types": ["authorization_code", "refresh_token"]}),
            ),
            redirect_uri: "http://127.0.0.1:19876/mcp/oauth/callback",
            scope: "mcp:tools offline_access",
        },
        // An MCP SDK: no grant types (the default, the code grant), `offline_access` with
        // the API scope and never `openid`.
        Replayed {
            path: "/sdk/client-metadata.json",
            document: document(
                &url("/sdk/client-metadata.json"),
                "MCP SDK client",
                &["http://localhost:8090/callback"],
                json!({}),
            ),
            redirect_uri: "http://localhost:8090/callback",
            scope: "mcp:tools offline_access",
        },
    ]
}

#[tokio::test]
async fn every_client_of_the_table_connects_through_its_document() {
    for backend in backends() {
        let (documents, app) = spawn(backend).await;
        let admin = Admin::new(&app).await;
        setup(&admin).await;
        for client in clients(&documents.base) {
            documents.put(client.path, &client.document);
            let id = documents.url(client.path);
            let connected = connect(&app, &id, client.redirect_uri, client.scope).await;
            let name = client.document["client_name"].as_str().unwrap_or_default();
            assert!(
                connected.consent.contains(name),
                "{name}: {}",
                connected.consent
            );
            // The host of the client ID is shown, and the client is not verified.
            assert!(connected.consent.contains("localhost"), "{name}");
            assert!(connected.consent.contains("Unverified"), "{name}");
            for body in [&connected.tokens, &connected.refreshed] {
                assert!(body.get("id_token").is_none(), "{name}: {body}");
                let access = body["access_token"].as_str().unwrap_or_default();
                let claims = verify_access_token(&app, access, MCP).await;
                // Within the ceiling: `mcp:admin` is the user's but not the agents'.
                assert_eq!(claims["scope"], "mcp:tools", "{name}: {claims}");
                assert_eq!(claims["client_id"], id.as_str(), "{name}");
            }
            assert!(connected.refreshed["refresh_token"].is_string(), "{name}");
            // Listed as a self-registered client once used.
            let path = format!("/api/applications/{}", urlencoding(&id));
            let (status, shown) = admin.get(&path).await;
            assert_eq!(status, 200, "{name}: {shown}");
            assert_eq!(shown["registration"], "cimd");
            assert_eq!(shown["isThirdParty"], true);
            assert_eq!(shown["name"], name);
        }
        let (_, listed) = admin.get("/api/applications?registration=cimd").await;
        assert_eq!(listed.as_array().map(Vec::len), Some(6), "{listed}");
        // A document client's first use is in the audit log.
        let (_, audit) = admin
            .get("/api/audit-logs?action=application.cimd_first_use")
            .await;
        assert_eq!(audit.as_array().map(Vec::len), Some(6), "{audit}");
    }
}

/// A refused document names why; nothing is stored.
#[tokio::test]
async fn a_document_asking_for_a_shared_secret_is_refused() {
    for backend in backends() {
        let (documents, app) = spawn(backend).await;
        let url = documents.url("/confidential.json");
        let mut confidential = document(&url, "Confidential", &["https://a.example/cb"], json!({}));
        confidential["token_endpoint_auth_method"] = json!("client_secret_basic");
        documents.put("/confidential.json", &confidential);
        let stop = super::first_answer(&app, &url, "https://a.example/cb").await;
        let crate::support::walk::Stop::Status(400, page) = stop else {
            panic!("expected the error page, got {stop:?}");
        };
        assert!(
            page.contains("invalid_client") && page.contains("none"),
            "{page}"
        );
        let admin = Admin::new(&app).await;
        let path = format!("/api/applications/{}", urlencoding(&url));
        assert_eq!(admin.get(&path).await.0, 404);
    }
}

/// Percent-encode a client ID for a path segment.
pub fn urlencoding(id: &str) -> String {
    url::form_urlencoded::byte_serialize(id.as_bytes()).collect()
}

/// The same clients through dynamic registration (their fallback; Cursor's, MCP
/// Inspector's and the SDKs' way when documents are not advertised), registration open.
#[tokio::test]
async fn every_client_of_the_table_connects_through_registration() {
    let public = |name: &str, uris: &[&str]| {
        json!({"client_name": name, "redirect_uris": uris, "token_endpoint_auth_method": "none",
            "grant_types": ["authorization_code", "refresh_token"], "response_types": ["code"]})
    };
    let mut sdk = public("MCP SDK client", &["http://localhost:3030/callback"]);
    sdk["scope"] = json!("mcp:tools offline_access");
    let replayed = [
        (
            public(
                "Claude",
                &[
                    "https://claude.ai/api/mcp/auth_callback",
                    "https://claude.com/api/mcp/auth_callback",
                ],
            ),
            "https://claude.com/api/mcp/auth_callback",
        ),
        (
            public("Claude Code (docs)", &["http://localhost:54213/callback"]),
            "http://localhost:54213/callback",
        ),
        (
            public(
                "ChatGPT",
                &["https://chatgpt.com/connector_platform_oauth_redirect"],
            ),
            "https://chatgpt.com/connector_platform_oauth_redirect",
        ),
        (
            public(
                "Visual Studio Code",
                &["http://127.0.0.1:33418", "https://vscode.dev/redirect"],
            ),
            "http://127.0.0.1:33418",
        ),
        (
            public(
                "Cursor",
                &[
                    "cursor://anysphere.cursor-mcp/oauth/callback",
                    "https://www.cursor.com/agents/mcp/oauth/callback",
                    "http://localhost:8787/callback",
                ],
            ),
            "cursor://anysphere.cursor-mcp/oauth/callback",
        ),
        (
            public("opencode", &["http://127.0.0.1:19876/mcp/oauth/callback"]),
            "http://127.0.0.1:19876/mcp/oauth/callback",
        ),
        (
            public("MCP Inspector", &["http://localhost:6274/oauth/callback"]),
            "http://localhost:6274/oauth/callback",
        ),
        (sdk, "http://localhost:3030/callback"),
    ];
    for backend in backends() {
        let app = crate::support::TestApp::spawn(backend).await;
        let admin = Admin::new(&app).await;
        setup(&admin).await;
        let mut policy = admin.get("/api/configs/dynamic-clients").await.1;
        policy["dcr"]["mode"] = json!("open");
        super::put_policy(&admin, policy).await;
        for (body, redirect_uri) in &replayed {
            let response = app.http.post(app.url("/oidc/reg")).json(body).send().await;
            let response = response.unwrap_or_else(|e| panic!("{e}"));
            assert_eq!(response.status(), 201);
            let client: serde_json::Value = response.json().await.unwrap_or_default();
            let id = client["client_id"].as_str().unwrap_or_default();
            let connected = connect(&app, id, redirect_uri, "mcp:tools offline_access").await;
            let name = body["client_name"].as_str().unwrap_or_default();
            assert!(connected.consent.contains("Unverified"), "{name}");
            let access = connected.refreshed["access_token"]
                .as_str()
                .unwrap_or_default();
            let claims = verify_access_token(&app, access, MCP).await;
            assert_eq!(claims["scope"], "mcp:tools", "{name}: {claims}");
        }
    }
}
