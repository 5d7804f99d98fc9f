//! AI agents and MCP clients, which register themselves: client ID metadata documents
//! (served over TLS by a local host with a test CA), the policy an administrator sets for
//! them, and the consent page they get. Each flow goes through the real pages.

pub mod clients;
pub mod policy;
pub mod refused;
pub mod registration;

use serde_json::{Value, json};

use crate::oidc::authorization_code::browser;
use crate::oidc::pkce::{PKCE, VERIFIER};
use crate::support::walk::{Stop, answer, param, sign_in_if_asked, walk};
use crate::support::{Admin, Authorize, DocumentHost, TestApp};

/// The MCP server the agents want to reach, as registered.
pub const MCP: &str = "https://mcp.example.com/mcp";

/// Alice, whose role holds `mcp:tools` and `mcp:admin` on the MCP server's API; the
/// dynamic-client ceiling allows `profile` and `mcp:tools`. The policy is otherwise the
/// default (documents open, registrations for approval).
pub async fn setup(admin: &Admin<'_>) {
    let id = |v: &Value| v["id"].as_str().unwrap_or_default().to_owned();
    let (_, alice) = admin
        .post(
            "/api/users",
            json!({"username": "alice", "name": "Alice", "password": "correct horse battery"}),
        )
        .await;
    let (_, api) = admin
        .post(
            "/api/resources",
            json!({"name": "MCP tools", "indicator": MCP}),
        )
        .await;
    let mut scopes = Vec::new();
    for name in ["mcp:tools", "mcp:admin"] {
        let path = format!("/api/resources/{}/scopes", id(&api));
        let (_, scope) = admin.post(&path, json!({"name": name})).await;
        scopes.push(id(&scope));
    }
    let (_, role) = admin
        .post("/api/roles", json!({"name": "MCP user", "type": "User"}))
        .await;
    let path = format!("/api/roles/{}/scopes", id(&role));
    admin.post(&path, json!({"scopeIds": scopes})).await;
    let path = format!("/api/users/{}/roles", id(&alice));
    admin.post(&path, json!({"roleIds": [id(&role)]})).await;
    let mut policy = admin.get("/api/configs/dynamic-clients").await.1;
    policy["ceiling"] = json!({"userScopes": ["profile"], "resourceScopes": [scopes[0]]});
    put_policy(admin, policy).await;
}

/// Replace the dynamic-client policy, which must be accepted.
pub async fn put_policy(admin: &Admin<'_>, policy: Value) -> Value {
    let put = admin
        .send(
            reqwest::Method::PUT,
            "/api/configs/dynamic-clients",
            Some(policy),
        )
        .await;
    assert_eq!(put.0, 200, "{}", put.1);
    put.1
}

/// A document for `url` with `fields` on top of a public client's minimum.
pub fn document(url: &str, name: &str, redirect_uris: &[&str], fields: Value) -> Value {
    let mut document = json!({
        "client_id": url,
        "client_name": name,
        "redirect_uris": redirect_uris,
        "token_endpoint_auth_method": "none",
    });
    if let (Some(d), Some(f)) = (document.as_object_mut(), fields.as_object()) {
        d.extend(f.clone());
    }
    document
}

/// The authorization request an MCP client sends: PKCE, `resource`, `state`, no `openid`.
pub fn request(client_id: &str, redirect_uri: &str, scope: &str) -> Authorize {
    Authorize::new(client_id)
        .set("redirect_uri", redirect_uri)
        .set("scope", scope)
        .set("resource", MCP)
        .set("state", "s-1")
        .query(PKCE)
}

/// Where a flow ended.
pub struct Connected {
    /// The browser, signed in as alice.
    pub browser: reqwest::Client,
    /// The consent page as shown.
    pub consent: String,
    pub tokens: Value,
    pub refreshed: Value,
}

/// Alice connects `client_id` (a public client): sign-in, consent, code, tokens with
/// `client_id` in the body and the `resource`, then a refresh without `scope`.
pub async fn connect(app: &TestApp, client_id: &str, redirect_uri: &str, scope: &str) -> Connected {
    let browser = browser();
    let start = request(client_id, redirect_uri, scope).url(app);
    let stop = walk(app, &browser, &start).await;
    let (path, consent) = sign_in_if_asked(app, &browser, stop)
        .await
        .page("/consent/");
    let back = answer(app, &browser, (path, consent.clone()), "authorize").await;
    let back = back.client();
    assert!(
        back.as_str()
            .starts_with(redirect_uri.trim_end_matches('/')),
        "{back}"
    );
    assert_eq!(param(&back, "state").as_deref(), Some("s-1"));
    assert_eq!(param(&back, "iss").as_deref(), Some(app.issuer.as_str()));
    let code = param(&back, "code").unwrap_or_else(|| panic!("no code in {back}"));
    let form = [
        ("grant_type", "authorization_code"),
        ("code", code.as_str()),
        ("redirect_uri", redirect_uri),
        ("client_id", client_id),
        ("code_verifier", VERIFIER),
        ("resource", MCP),
    ];
    let (status, tokens) = app.post_form("/oidc/token", &form, None).await;
    assert_eq!(status, 200, "{tokens}");
    let refresh = tokens["refresh_token"].as_str().unwrap_or_default();
    let form = [
        ("grant_type", "refresh_token"),
        ("refresh_token", refresh),
        ("client_id", client_id),
        ("resource", MCP),
    ];
    let (status, refreshed) = app.post_form("/oidc/token", &form, None).await;
    assert_eq!(status, 200, "{refreshed}");
    Connected {
        browser,
        consent,
        tokens,
        refreshed,
    }
}

/// The page `/oidc/auth` answers for `client_id` before anyone signs in.
pub async fn first_answer(app: &TestApp, client_id: &str, redirect_uri: &str) -> Stop {
    let start = request(client_id, redirect_uri, "offline_access").url(app);
    walk(app, &browser(), &start).await
}

/// A document host and a server fetching from it, set up.
pub async fn spawn(backend: crate::support::Backend) -> (DocumentHost, TestApp) {
    let documents = DocumentHost::start().await;
    let app = TestApp::spawn_with_documents(backend, &documents).await;
    (documents, app)
}
