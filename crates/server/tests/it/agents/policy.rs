//! The administrator's control over self-registered clients: each kind's mode (off,
//! approval, open), approval and blocking, trusted hosts, the shared ceiling and a client's
//! own, and how long a document's copy serves.

use axum::http::StatusCode;
use serde_json::{Value, json};

use super::clients::urlencoding;
use super::{MCP, connect, document, first_answer, put_policy, setup, spawn};
use crate::support::walk::{Stop, param};
use crate::support::{Admin, DocumentHost, Options, TestApp, backends};

const CALLBACK: &str = "http://127.0.0.1:8123/callback";

async fn policy(admin: &Admin<'_>) -> Value {
    admin.get("/api/configs/dynamic-clients").await.1
}

async fn agent(documents: &DocumentHost, path: &str, name: &str) -> String {
    let url = documents.url(path);
    documents.put(path, &document(&url, name, &[CALLBACK], json!({})));
    url
}

#[tokio::test]
async fn the_default_policy_opens_documents_and_holds_registrations() {
    for backend in backends() {
        let app = TestApp::spawn(backend).await;
        let admin = Admin::new(&app).await;
        let shown = policy(&admin).await;
        assert_eq!(shown["cimd"]["mode"], "open", "{shown}");
        assert_eq!(shown["dcr"]["mode"], "approval", "{shown}");
        let metadata = app
            .get_json("/.well-known/oauth-authorization-server/oidc")
            .await;
        assert_eq!(metadata["client_id_metadata_document_supported"], true);
    }
}

#[tokio::test]
async fn in_approval_mode_a_new_client_waits_then_connects_once_approved_and_stops_when_blocked() {
    for backend in backends() {
        let (documents, app) = spawn(backend).await;
        let admin = Admin::new(&app).await;
        setup(&admin).await;
        let mut shown = policy(&admin).await;
        shown["cimd"]["mode"] = json!("approval");
        put_policy(&admin, shown).await;
        let id = agent(&documents, "/waiting.json", "Waiting agent").await;

        let Stop::Status(403, page) = first_answer(&app, &id, CALLBACK).await else {
            panic!("expected the waiting page");
        };
        assert!(
            page.contains("Waiting for approval") && page.contains("Waiting agent"),
            "{page}"
        );
        // Its way back tells the client `access_denied`.
        let href = page
            .split("class=\"button\" href=\"")
            .nth(1)
            .unwrap_or_default();
        let href = href.split('"').next().unwrap_or_default();
        let href = href.replace("&#38;", "&");
        let back = url::Url::parse(&href).unwrap_or_else(|e| panic!("{e}: {href}"));
        assert_eq!(param(&back, "error").as_deref(), Some("access_denied"));
        assert_eq!(param(&back, "state").as_deref(), Some("s-1"));

        let (_, pending) = admin.get("/api/applications?approval=pending").await;
        assert_eq!(pending[0]["id"], id.as_str(), "{pending}");
        assert_eq!(pending[0]["approval"], Value::Null, "{pending}");
        let path = format!("/api/applications/{}/approval", urlencoding(&id));
        let (status, approved) = admin.post(&path, json!({"decision": "approve"})).await;
        assert_eq!(
            (status, &approved["approval"]),
            (200, &json!("approved")),
            "{approved}"
        );

        let connected = connect(&app, &id, CALLBACK, "mcp:tools offline_access").await;
        let refresh = connected.refreshed["refresh_token"]
            .as_str()
            .unwrap_or_default();

        let (status, blocked) = admin.post(&path, json!({"decision": "block"})).await;
        assert_eq!(
            (status, &blocked["approval"]),
            (200, &json!("blocked")),
            "{blocked}"
        );
        let form = [
            ("grant_type", "refresh_token"),
            ("refresh_token", refresh),
            ("client_id", id.as_str()),
        ];
        let (status, body) = app.post_form("/oidc/token", &form, None).await;
        assert_eq!(
            (status, &body["error"]),
            (401, &json!("invalid_client")),
            "{body}"
        );
        let Stop::Status(400, page) = first_answer(&app, &id, CALLBACK).await else {
            panic!("a blocked client must not be redirected to");
        };
        assert!(page.contains("blocked"), "{page}");
        // Its grants are revoked: the user's connected apps no longer list it.
        let (_, users) = admin.get("/api/users?search=alice").await;
        let alice = users[0]["id"].as_str().unwrap_or_default();
        let (_, grants) = admin.get(&format!("/api/users/{alice}/grants")).await;
        let listed = grants
            .as_array()
            .is_some_and(|g| g.iter().any(|g| g["application"]["id"] == id.as_str()));
        assert!(!listed, "{grants}");
        let (_, audit) = admin.get("/api/audit-logs?action=application.block").await;
        assert_eq!(audit[0]["targetId"], id.as_str(), "{audit}");

        let path = format!("/api/applications/{}/approval", urlencoding(&id));
        let (status, wrong) = admin.post(&path, json!({"decision": "maybe"})).await;
        assert_eq!(status, 422, "{wrong}");
    }
}

#[tokio::test]
async fn with_documents_off_they_are_neither_advertised_nor_fetched() {
    for backend in backends() {
        let (documents, app) = spawn(backend).await;
        let admin = Admin::new(&app).await;
        let mut shown = policy(&admin).await;
        shown["cimd"]["mode"] = json!("off");
        put_policy(&admin, shown).await;
        let metadata = app.get_json("/oidc/.well-known/openid-configuration").await;
        assert_eq!(metadata["client_id_metadata_document_supported"], false);
        let id = agent(&documents, "/off.json", "Off").await;
        let Stop::Status(400, page) = first_answer(&app, &id, CALLBACK).await else {
            panic!("expected the error page");
        };
        assert!(
            page.contains("does not accept client ID metadata documents"),
            "{page}"
        );
    }
}

#[tokio::test]
async fn a_trusted_host_is_verified_and_a_client_may_get_its_own_ceiling() {
    for backend in backends() {
        let (documents, app) = spawn(backend).await;
        let admin = Admin::new(&app).await;
        setup(&admin).await;
        let mut shown = policy(&admin).await;
        shown["cimd"]["trustedHosts"] = json!(["localhost"]);
        put_policy(&admin, shown).await;
        let id = agent(&documents, "/trusted.json", "Trusted agent").await;
        let connected = connect(&app, &id, CALLBACK, "mcp:tools mcp:admin offline_access").await;
        assert!(
            connected.consent.contains("Verified"),
            "{}",
            connected.consent
        );
        assert!(
            !connected.consent.contains("Unverified"),
            "{}",
            connected.consent
        );
        // Its redirect goes to this computer: the page says so.
        assert!(
            connected.consent.contains("on this computer"),
            "{}",
            connected.consent
        );
        let access = connected.tokens["access_token"]
            .as_str()
            .unwrap_or_default();
        let claims = crate::support::verify_access_token(&app, access, MCP).await;
        assert_eq!(claims["scope"], "mcp:tools", "{claims}");

        // The account page lists it with the rest, and removes its access.
        let apps = connected.browser.get(app.url("/account/apps")).send().await;
        let page = apps
            .unwrap_or_else(|e| panic!("{e}"))
            .text()
            .await
            .unwrap_or_default();
        assert!(
            page.contains("Trusted agent") && page.contains("Remove access"),
            "{page}"
        );

        // Its own ceiling replaces the policy's.
        let (_, resources) = admin.get("/api/resources").await;
        let api = resources
            .as_array()
            .and_then(|r| r.iter().find(|r| r["indicator"] == MCP));
        let api_id = api
            .map(|a| a["id"].as_str().unwrap_or_default())
            .unwrap_or_default();
        let (_, scopes) = admin.get(&format!("/api/resources/{api_id}/scopes")).await;
        let all: Vec<Value> = scopes
            .as_array()
            .map(|s| s.iter().map(|s| s["id"].clone()).collect())
            .unwrap_or_default();
        let path = format!("/api/applications/{}/user-consent-scopes", urlencoding(&id));
        let (status, body) = admin.post(&path, json!({"resourceScopes": all})).await;
        assert_eq!(status, 201, "{body}");
        let connected = connect(&app, &id, CALLBACK, "mcp:tools mcp:admin offline_access").await;
        let access = connected.tokens["access_token"]
            .as_str()
            .unwrap_or_default();
        let claims = crate::support::verify_access_token(&app, access, MCP).await;
        assert_eq!(claims["scope"], "mcp:admin mcp:tools", "{claims}");
    }
}

#[tokio::test]
async fn a_policy_is_checked_before_it_is_kept() {
    for backend in backends() {
        let app = TestApp::spawn(backend).await;
        let admin = Admin::new(&app).await;
        let put = |body: Value| {
            admin.send(
                reqwest::Method::PUT,
                "/api/configs/dynamic-clients",
                Some(body),
            )
        };
        let base = policy(&admin).await;
        let mut bad_host = base.clone();
        bad_host["cimd"]["trustedHosts"] = json!(["https://claude.ai"]);
        assert_eq!(put(bad_host).await.0, 422);
        let mut bad_mode = base.clone();
        bad_mode["dcr"]["mode"] = json!("sometimes");
        assert_eq!(put(bad_mode).await.0, 400);
        let mut openid = base.clone();
        openid["ceiling"]["userScopes"] = json!(["openid"]);
        assert_eq!(put(openid).await.0, 422);
        let (_, scopes) = admin.get("/api/resources/management-api/scopes").await;
        assert!(scopes[0]["id"].is_string(), "{scopes}");
        let mut management_scope = base.clone();
        management_scope["ceiling"]["resourceScopes"] = json!([scopes[0]["id"]]);
        let (status, body, _) = put(management_scope).await;
        assert_eq!(status, 422, "{body}");
        // Nothing of it was kept.
        assert_eq!(policy(&admin).await, base);
    }
}

/// A copy is read again once stale; when that fails, the old copy serves until a day after
/// it was read.
#[tokio::test]
async fn a_stale_copy_is_refreshed_and_a_failed_refresh_serves_the_old_copy_for_a_day() {
    for backend in backends() {
        let documents = DocumentHost::start().await;
        let options = Options {
            fixed_clock: true,
            cimd_allow_hosts: vec![documents.host.clone()],
            cimd_roots_pem: Some(documents.ca_pem.clone().into_bytes()),
            ..Options::default()
        };
        let app = TestApp::spawn_with(backend, options)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        let admin = Admin::new(&app).await;
        setup(&admin).await;
        let id = agent(&documents, "/stale.json", "First name").await;
        let path = format!("/api/applications/{}", urlencoding(&id));
        let first = first_answer(&app, &id, CALLBACK).await;
        assert!(matches!(first, Stop::Page(..)), "{first:?}");
        agent(&documents, "/stale.json", "Second name").await;
        // Kept for its max-age (600 s): not read again yet.
        app.state.clock.advance(300_000);
        first_answer(&app, &id, CALLBACK).await;
        assert_eq!(admin.get(&path).await.1["name"], "First name");
        app.state.clock.advance(400_000);
        first_answer(&app, &id, CALLBACK).await;
        assert_eq!(admin.get(&path).await.1["name"], "Second name");
        // The host fails: the copy serves on, then not past a day.
        documents.fail("/stale.json", StatusCode::INTERNAL_SERVER_ERROR);
        app.state.clock.advance(700_000);
        assert!(matches!(
            first_answer(&app, &id, CALLBACK).await,
            Stop::Page(..)
        ));
        app.state.clock.advance(24 * 3_600_000);
        let Stop::Status(400, page) = first_answer(&app, &id, CALLBACK).await else {
            panic!("a day-old copy must not serve");
        };
        assert!(page.contains("answered 500"), "{page}");
    }
}

/// A metadata URL never answers 5xx (that stops an MCP SDK's discovery): with the policy
/// unreadable, the document is the one for the policy last read (the default here).
#[tokio::test]
async fn the_metadata_is_served_even_when_the_policy_cannot_be_read() {
    for backend in backends() {
        let app = TestApp::spawn(backend).await;
        latchkey_store::testing::break_table(&app.database_url, "configs").await;
        app.state.cache.invalidate();
        for path in [
            "/oidc/.well-known/openid-configuration",
            "/.well-known/oauth-authorization-server/oidc",
        ] {
            let response = app.http.get(app.url(path)).send().await;
            let response = response.unwrap_or_else(|e| panic!("{e}"));
            assert_eq!(response.status(), 200, "{path}");
            let metadata: Value = response.json().await.unwrap_or_default();
            assert_eq!(metadata["client_id_metadata_document_supported"], true);
            assert!(metadata["registration_endpoint"].is_string(), "{metadata}");
        }
    }
}
