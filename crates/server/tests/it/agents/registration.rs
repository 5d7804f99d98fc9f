//! Dynamic client registration (RFC 7591) at `/oidc/reg`, as agents send it: Cursor's three
//! kinds of redirect, the same registration repeated, per-URI errors, confidential clients,
//! the policy's modes and initial access tokens, the per-address limit, CORS for browser
//! clients, and the reaping of clients never used.

use serde_json::{Value, json};

use super::clients::urlencoding;
use super::{MCP, connect, first_answer, put_policy, setup};
use crate::support::walk::Stop;
use crate::support::{Admin, Options, TestApp, backends, verify_access_token};

/// POST a registration; the status, the body and the `Access-Control-Allow-Origin`.
async fn register(app: &TestApp, body: &Value, token: Option<&str>) -> (u16, Value) {
    let mut request = app.http.post(app.url("/oidc/reg")).json(body);
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    let response = request.send().await.unwrap_or_else(|e| panic!("{e}"));
    let status = response.status().as_u16();
    let origin = response
        .headers()
        .get("access-control-allow-origin")
        .cloned();
    assert_eq!(
        origin
            .and_then(|o| o.to_str().ok().map(str::to_owned))
            .as_deref(),
        Some("*")
    );
    (status, response.json().await.unwrap_or_default())
}

fn cursor() -> Value {
    json!({
        "client_name": "Cursor",
        "redirect_uris": [
            "cursor://anysphere.cursor-mcp/oauth/callback",
            "https://www.cursor.com/agents/mcp/oauth/callback",
            "http://localhost:8787/callback"
        ],
        "token_endpoint_auth_method": "none",
        "grant_types": ["authorization_code", "refresh_token"],
        "response_types": ["code"],
        "scope": "mcp:tools offline_access"
    })
}

async fn set_dcr(admin: &Admin<'_>, dcr: Value) {
    let mut policy = admin.get("/api/configs/dynamic-clients").await.1;
    policy["dcr"] = dcr;
    put_policy(admin, policy).await;
}

#[tokio::test]
async fn cursor_registers_waits_for_approval_then_connects() {
    for backend in backends() {
        let app = TestApp::spawn(backend).await;
        let admin = Admin::new(&app).await;
        setup(&admin).await;
        let metadata = app.get_json("/oidc/.well-known/openid-configuration").await;
        let endpoint = format!("{}/reg", app.issuer);
        assert_eq!(metadata["registration_endpoint"], endpoint.as_str());

        let (status, client) = register(&app, &cursor(), None).await;
        assert_eq!(status, 201, "{client}");
        let id = client["client_id"].as_str().unwrap_or_default().to_owned();
        assert_eq!(client["redirect_uris"].as_array().map(Vec::len), Some(3));
        assert_eq!(client["token_endpoint_auth_method"], "none");
        assert!(client.get("client_secret").is_none());
        // Cursor registers again at every connection: the same client comes back.
        let (status, again) = register(&app, &cursor(), None).await;
        assert_eq!((status, &again["client_id"]), (201, &json!(id)), "{again}");
        let mut renamed = cursor();
        renamed["client_name"] = json!("Cursor Nightly");
        let (_, other) = register(&app, &renamed, None).await;
        assert_ne!(other["client_id"], json!(id));

        // Registration defaults to approval.
        let callback = "http://localhost:8787/callback";
        let Stop::Status(403, page) = first_answer(&app, &id, callback).await else {
            panic!("expected the waiting page");
        };
        assert!(page.contains("Waiting for approval"), "{page}");
        let path = format!("/api/applications/{}/approval", urlencoding(&id));
        assert_eq!(
            admin.post(&path, json!({"decision": "approve"})).await.0,
            200
        );
        let connected = connect(&app, &id, callback, "mcp:tools offline_access").await;
        assert!(
            connected.consent.contains("Unverified"),
            "{}",
            connected.consent
        );
        let access = connected.refreshed["access_token"]
            .as_str()
            .unwrap_or_default();
        let claims = verify_access_token(&app, access, MCP).await;
        assert_eq!(claims["scope"], "mcp:tools", "{claims}");
        let (_, shown) = admin.get(&format!("/api/applications/{id}")).await;
        assert_eq!(shown["registration"], "dcr", "{shown}");
        let (_, audit) = admin
            .get("/api/audit-logs?action=application.register")
            .await;
        assert_eq!(audit.as_array().map(Vec::len), Some(2), "{audit}");
    }
}

#[tokio::test]
async fn each_redirect_uri_is_checked_and_nothing_is_kept_of_a_refused_registration() {
    for backend in backends() {
        let app = TestApp::spawn(backend).await;
        let mut plain_http = cursor();
        plain_http["redirect_uris"][2] = json!("http://cursor.example/callback");
        let (status, body) = register(&app, &plain_http, None).await;
        assert_eq!(
            (status, &body["error"]),
            (400, &json!("invalid_redirect_uri")),
            "{body}"
        );
        let why = body["error_description"].as_str().unwrap_or_default();
        assert!(
            why.contains("redirect_uris[2]") && why.contains("http://cursor.example/callback"),
            "{why}"
        );
        let mut jwt = cursor();
        jwt["token_endpoint_auth_method"] = json!("private_key_jwt");
        let (status, body) = register(&app, &jwt, None).await;
        assert_eq!(
            (status, &body["error"]),
            (400, &json!("invalid_client_metadata")),
            "{body}"
        );
        let (status, body) = register(&app, &json!("not an object"), None).await;
        assert_eq!(
            (status, &body["error"]),
            (400, &json!("invalid_client_metadata")),
            "{body}"
        );
        let admin = Admin::new(&app).await;
        let (_, listed) = admin.get("/api/applications?registration=dcr").await;
        assert_eq!(listed, json!([]));
    }
}

#[tokio::test]
async fn a_confidential_client_gets_its_secret_once_and_authenticates_with_it() {
    for backend in backends() {
        let app = TestApp::spawn(backend).await;
        let admin = Admin::new(&app).await;
        setup(&admin).await;
        set_dcr(&admin, json!({"mode": "open"})).await;
        let body = json!({"client_name": "Agent server", "redirect_uris": ["https://agent.example/cb"],
            "token_endpoint_auth_method": "client_secret_basic"});
        let (status, client) = register(&app, &body, None).await;
        assert_eq!(status, 201, "{client}");
        let (id, secret) = (
            client["client_id"].as_str().unwrap_or_default(),
            client["client_secret"].as_str().unwrap_or_default(),
        );
        assert!(
            !secret.is_empty() && client["client_secret_expires_at"] == 0,
            "{client}"
        );
        // Its secret authenticates it: a wrong one is refused, the right one reaches grant
        // checks (an unknown code).
        let form = [
            ("grant_type", "authorization_code"),
            ("code", "nope"),
            ("redirect_uri", "https://agent.example/cb"),
        ];
        let (status, wrong) = app
            .post_form("/oidc/token", &form, Some((id, "wrong")))
            .await;
        assert_eq!(
            (status, &wrong["error"]),
            (401, &json!("invalid_client")),
            "{wrong}"
        );
        let (status, right) = app
            .post_form("/oidc/token", &form, Some((id, secret)))
            .await;
        assert_eq!(
            (status, &right["error"]),
            (400, &json!("invalid_grant")),
            "{right}"
        );
        // A repeated confidential registration is a new client: its secret cannot be shown again.
        let (_, again) = register(&app, &body, None).await;
        assert_ne!(again["client_id"], json!(id));
    }
}

#[tokio::test]
async fn registration_follows_the_policy_mode_and_initial_access_tokens() {
    for backend in backends() {
        let app = TestApp::spawn(backend).await;
        let admin = Admin::new(&app).await;
        set_dcr(&admin, json!({"mode": "off"})).await;
        let metadata = app
            .get_json("/.well-known/oauth-authorization-server/oidc")
            .await;
        assert!(
            metadata.get("registration_endpoint").is_none(),
            "{metadata}"
        );
        let (status, body) = register(&app, &cursor(), None).await;
        assert_eq!(
            (status, &body["error"]),
            (400, &json!("access_denied")),
            "{body}"
        );

        set_dcr(
            &admin,
            json!({"mode": "open", "initialAccessTokenRequired": true}),
        )
        .await;
        let (status, _) = register(&app, &cursor(), None).await;
        assert_eq!(status, 401);
        let (status, _) = register(&app, &cursor(), Some("not-a-token")).await;
        assert_eq!(status, 401);
        let (status, minted) = admin
            .post(
                "/api/configs/dynamic-clients/initial-access-tokens",
                json!({"uses": 1}),
            )
            .await;
        assert_eq!(status, 201, "{minted}");
        let token = minted["token"].as_str().unwrap_or_default();
        let (status, body) = register(&app, &cursor(), Some(token)).await;
        assert_eq!(status, 201, "{body}");
        let (status, _) = register(&app, &cursor(), Some(token)).await;
        assert_eq!(status, 401, "its one use is spent");
        let (status, _) = admin
            .post(
                "/api/configs/dynamic-clients/initial-access-tokens",
                json!({"uses": 0}),
            )
            .await;
        assert_eq!(status, 422);
    }
}

#[tokio::test]
async fn an_address_registers_at_most_twenty_new_clients_an_hour() {
    for backend in backends() {
        let app = TestApp::spawn(backend).await;
        for n in 0..20 {
            let mut body = cursor();
            body["client_name"] = json!(format!("Agent {n}"));
            assert_eq!(register(&app, &body, None).await.0, 201, "{n}");
        }
        // The same registration again is answered: it makes nothing new.
        let mut first = cursor();
        first["client_name"] = json!("Agent 0");
        assert_eq!(register(&app, &first, None).await.0, 201);
        let response = app
            .http
            .post(app.url("/oidc/reg"))
            .json(&cursor())
            .send()
            .await;
        let response = response.unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(response.status(), 429);
        let retry = response
            .headers()
            .get("retry-after")
            .and_then(|v| v.to_str().ok()?.parse::<i64>().ok());
        assert!(retry.is_some_and(|s| s > 0 && s <= 600), "{retry:?}");
    }
}

/// MCP Inspector registers and redeems its code from its page: preflights are answered,
/// and its page's origin (its redirect's) may read the token endpoint.
#[tokio::test]
async fn a_browser_client_registers_and_calls_the_token_endpoint_across_origins() {
    for backend in backends() {
        let app = TestApp::spawn(backend).await;
        let origin = "http://localhost:6274";
        let preflight = |path: &str| {
            app.http
                .request(reqwest::Method::OPTIONS, app.url(path))
                .header("origin", origin)
                .header("access-control-request-method", "POST")
                .header("access-control-request-headers", "content-type")
                .send()
        };
        let answered = preflight("/oidc/reg")
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(answered.status(), 204);
        assert_eq!(answered.headers()["access-control-allow-origin"], "*");
        let inspector = json!({"client_name": "MCP Inspector", "redirect_uris": [format!("{origin}/oauth/callback")],
            "token_endpoint_auth_method": "none", "grant_types": ["authorization_code", "refresh_token"]});
        assert_eq!(register(&app, &inspector, None).await.0, 201);
        let answered = preflight("/oidc/token")
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(answered.status(), 204);
        assert_eq!(answered.headers()["access-control-allow-origin"], origin);
    }
}

#[tokio::test]
async fn clients_never_authorized_are_reaped_after_a_week_and_used_ones_kept() {
    for backend in backends() {
        let options = Options {
            fixed_clock: true,
            ..Options::default()
        };
        let app = TestApp::spawn_with(backend, options)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        let admin = Admin::new(&app).await;
        setup(&admin).await;
        set_dcr(&admin, json!({"mode": "open"})).await;
        let (_, unused) = register(&app, &cursor(), None).await;
        let mut used = cursor();
        used["client_name"] = json!("Used agent");
        let (_, used) = register(&app, &used, None).await;
        let used_id = used["client_id"].as_str().unwrap_or_default();
        connect(
            &app,
            used_id,
            "http://localhost:8787/callback",
            "mcp:tools offline_access",
        )
        .await;
        app.state.clock.advance(6 * 86_400_000);
        latchkey::expired::sweep(&app.state.db, &app.state.clock).await;
        let db = &app.state.db;
        let exists = |v: &Value| {
            let id = v["client_id"].as_str().unwrap_or_default().to_owned();
            async move { db.find_application(&id).await.ok().flatten().is_some() }
        };
        assert!(exists(&unused).await, "kept for a week");
        app.state.clock.advance(2 * 86_400_000);
        latchkey::expired::sweep(&app.state.db, &app.state.clock).await;
        assert!(!exists(&unused).await);
        assert!(exists(&used).await);
        // The management token of the start has expired meanwhile.
        let admin = Admin::new(&app).await;
        let (_, audit) = admin.get("/api/audit-logs?action=application.reap").await;
        assert_eq!(audit[0]["targetId"], unused["client_id"], "{audit}");
    }
}
