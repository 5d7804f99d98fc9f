//! Client ID Metadata Documents: fetching one behind the SSRF rules. Documents are served
//! by a local host named in the allowance, as `LATCHKEY_CIMD_ALLOW_HOSTS` names it; without
//! the allowance every address below is refused before anything is sent.

use std::time::Duration;

use axum::Router;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect};
use axum::routing::get;
use latchkey::cimd::Fetcher;
use latchkey_core::ErrorCode;

/// A document host on loopback; its base URL.
async fn document_host() -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await;
    let listener = listener.unwrap_or_else(|e| panic!("{e}"));
    let base = format!(
        "http://{}",
        listener
            .local_addr()
            .map(|a| a.to_string())
            .unwrap_or_default()
    );
    let doc = |base: String, path: &str, id: Option<&str>| {
        let client_id = id.map_or_else(|| format!("{base}{path}"), str::to_owned);
        serde_json::json!({
            "client_id": client_id,
            "client_name": "Agent",
            "redirect_uris": ["http://localhost/callback"],
            "token_endpoint_auth_method": "none",
        })
        .to_string()
    };
    let (ok, mismatch) = (
        doc(base.clone(), "/ok", None),
        doc(base.clone(), "/mismatch", Some("https://evil.example/x")),
    );
    let app = Router::new()
        .route(
            "/ok",
            get(move || async move { ([(header::CACHE_CONTROL, "max-age=600")], ok) }),
        )
        .route("/mismatch", get(move || async move { mismatch }))
        .route("/redirect", get(|| async { Redirect::temporary("/ok") }))
        .route("/big", get(|| async { " ".repeat(6 * 1024) }))
        .route(
            "/slow",
            get(|| async {
                tokio::time::sleep(Duration::from_secs(8)).await;
                "{}"
            }),
        )
        .route(
            "/missing",
            get(|| async { StatusCode::NOT_FOUND.into_response() }),
        );
    tokio::spawn(async move { axum::serve(listener, app).await });
    base
}

fn allowing_loopback() -> Fetcher {
    Fetcher::new(vec!["127.0.0.1".into()], None).unwrap_or_else(|e| panic!("{e}"))
}

/// The refusal's description, checking it is `invalid_client`.
async fn refusal(fetcher: &Fetcher, url: &str) -> String {
    match fetcher.fetch(url).await {
        Ok(document) => panic!("{url} was fetched: {document:?}"),
        Err(error) => {
            assert_eq!(error.code, ErrorCode::InvalidClient, "{url}");
            error.description.into_owned()
        }
    }
}

#[tokio::test]
async fn a_document_from_an_allowed_host_is_fetched_and_kept_as_its_cache_control_says() {
    let base = document_host().await;
    let url = format!("{base}/ok");
    let (document, keep) = allowing_loopback()
        .fetch(&url)
        .await
        .unwrap_or_else(|e| panic!("{e:?}"));
    assert_eq!((document.client_id.as_str(), keep), (url.as_str(), 600));
}

/// Without the allowance, loopback, private, link-local and metadata-service addresses are
/// refused whether named by address or by a name resolving there; nothing is sent.
#[tokio::test]
async fn internal_addresses_are_never_fetched() {
    let fetcher = Fetcher::new(Vec::new(), None).unwrap_or_else(|e| panic!("{e}"));
    for url in [
        "https://127.0.0.1/client",
        "https://10.0.0.1/client",
        "https://192.168.1.10/client",
        "https://169.254.169.254/latest/meta-data",
        "https://[::1]/client",
        "https://[fd00::1]/client",
    ] {
        let why = refusal(&fetcher, url).await;
        assert!(why.contains("may not reach"), "{url}: {why}");
    }
    let why = refusal(&fetcher, "https://localhost/client").await;
    assert!(why.contains("could not be reached"), "{why}");
}

#[tokio::test]
async fn plain_http_is_refused_from_hosts_not_allowed() {
    let base = document_host().await;
    let fetcher = Fetcher::new(vec!["documents.example".into()], None);
    let fetcher = fetcher.unwrap_or_else(|e| panic!("{e}"));
    let why = refusal(&fetcher, &format!("{base}/ok")).await;
    assert!(why.contains("https"), "{why}");
}

#[tokio::test]
async fn redirects_are_not_followed() {
    let base = document_host().await;
    let why = refusal(&allowing_loopback(), &format!("{base}/redirect")).await;
    assert!(why.contains("answered 307"), "{why}");
}

#[tokio::test]
async fn a_document_over_5_kib_is_refused() {
    let base = document_host().await;
    let why = refusal(&allowing_loopback(), &format!("{base}/big")).await;
    assert!(why.contains("5 KiB"), "{why}");
}

#[tokio::test]
async fn a_slow_document_is_given_up_after_5_seconds() {
    let base = document_host().await;
    let why = refusal(&allowing_loopback(), &format!("{base}/slow")).await;
    assert!(why.contains("5 seconds"), "{why}");
}

#[tokio::test]
async fn a_document_naming_another_client_id_is_refused() {
    let base = document_host().await;
    let why = refusal(&allowing_loopback(), &format!("{base}/mismatch")).await;
    assert!(why.contains("another client_id"), "{why}");
}

#[tokio::test]
async fn a_missing_document_is_refused() {
    let base = document_host().await;
    let why = refusal(&allowing_loopback(), &format!("{base}/missing")).await;
    assert!(why.contains("answered 404"), "{why}");
}
