//! `prompt` and `max_age` (OIDC Core §3.1.2.1): a session recent enough is used, `prompt=login`
//! and an exceeded `max_age` ask for the password again, `prompt=none` never shows a page.
//! `prompt=consent` for third-party applications is in `third_party`.

use crate::oidc::authorization_code::{browser, sign_in};
use crate::support::{Admin, Authorize, PASSWORD, TestApp, backends};

/// Where `/oidc/auth` sends a browser in which alice signed in to a web application, for
/// that application's request with `extra` parameters.
async fn answer_after_sign_in(app: &TestApp, extra: &str) -> String {
    let admin = Admin::new(app).await;
    admin.alice().await;
    let web = admin.client("Web", "Traditional").await;
    let browser = browser();
    let first = Authorize::new(&web.id).url(app);
    sign_in(app, &browser, &first, "alice", PASSWORD).await;
    let again = Authorize::new(&web.id).query(extra).url(app);
    let response = browser.get(&again).send().await;
    let response = response.unwrap_or_else(|e| panic!("{e}"));
    let location = response.headers().get("location");
    location.map_or_else(String::new, |v| v.to_str().unwrap_or_default().to_owned())
}

#[tokio::test]
async fn a_session_recent_enough_for_max_age_is_used() {
    for backend in backends() {
        let app = TestApp::spawn(backend).await;
        let location = answer_after_sign_in(&app, "&max_age=3600").await;
        assert!(
            location.starts_with("https://app.example.com/callback?code="),
            "{location}"
        );
    }
}

#[tokio::test]
async fn prompt_login_asks_for_the_password_again() {
    for backend in backends() {
        let app = TestApp::spawn(backend).await;
        let location = answer_after_sign_in(&app, "&prompt=login").await;
        assert!(location.starts_with("/sign-in/"), "{location}");
    }
}

#[tokio::test]
async fn an_exceeded_max_age_asks_for_the_password_again() {
    for backend in backends() {
        let app = TestApp::spawn(backend).await;
        let location = answer_after_sign_in(&app, "&max_age=0").await;
        assert!(location.starts_with("/sign-in/"), "{location}");
    }
}

/// `prompt=none` cannot show the sign-in page an exceeded `max_age` calls for.
#[tokio::test]
async fn prompt_none_with_an_exceeded_max_age_is_login_required() {
    for backend in backends() {
        let app = TestApp::spawn(backend).await;
        let location = answer_after_sign_in(&app, "&prompt=none&max_age=0").await;
        assert!(location.contains("error=login_required"), "{location}");
    }
}

/// OIDC Core §3.1.2.1: parameters the server does not understand are ignored.
#[tokio::test]
async fn unknown_parameters_are_ignored() {
    for backend in backends() {
        let app = TestApp::spawn(backend).await;
        let location = answer_after_sign_in(&app, "&unknown_parameter=ignored").await;
        assert!(
            location.starts_with("https://app.example.com/callback?code="),
            "{location}"
        );
    }
}
