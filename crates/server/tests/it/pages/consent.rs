//! The consent page under attack: its form needs its CSRF token, what is granted is computed
//! on the server whatever the form adds, and `prompt=none` never grants anything new.

use crate::oidc::authorization_code::{browser, hidden};
use crate::oidc::third_party::{PARTNER_CALLBACK, id, setup};
use crate::support::walk::{param, sign_in_if_asked, submit, walk};
use crate::support::{Admin, Authorize, TestApp, backends};

/// A partner's request for `scope`, as a URL.
fn request(app: &TestApp, partner: &serde_json::Value, scope: &str) -> String {
    let request = Authorize::new(&id(partner)).set("redirect_uri", PARTNER_CALLBACK);
    request.set("scope", scope).url(app)
}

/// Alice signed in at a partner's consent page for `openid email`: the browser, the
/// partner, the page's path and its HTML.
async fn at_consent(app: &TestApp) -> (reqwest::Client, serde_json::Value, String, String) {
    let admin = Admin::new(app).await;
    let (_, partner) = setup(&admin, "Traditional", PARTNER_CALLBACK).await;
    let browser = browser();
    let stop = walk(app, &browser, &request(app, &partner, "openid email")).await;
    let stop = sign_in_if_asked(app, &browser, stop).await;
    let (path, page) = stop.page("/consent/");
    (browser, partner, path, page)
}

#[tokio::test]
async fn a_consent_form_without_its_token_records_nothing() {
    for backend in backends() {
        let app = TestApp::spawn(backend).await;
        let (browser, _, path, page) = at_consent(&app).await;
        let forged = [
            ("csrf", "x".to_owned()),
            ("user", hidden(&page, "user")),
            ("decision", "authorize".to_owned()),
        ];
        let refused = browser.post(app.url(&path)).form(&forged).send().await;
        assert_eq!(refused.map(|r| r.status().as_u16()).ok(), Some(400));
    }
}

/// Extra fields asking for more are ignored: the grant is what the page showed.
#[tokio::test]
async fn what_is_granted_is_computed_on_the_server() {
    for backend in backends() {
        let app = TestApp::spawn(backend).await;
        let (browser, partner, path, page) = at_consent(&app).await;
        let greedy = [
            ("csrf", hidden(&page, "csrf")),
            ("user", hidden(&page, "user")),
            ("decision", "authorize".to_owned()),
            ("scope", "openid email phone address roles".to_owned()),
            ("user_scope", "phone".to_owned()),
        ];
        let back = submit(&app, &browser, &path, &greedy).await.client();
        let code = param(&back, "code").unwrap_or_default();
        let secret = partner["secret"].as_str().unwrap_or_default();
        let form = [
            ("grant_type", "authorization_code"),
            ("code", code.as_str()),
            ("redirect_uri", PARTNER_CALLBACK),
        ];
        let tokens: serde_json::Value = app
            .token(&form, Some((&id(&partner), secret)))
            .await
            .json()
            .await
            .unwrap_or_default();
        assert_eq!(tokens["scope"], "openid email", "{tokens}");
    }
}

/// Deny by default: a third-party app asking `prompt=none` for something not yet consented
/// to gets `consent_required`.
#[tokio::test]
async fn prompt_none_for_something_new_is_consent_required() {
    for backend in backends() {
        let app = TestApp::spawn(backend).await;
        let (browser, partner, path, page) = at_consent(&app).await;
        let allow = [
            ("csrf", hidden(&page, "csrf")),
            ("user", hidden(&page, "user")),
            ("decision", "authorize".to_owned()),
        ];
        submit(&app, &browser, &path, &allow).await.client();
        let silent = format!("{}&prompt=none", request(&app, &partner, "openid phone"));
        let back = walk(&app, &browser, &silent).await.client();
        assert_eq!(param(&back, "error").as_deref(), Some("consent_required"));
    }
}

/// An API permission reads in the page's language when its API gives a description there,
/// and in the default description otherwise.
#[tokio::test]
async fn an_api_permission_reads_in_the_pages_language() {
    let app = TestApp::spawn(crate::support::Backend::Sqlite).await;
    let admin = Admin::new(&app).await;
    let (_, partner) = setup(&admin, "Traditional", PARTNER_CALLBACK).await;
    for (locale, shown, hidden_text) in [
        ("fr", "read:docs en français", "read:docs description"),
        ("en", "read:docs description", "read:docs en français"),
    ] {
        let browser = browser();
        let url = Authorize::new(&id(&partner))
            .set("redirect_uri", PARTNER_CALLBACK)
            .set("scope", "openid read:docs")
            .set("resource", crate::oidc::third_party::DOCS)
            .set("ui_locales", locale)
            .url(&app);
        let stop = walk(&app, &browser, &url).await;
        let stop = sign_in_if_asked(&app, &browser, stop).await;
        let (_, page) = stop.page("/consent/");
        assert!(
            page.contains(shown) && !page.contains(hidden_text),
            "{locale}: {page}"
        );
    }
}
