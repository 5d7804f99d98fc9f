//! OAuth 2.0 Form Post Response Mode: the answer is a page that posts itself to the redirect
//! URI, its script allowed by the page's CSP nonce only.

use crate::oidc::authorization_code::{browser, sign_in};
use crate::support::{Admin, Authorize, Backend, PASSWORD, TestApp};

#[tokio::test]
async fn form_post_answers_with_a_self_submitting_form_and_a_nonce_bound_script() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let admin = Admin::new(&app).await;
    admin.alice().await;
    let web = admin.client("Web", "Traditional").await;
    let browser = browser();
    sign_in(
        &app,
        &browser,
        &Authorize::new(&web.id).url(&app),
        "alice",
        PASSWORD,
    )
    .await;
    let request = Authorize::new(&web.id).set("response_mode", "form_post");
    let page = browser.get(request.url(&app)).send().await;
    let page = page.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(page.status(), 200);
    let csp = page.headers()["content-security-policy"]
        .to_str()
        .unwrap_or_default()
        .to_owned();
    let nonce = csp
        .split("'nonce-")
        .nth(1)
        .and_then(|r| r.split('\'').next())
        .unwrap_or_default()
        .to_owned();
    let html = page.text().await.unwrap_or_default();
    assert!(
        html.contains(r#"<form method="post" action="https://app.example.com/callback">"#),
        "{html}"
    );
    assert!(
        html.contains(r#"name="code""#)
            && html.contains(r#"name="state" value="st""#)
            && html.contains(r#"name="iss""#)
    );
    assert!(!nonce.is_empty() && html.contains(&format!(r#"<script nonce="{nonce}">"#)));
}
