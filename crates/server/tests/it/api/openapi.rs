//! The OpenAPI document: served, complete, routed, and unchanged unless on purpose.

use crate::support::{Backend, TestApp};

const SNAPSHOT: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/it/snapshots/openapi.json"
);

#[tokio::test]
async fn the_openapi_document_matches_its_snapshot() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let served = app.get_json("/api/openapi.json").await;
    assert!(
        served["openapi"]
            .as_str()
            .is_some_and(|v| v.starts_with("3.1")),
        "OpenAPI 3.1"
    );
    let pretty = format!(
        "{}\n",
        serde_json::to_string_pretty(&served).unwrap_or_default()
    );
    if std::env::var("UPDATE_SNAPSHOTS").is_ok() {
        std::fs::write(SNAPSHOT, &pretty).unwrap_or_else(|e| panic!("{e}"));
    }
    let expected = std::fs::read_to_string(SNAPSHOT).unwrap_or_default();
    assert!(
        expected == pretty,
        "the OpenAPI document changed; if that is intended, run the tests with UPDATE_SNAPSHOTS=1 and commit {SNAPSHOT}"
    );
}

#[tokio::test]
async fn every_documented_operation_is_routed_and_requires_a_token() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let doc = app.get_json("/api/openapi.json").await;
    let paths = doc["paths"].as_object().cloned().unwrap_or_default();
    let mut operations = 0;
    for (path, item) in &paths {
        let concrete: String = path
            .split('/')
            .map(|seg| if seg.starts_with('{') { "x" } else { seg })
            .collect::<Vec<_>>()
            .join("/");
        for method in item
            .as_object()
            .map(|o| o.keys().cloned().collect::<Vec<_>>())
            .unwrap_or_default()
        {
            let method = reqwest::Method::from_bytes(method.to_uppercase().as_bytes())
                .unwrap_or(reqwest::Method::GET);
            let response = app
                .http
                .request(method.clone(), app.url(&concrete))
                .send()
                .await
                .unwrap_or_else(|e| panic!("{e}"));
            assert_eq!(response.status(), 401, "{method} {path}");
            operations += 1;
        }
        assert!(
            item.as_object()
                .is_some_and(|o| o.values().all(|op| op["security"].is_array())),
            "{path}"
        );
    }
    assert!(operations >= 42, "{operations} operations documented");
}

#[tokio::test]
async fn the_api_reference_page_is_served_from_the_binary() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let response = app
        .http
        .get(app.url("/api/docs/"))
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(response.status(), 200);
    let page = response.text().await.unwrap_or_default();
    assert!(page.to_lowercase().contains("swagger"), "{page}");
}
