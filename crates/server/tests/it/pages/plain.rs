//! What a person reads when something is wrong: the error page in their language with the
//! technical detail in small print, and a branded 404 for an address that does not exist.

use crate::oidc::authorization_code::browser;
use crate::support::{Backend, TestApp};

async fn page(app: &TestApp, path: &str, accept: &str, language: &str) -> (u16, String) {
    let answer = browser()
        .get(app.url(path))
        .header("accept", accept)
        .header("accept-language", language)
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let status = answer.status().as_u16();
    (status, answer.text().await.unwrap_or_default())
}

#[tokio::test]
async fn an_error_page_speaks_the_readers_language_and_keeps_the_code_small() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let path = "/oidc/auth?client_id=nope&response_type=code&scope=openid\
                &redirect_uri=https%3A%2F%2Fapp.example.com%2Fcb";
    let (status, html) = page(&app, path, "text/html", "fr-FR,fr;q=0.9").await;
    assert_eq!(status, 400);
    assert!(html.contains(r#"<html lang="fr">"#), "{html}");
    assert!(
        html.contains("Cette application n’est pas connue ici"),
        "a French sentence: {html}"
    );
    assert!(
        html.contains(r#"<p class="code">Détails pour les développeurs : "#)
            && html.contains("<code>invalid_client</code>"),
        "the code in small print: {html}"
    );
}

#[tokio::test]
async fn an_unknown_address_is_a_branded_404_for_browsers_and_a_bare_one_for_programs() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    for path in ["/console/nope", "/nothing/here", "/account/elsewhere"] {
        let (status, html) = page(&app, path, "text/html,*/*", "en").await;
        assert_eq!(status, 404, "{path}");
        assert!(html.contains("This page does not exist."), "{path}: {html}");
        let (status, body) = page(&app, path, "application/json", "en").await;
        assert_eq!((status, body.as_str()), (404, ""), "{path}");
    }
}

/// A sign-in page opened in a browser other than the one that began it (a link pasted
/// elsewhere, cookies cleared): expired there, with the way back to the application's site.
#[tokio::test]
async fn a_sign_in_page_from_another_browser_is_expired_with_the_way_back() {
    use serde_json::json;
    let app = TestApp::spawn(Backend::Sqlite).await;
    let admin = crate::support::Admin::new(&app).await;
    let web = json!({"name": "Web", "type": "Traditional",
        "oidcClientMetadata": {"redirectUris": ["https://app.example.com/callback"]}});
    let (_, web) = admin.post("/api/applications", web).await;
    let url = crate::support::Authorize::new(web["id"].as_str().unwrap_or_default()).url(&app);
    let started = browser()
        .get(url)
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let sign_in = started.headers()["location"]
        .to_str()
        .unwrap_or_default()
        .to_owned();
    assert!(sign_in.starts_with("/sign-in/"), "{sign_in}");
    let (status, html) = page(&app, &sign_in, "text/html", "en").await;
    assert_eq!(status, 400);
    assert!(html.contains("This sign-in page has expired"), "{html}");
    assert!(
        html.contains(
            r#"<a class="button" href="https://app.example.com">Return to the application</a>"#
        ),
        "{html}"
    );
}
