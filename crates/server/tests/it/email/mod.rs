//! Mail through a real SMTP server (`support::mail`): sign-up that proves its address,
//! password recovery, address changes, what administrators can do, and delivery that
//! survives the mail server being down.

mod address;
mod admin;
mod delivery;
mod recovery;
mod sign_up;

use crate::oidc::authorization_code::hidden;
use crate::support::mail::MailServer;
use crate::support::{Backend, Options, TestApp};

/// A server sending through `mail`.
pub async fn app_with(backend: Backend, mail: &MailServer, fixed_clock: bool) -> TestApp {
    let options = Options {
        mail: Some(mail.config()),
        fixed_clock,
        ..Options::default()
    };
    TestApp::spawn_with(backend, options)
        .await
        .unwrap_or_else(|e| panic!("spawn: {e:#}"))
}

/// GET `path` in `browser`: the status and the page.
pub async fn get(app: &TestApp, browser: &reqwest::Client, path: &str) -> (u16, String) {
    let response = browser.get(app.url(path)).send().await;
    let response = response.unwrap_or_else(|e| panic!("{e}"));
    let status = response.status().as_u16();
    (status, response.text().await.unwrap_or_default())
}

/// POST `form` to `path` in `browser`: the status, the page, and where it redirects.
pub async fn post(
    app: &TestApp,
    browser: &reqwest::Client,
    path: &str,
    form: &[(&str, &str)],
) -> (u16, String, Option<String>) {
    let response = browser.post(app.url(path)).form(form).send().await;
    let response = response.unwrap_or_else(|e| panic!("{e}"));
    let status = response.status().as_u16();
    let location = response
        .headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    (status, response.text().await.unwrap_or_default(), location)
}

/// The code page's hidden challenge id.
pub fn challenge_of(page: &str) -> String {
    hidden(page, "challenge")
}

/// A page without its script nonce, which differs on every answer.
pub fn without_nonce(page: &str) -> String {
    match page.split_once(r#"nonce=""#) {
        Some((before, after)) => {
            let rest = after.split_once('"').map_or("", |(_, rest)| rest);
            format!("{before}{}", without_nonce(rest))
        }
        None => page.to_owned(),
    }
}
