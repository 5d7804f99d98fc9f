//! What a client ID metadata document fetch refuses, seen through `/oidc/auth` as a user's
//! browser sees it: an error page saying `invalid_client` and why, never a redirect, and
//! nothing stored. Loopback is reachable only for the host the test names in the allowance.

use serde_json::json;

use super::clients::urlencoding;
use super::{document, first_answer, spawn};
use crate::support::walk::Stop;
use crate::support::{Admin, DocumentHost, Options, TestApp, backends};

const CALLBACK: &str = "https://agent.example/cb";

/// `client_id` is refused at `/oidc/auth` for a reason containing `why`, and no
/// application is created for it.
async fn refused(app: &TestApp, client_id: &str, why: &str) {
    let stop = first_answer(app, client_id, CALLBACK).await;
    let Stop::Status(400, page) = stop else {
        panic!("{client_id}: expected the error page, got {stop:?}");
    };
    assert!(page.contains("invalid_client"), "{client_id}: {page}");
    assert!(
        page.contains(why),
        "{client_id}: expected '{why}' in {page}"
    );
    let admin = Admin::new(app).await;
    let path = format!("/api/applications/{}", urlencoding(client_id));
    assert_eq!(admin.get(&path).await.0, 404, "{client_id} was stored");
}

#[tokio::test]
async fn internal_addresses_are_refused_by_address_and_by_name() {
    for backend in backends() {
        // The document host runs, but is not named in the allowance.
        let documents = DocumentHost::start().await;
        let options = Options {
            cimd_roots_pem: Some(documents.ca_pem.clone().into_bytes()),
            ..Options::default()
        };
        let app = TestApp::spawn_with(backend, options).await;
        let app = app.unwrap_or_else(|e| panic!("{e}"));
        let path = "/client.json";
        let port = documents.host.rsplit(':').next().unwrap_or_default();
        documents.put(
            path,
            &document(&documents.url(path), "A", &[CALLBACK], json!({})),
        );
        let may_not = "may not reach";
        refused(&app, &format!("https://127.0.0.1:{port}{path}"), may_not).await;
        refused(&app, "https://10.0.0.1/client.json", may_not).await;
        refused(&app, "https://192.168.0.10/client.json", may_not).await;
        refused(&app, "https://169.254.169.254/latest/meta-data", may_not).await;
        refused(&app, "https://[::1]/client.json", may_not).await;
        refused(&app, "https://[fe80::1]/client.json", may_not).await;
        // A name resolving to loopback: the address connected to is what is checked, so a
        // name rebound to an internal address after any earlier answer is refused too.
        refused(&app, &documents.url(path), "could not be reached").await;
    }
}

#[tokio::test]
async fn redirects_big_and_slow_documents_are_refused() {
    for backend in backends() {
        let (documents, app) = spawn(backend).await;
        documents.put("/claude", &json!({}));
        refused(&app, &documents.url("/redirect"), "answered 307").await;
        refused(&app, &documents.url("/big"), "larger than 5 KiB").await;
        refused(&app, &documents.url("/slow"), "longer than 5 seconds").await;
        refused(&app, &documents.url("/missing"), "answered 404").await;
    }
}

#[tokio::test]
async fn a_document_must_describe_its_own_url_and_a_public_client() {
    for backend in backends() {
        let (documents, app) = spawn(backend).await;
        let mismatch = document(
            "https://claude.ai/oauth/x",
            "Impostor",
            &[CALLBACK],
            json!({}),
        );
        documents.put("/mismatch", &mismatch);
        refused(&app, &documents.url("/mismatch"), "another client_id").await;
        let url = documents.url("/secret");
        let secret = document(&url, "S", &[CALLBACK], json!({"client_secret": "shh"}));
        documents.put("/secret", &secret);
        refused(&app, &url, "must not hold a secret").await;
        let url = documents.url("/basic");
        let basic = document(
            &url,
            "B",
            &[CALLBACK],
            json!({"token_endpoint_auth_method": "client_secret_post"}),
        );
        documents.put("/basic", &basic);
        refused(&app, &url, "must be none").await;
        // A client ID with a query is no document URL the draft allows.
        refused(&app, &format!("{url}?x=1"), "query").await;
    }
}

/// Latchkey's own trust store plus `LATCHKEY_CIMD_CA_FILE`: without the test CA, the
/// document host's certificate is refused.
#[tokio::test]
async fn a_certificate_from_an_unknown_ca_is_refused() {
    for backend in backends() {
        let documents = DocumentHost::start().await;
        let options = Options {
            cimd_allow_hosts: vec![documents.host.clone()],
            ..Options::default()
        };
        let app = TestApp::spawn_with(backend, options).await;
        let app = app.unwrap_or_else(|e| panic!("{e}"));
        let url = documents.url("/client.json");
        documents.put("/client.json", &document(&url, "A", &[CALLBACK], json!({})));
        refused(&app, &url, "could not be reached").await;
    }
}
