//! What keeps the hosted pages' forms to this server: `form-action` in every page's CSP,
//! cookies under the `__Host-` prefix on https (the old names still read), and form posts
//! from another origin refused whatever token they carry.

use reqwest::header::{COOKIE, LOCATION, SET_COOKIE};
use serde_json::json;

use crate::oidc::authorization_code::hidden;
use crate::support::{Admin, Authorize, Backend, Options, TestApp};

const CALLBACK: &str = "https://app.example.com/callback";

async fn web_app(app: &TestApp) -> String {
    let admin = Admin::new(app).await;
    let alice = json!({"username": "alice", "password": "correct horse battery"});
    assert_eq!(admin.post("/api/users", alice).await.0, 201);
    let (_, web) = admin
        .post(
            "/api/applications",
            json!({"name": "Web", "type": "Traditional", "oidcClientMetadata": {"redirectUris": [CALLBACK]}}),
        )
        .await;
    web["id"].as_str().unwrap_or_default().to_owned()
}

fn authorize(app: &TestApp, client_id: &str, extra: &str) -> String {
    Authorize::new(client_id).query(extra).url(app)
}

/// `name=value` of the response's cookie `name`, and its attributes.
fn set_cookie(response: &reqwest::Response, name: &str) -> (String, String) {
    let cookie = response
        .headers()
        .get_all(SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        // A name ending in `_` stands for every cookie it begins (one per interaction).
        .find(|c| {
            c.strip_prefix(name)
                .is_some_and(|rest| name.ends_with('_') || rest.starts_with('='))
        })
        .unwrap_or_else(|| panic!("no {name} cookie"));
    let (pair, attributes) = cookie.split_once(';').unwrap_or((cookie, ""));
    (pair.to_owned(), attributes.to_owned())
}

fn location(response: &reqwest::Response) -> String {
    let location = response
        .headers()
        .get(LOCATION)
        .and_then(|v| v.to_str().ok());
    location.unwrap_or_default().to_owned()
}

/// The sign-in page a browser is sent to for `web`: its path, and the page.
async fn sign_in_page(
    app: &TestApp,
    browser: &reqwest::Client,
    web: &str,
) -> (String, reqwest::Response) {
    let to_sign_in = browser.get(authorize(app, web, "")).send().await;
    let path = location(&to_sign_in.unwrap_or_else(|e| panic!("{e}")));
    let page = browser.get(app.url(&path)).send().await;
    (path, page.unwrap_or_else(|e| panic!("{e}")))
}

/// alice's credentials in the sign-in form of `html`.
fn credentials(html: &str) -> [(&'static str, String); 3] {
    [
        ("csrf", hidden(html, "csrf")),
        ("identifier", "alice".to_owned()),
        ("password", "correct horse battery".to_owned()),
    ]
}

#[tokio::test]
async fn pages_post_only_to_this_server_or_the_client_they_return_to() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let web = web_app(&app).await;
    let browser = crate::oidc::authorization_code::browser();
    let (path, page) = sign_in_page(&app, &browser, &web).await;
    let csp = page.headers()["content-security-policy"]
        .to_str()
        .unwrap_or_default()
        .to_owned();
    // Browsers hold the redirects after a form post to `form-action` too: the sign-in form
    // ends at the client's redirect URI.
    assert!(
        csp.contains("form-action 'self' https://app.example.com;"),
        "{csp}"
    );
    let error = app
        .http
        .get(app.url("/oidc/auth?client_id=nobody"))
        .send()
        .await;
    let error = error.unwrap_or_else(|e| panic!("{e}"));
    let csp = error.headers()["content-security-policy"]
        .to_str()
        .unwrap_or_default();
    assert!(csp.contains("form-action 'self';"), "{csp}");
    // A response_mode=form_post page posts to the client.
    let html = page.text().await.unwrap_or_default();
    let form = credentials(&html);
    let signed_in = browser.post(app.url(&path)).form(&form).send().await;
    assert_eq!(signed_in.map(|r| r.status().as_u16()).ok(), Some(303));
    let posted = browser
        .get(authorize(&app, &web, "&response_mode=form_post"))
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let csp = posted.headers()["content-security-policy"]
        .to_str()
        .unwrap_or_default();
    assert!(
        csp.contains("form-action 'self' https://app.example.com;"),
        "{csp}"
    );
}

#[tokio::test]
async fn on_https_cookies_are_host_prefixed_and_the_old_names_still_read() {
    let options = Options {
        public_url: Some("https://id.example.com".into()),
        ..Options::default()
    };
    let app = TestApp::spawn_with(Backend::Sqlite, options)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let web = web_app(&app).await;
    // The test speaks plain http to the listener: cookies go back by hand.
    let started = app.http.get(authorize(&app, &web, "")).send().await;
    let started = started.unwrap_or_else(|e| panic!("{e}"));
    let (binding, attributes) = set_cookie(&started, "__Host-latchkey_interaction_");
    assert!(
        attributes.contains("Path=/;") && attributes.contains("Secure"),
        "{attributes}"
    );
    assert!(!attributes.contains("Domain"));
    let path = location(&started);
    let path = path.trim_start_matches("https://id.example.com");
    let page = app
        .http
        .get(app.url(path))
        .header(COOKIE, &binding)
        .send()
        .await;
    let html = page
        .unwrap_or_else(|e| panic!("{e}"))
        .text()
        .await
        .unwrap_or_default();
    let form = credentials(&html);
    let signed_in = app
        .http
        .post(app.url(path))
        .header(COOKIE, &binding)
        .form(&form)
        .send()
        .await;
    let signed_in = signed_in.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(signed_in.status(), 303);
    let (session, _) = set_cookie(&signed_in, "__Host-latchkey_session");
    let value = session.trim_start_matches("__Host-latchkey_session=");
    // Both the new name and (for one release) the old one carry the session.
    for cookie in [session.clone(), format!("latchkey_session={value}")] {
        let silent = app
            .http
            .get(authorize(&app, &web, "&prompt=none"))
            .header(COOKIE, &cookie);
        let back = location(&silent.send().await.unwrap_or_else(|e| panic!("{e}")));
        assert!(
            back.starts_with(CALLBACK) && back.contains("code="),
            "{cookie}: {back}"
        );
    }
}

#[tokio::test]
async fn form_posts_from_another_origin_are_refused() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let web = web_app(&app).await;
    let browser = crate::oidc::authorization_code::browser();
    let (path, page) = sign_in_page(&app, &browser, &web).await;
    let html = page.text().await.unwrap_or_default();
    let form = credentials(&html);
    // The right CSRF token does not make another site's post acceptable.
    for (name, value) in [
        ("origin", "https://evil.example"),
        ("origin", "null"),
        ("sec-fetch-site", "cross-site"),
        ("sec-fetch-site", "same-site"),
    ] {
        let post = browser
            .post(app.url(&path))
            .header(name, value)
            .form(&form)
            .send()
            .await;
        let post = post.unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(post.status(), 403, "{name}: {value}");
        assert!(
            post.text()
                .await
                .unwrap_or_default()
                .contains("another site")
        );
    }
    for path in [
        "/oidc/session/end/confirm",
        "/console/applications/new",
        "/account/apps/x/remove",
    ] {
        let post = app
            .http
            .post(app.url(path))
            .header("origin", "https://evil.example")
            .send()
            .await;
        let status = post.map(|p| p.status().as_u16()).unwrap_or_default();
        assert_eq!(status, 403, "{path}");
    }
    // The same form from this server's own origin goes through.
    let post = browser
        .post(app.url(&path))
        .header("origin", &app.address)
        .form(&form)
        .send()
        .await;
    assert_eq!(post.map(|p| p.status().as_u16()).ok(), Some(303));
}
