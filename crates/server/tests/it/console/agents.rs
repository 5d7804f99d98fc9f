//! The console's AI agents page: the policy form, clients waiting for approval, and the
//! self-registered clients, approved and blocked from there.

use serde_json::json;

use super::admin::people;
use crate::oidc::authorization_code::{browser, hidden};
use crate::support::walk::{sign_in_as, submit, walk};
use crate::support::{Admin, DocumentHost, TestApp, backends};

#[tokio::test]
async fn an_administrator_sets_the_policy_and_approves_then_blocks_a_client() {
    for backend in backends() {
        let documents = DocumentHost::start().await;
        let app = TestApp::spawn_with_documents(backend, &documents).await;
        let admin = Admin::new(&app).await;
        people(&admin).await;
        let registration = json!({"client_name": "Cursor", "token_endpoint_auth_method": "none",
            "redirect_uris": ["http://localhost:8787/callback"]});
        let response = app
            .http
            .post(app.url("/oidc/reg"))
            .json(&registration)
            .send()
            .await;
        let client: serde_json::Value = response
            .unwrap_or_else(|e| panic!("{e}"))
            .json()
            .await
            .unwrap_or_default();
        let id = client["client_id"].as_str().unwrap_or_default().to_owned();

        let browser = browser();
        let stop = walk(&app, &browser, &app.url("/console/agents")).await;
        sign_in_as(&app, &browser, stop, "root")
            .await
            .page("/console/");
        let stop = walk(&app, &browser, &app.url("/console/agents")).await;
        let (_, page) = stop.page("/console/agents");
        assert!(
            page.contains("Waiting for approval") && page.contains("Cursor"),
            "{page}"
        );
        let csrf = hidden(&page, "csrf");

        let approve = [("csrf", csrf.clone()), ("decision", "approve".to_owned())];
        let path = format!("/console/agents/{id}/approval");
        let (_, page) = submit(&app, &browser, &path, &approve)
            .await
            .page("/console/agents");
        assert!(!page.contains("Waiting for approval"), "{page}");
        let (_, shown) = admin.get(&format!("/api/applications/{id}")).await;
        assert_eq!(shown["approval"], "approved");

        let policy = [
            ("csrf", csrf.clone()),
            ("cimd_mode", "approval".to_owned()),
            ("trusted_hosts", "claude.ai\nchatgpt.com".to_owned()),
            ("dcr_mode", "open".to_owned()),
            ("iat_required", "1".to_owned()),
            ("user_scope", "profile".to_owned()),
        ];
        let (_, page) = submit(&app, &browser, "/console/agents/policy", &policy)
            .await
            .page("/console/agents");
        assert!(page.contains("Policy saved."), "{page}");
        let (_, stored) = admin.get("/api/configs/dynamic-clients").await;
        assert_eq!(
            stored["cimd"],
            json!({"mode": "approval", "trustedHosts": ["claude.ai", "chatgpt.com"]})
        );
        assert_eq!(
            stored["dcr"],
            json!({"mode": "open", "initialAccessTokenRequired": true})
        );
        assert_eq!(stored["ceiling"]["userScopes"], json!(["profile"]));

        // A refused policy is shown with the API's reason and changes nothing.
        let bad = [
            ("csrf", csrf.clone()),
            ("trusted_hosts", "https://claude.ai".to_owned()),
        ];
        let response = browser
            .post(app.url("/console/agents/policy"))
            .form(&bad)
            .send()
            .await;
        let response = response.unwrap_or_else(|e| panic!("{e}"));
        let page = response.text().await.unwrap_or_default();
        assert!(page.contains("is not a host name"), "{page}");
        assert_eq!(admin.get("/api/configs/dynamic-clients").await.1, stored);

        // An API's page shows what its server publishes (RFC 9728), ready to copy.
        let (_, api) = admin
            .post(
                "/api/resources",
                json!({"name": "Docs", "indicator": "https://mcp.example.com/mcp"}),
            )
            .await;
        let resource_path = format!(
            "/console/resources/{}",
            api["id"].as_str().unwrap_or_default()
        );
        let (_, page) = walk(&app, &browser, &app.url(&resource_path))
            .await
            .page("/console/resources/");
        let issuer = app.issuer.replace('/', "&#x2f;");
        assert!(
            page.contains("oauth-protected-resource")
                && page.contains("data-copy=\"protected-resource-json\""),
            "{page}"
        );
        assert!(
            page.contains("authorization_servers")
                && (page.contains(&app.issuer) || page.contains(&issuer)),
            "{page}"
        );

        // A document client's page is reached through its percent-encoded URL.
        let url = documents.url("/agent.json");
        let document =
            crate::agents::document(&url, "Doc agent", &["http://127.0.0.1/cb"], json!({}));
        documents.put("/agent.json", &document);
        crate::agents::first_answer(&app, &url, "http://127.0.0.1:9/cb").await;
        let (_, page) = walk(&app, &browser, &app.url("/console/agents"))
            .await
            .page("/console/agents");
        let link = format!(
            "/console/applications/{}",
            crate::agents::clients::urlencoding(&url)
        );
        assert!(page.contains(&link) && page.contains("Doc agent"), "{page}");
        let (_, page) = walk(&app, &browser, &app.url(&link))
            .await
            .page("/console/applications/");
        assert!(page.contains("Doc agent"), "{page}");

        let block = [("csrf", csrf), ("decision", "block".to_owned())];
        let (_, page) = submit(&app, &browser, &path, &block)
            .await
            .page("/console/agents");
        assert!(page.contains("Blocked"), "{page}");
        let (_, shown) = admin.get(&format!("/api/applications/{id}")).await;
        assert_eq!(shown["approval"], "blocked");
    }
}
