//! The sign-in page under attack: its form needs its CSRF token, an interaction belongs to
//! the browser that started it, and a session cookie is only ever one the server set
//! (no session fixation).

use crate::oidc::authorization_code::{browser, hidden};
use crate::oidc::third_party::{PARTNER_CALLBACK, id, setup};
use crate::support::walk::{Stop, answer, param, sign_in_as, walk};
use crate::support::{Admin, Authorize, TestApp, backends};

/// A browser at the sign-in page of a partner's request: the browser, the page's path and
/// its HTML.
async fn at_sign_in(app: &TestApp) -> (reqwest::Client, String, String) {
    let admin = Admin::new(app).await;
    let (_, partner) = setup(&admin, "Traditional", PARTNER_CALLBACK).await;
    let browser = browser();
    let request = Authorize::new(&id(&partner)).set("redirect_uri", PARTNER_CALLBACK);
    let (path, page) = walk(app, &browser, &request.url(app))
        .await
        .page("/sign-in/");
    (browser, path, page)
}

fn credentials(csrf: &str) -> [(&'static str, String); 3] {
    [
        ("csrf", csrf.to_owned()),
        ("identifier", "alice".to_owned()),
        ("password", "correct horse battery".to_owned()),
    ]
}

async fn status(request: reqwest::RequestBuilder) -> u16 {
    request
        .send()
        .await
        .map(|r| r.status().as_u16())
        .unwrap_or(0)
}

#[tokio::test]
async fn a_sign_in_form_without_its_token_is_refused() {
    for backend in backends() {
        let app = TestApp::spawn(backend).await;
        let (browser, path, _) = at_sign_in(&app).await;
        let forged = browser.post(app.url(&path)).form(&credentials(""));
        assert_eq!(status(forged).await, 400);
    }
}

/// Another browser, even with the right token, can neither post the form nor open the page.
#[tokio::test]
async fn an_interaction_belongs_to_the_browser_that_started_it() {
    for backend in backends() {
        let app = TestApp::spawn(backend).await;
        let (_, path, page) = at_sign_in(&app).await;
        let attacker = browser();
        let stolen = attacker
            .post(app.url(&path))
            .form(&credentials(&hidden(&page, "csrf")));
        assert_eq!(status(stolen).await, 400);
        assert_eq!(status(attacker.get(app.url(&path))).await, 400);
    }
}

/// No session fixation: a cookie planted before sign-in is no session, and signing in sets a
/// new one, `HttpOnly` and `SameSite=Lax`.
#[tokio::test]
async fn a_planted_session_cookie_is_never_signed_in() {
    for backend in backends() {
        let app = TestApp::spawn(backend).await;
        let (browser, path, page) = at_sign_in(&app).await;
        let planted = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap_or_else(|e| panic!("{e}"));
        let fixed = "latchkey_session=planted-by-attacker";
        let check = planted
            .get(app.url("/account/apps"))
            .header("cookie", fixed);
        assert_eq!(status(check).await, 303, "planted cookie is no session");
        let signed = browser
            .post(app.url(&path))
            .form(&credentials(&hidden(&page, "csrf")))
            .send()
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        let cookie = signed
            .headers()
            .get_all("set-cookie")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .find(|c| c.starts_with("latchkey_session="))
            .unwrap_or_default()
            .to_owned();
        assert!(
            cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"),
            "{cookie}"
        );
        assert!(!cookie.contains("planted-by-attacker"));
    }
}

/// Two authorizations begun in two tabs of one browser both complete, whichever finishes
/// first: each interaction has its own binding. A browser keeps the newest five.
#[tokio::test]
async fn authorizations_in_two_tabs_both_complete() {
    for backend in backends() {
        let app = TestApp::spawn(backend).await;
        let admin = Admin::new(&app).await;
        let (_, partner) = setup(&admin, "Traditional", PARTNER_CALLBACK).await;
        let browser = browser();
        let tab = |state: &str| {
            Authorize::new(&id(&partner))
                .set("redirect_uri", PARTNER_CALLBACK)
                .set("state", state)
                .url(&app)
        };
        let first = walk(&app, &browser, &tab("first")).await;
        let second = walk(&app, &browser, &tab("second")).await;
        for (stop, state) in [(first, "first"), (second, "second")] {
            let stop = sign_in_as(&app, &browser, stop, "alice").await;
            let stop = match stop {
                Stop::Page(path, html) if path.starts_with("/consent/") => {
                    answer(&app, &browser, (path, html), "authorize").await
                }
                other => other,
            };
            let back = stop.client();
            assert_eq!(param(&back, "state").as_deref(), Some(state), "{back}");
            assert!(param(&back, "code").is_some(), "{back}");
        }
        // Six more begun (each asking to sign in again): the oldest one's binding is gone,
        // the newest one's is kept.
        let mut pages = Vec::new();
        for n in 0..6 {
            let again = format!("{}&prompt=login", tab(&n.to_string()));
            let (path, _) = walk(&app, &browser, &again).await.page("/sign-in/");
            pages.push(path);
        }
        assert_eq!(status(browser.get(app.url(&pages[0]))).await, 400);
        assert_eq!(status(browser.get(app.url(&pages[5]))).await, 200);
    }
}

/// The site's root and `/account` lead to the account home, which asks to sign in first.
#[tokio::test]
async fn the_root_leads_to_the_account_home() {
    let app = TestApp::spawn(crate::support::Backend::Sqlite).await;
    for start in ["/", "/account"] {
        let (path, page) = walk(&app, &browser(), &app.url(start))
            .await
            .page("/sign-in/");
        assert!(page.contains(r#"name="password""#), "{start}: {path}");
    }
}

/// A sign-in is the user's last one from then on (`lastSignInAt`, shown in the console).
#[tokio::test]
async fn a_sign_in_records_the_last_sign_in() {
    for backend in backends() {
        let app = TestApp::spawn(backend).await;
        let admin = Admin::new(&app).await;
        let (browser, path, page) = at_sign_in(&app).await;
        let (_, users) = admin.get("/api/users?search=alice").await;
        let alice = users[0]["id"].as_str().unwrap_or_default().to_owned();
        let (_, before) = admin.get(&format!("/api/users/{alice}")).await;
        assert!(before["lastSignInAt"].is_null(), "{before}");
        let signed = browser
            .post(app.url(&path))
            .form(&credentials(&hidden(&page, "csrf")));
        assert_eq!(status(signed).await, 303);
        let (_, after) = admin.get(&format!("/api/users/{alice}")).await;
        assert!(
            after["lastSignInAt"].as_i64().is_some_and(|t| t > 0),
            "{after}"
        );
    }
}
