//! Walking Latchkey's hosted pages as a browser would: follow redirects while they stay on
//! Latchkey, fill the sign-in and consent forms, stop at a page or back at the client.

use crate::oidc::authorization_code::hidden;
use crate::support::TestApp;

/// Where a walk through Latchkey's redirects stops: one of its pages, or back at the client.
#[derive(Debug)]
pub enum Stop {
    Page(String, String),
    Client(url::Url),
    /// A page answered with another status than 200.
    Status(u16, String),
}

impl Stop {
    pub fn client(self) -> url::Url {
        match self {
            Self::Client(url) => url,
            other => panic!("expected the client, got {other:?}"),
        }
    }

    pub fn page(self, prefix: &str) -> (String, String) {
        match self {
            Self::Page(path, html) if path.starts_with(prefix) => (path, html),
            other => panic!("expected a {prefix} page, got {other:?}"),
        }
    }
}

/// Follow redirects while they stay on Latchkey.
pub async fn walk(app: &TestApp, browser: &reqwest::Client, start: &str) -> Stop {
    let mut next = start.to_owned();
    for _ in 0..10 {
        let response = browser
            .get(&next)
            .send()
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        if response.status().is_redirection() {
            let location = response.headers()["location"].to_str().unwrap_or_default();
            next = match location {
                l if l.starts_with('/') => app.url(l),
                // The console is a client of Latchkey on Latchkey's own origin.
                l if l.starts_with(&format!("{}/", app.address)) => l.to_owned(),
                l => return Stop::Client(url::Url::parse(l).unwrap_or_else(|e| panic!("{e}"))),
            };
            continue;
        }
        let (status, path) = (response.status().as_u16(), response.url().path().to_owned());
        let body = response.text().await.unwrap_or_default();
        return match status {
            200 => Stop::Page(path, body),
            _ => Stop::Status(status, body),
        };
    }
    panic!("too many redirects from {start}")
}

/// Post a hosted page's form and follow where it leads.
pub async fn submit(
    app: &TestApp,
    browser: &reqwest::Client,
    path: &str,
    form: &[(&str, String)],
) -> Stop {
    let response = browser
        .post(app.url(path))
        .form(form)
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(response.status(), 303, "{path}");
    let location = response.headers()["location"].to_str().unwrap_or_default();
    match location.starts_with('/') {
        true => walk(app, browser, &app.url(location)).await,
        false => Stop::Client(url::Url::parse(location).unwrap_or_else(|e| panic!("{e}"))),
    }
}

/// Sign in as alice if the walk stopped at the sign-in page.
pub async fn sign_in_if_asked(app: &TestApp, browser: &reqwest::Client, stop: Stop) -> Stop {
    match &stop {
        Stop::Page(path, _) if path.starts_with("/sign-in/") => {
            sign_in_as(app, browser, stop, "alice").await
        }
        _ => stop,
    }
}

/// Fill the sign-in page the walk stopped at (every test user's password is the same).
pub async fn sign_in_as(
    app: &TestApp,
    browser: &reqwest::Client,
    stop: Stop,
    identifier: &str,
) -> Stop {
    let (path, html) = stop.page("/sign-in/");
    let form = [
        ("csrf", hidden(&html, "csrf")),
        ("identifier", identifier.to_owned()),
        ("password", "correct horse battery".to_owned()),
    ];
    submit(app, browser, &path, &form).await
}

/// Answer the consent page with `decision` (`authorize` or `cancel`).
pub async fn answer(
    app: &TestApp,
    browser: &reqwest::Client,
    page: (String, String),
    decision: &str,
) -> Stop {
    let (path, html) = page;
    let form = [
        ("csrf", hidden(&html, "csrf")),
        ("user", hidden(&html, "user")),
        ("decision", decision.to_owned()),
    ];
    submit(app, browser, &path, &form).await
}

pub fn param(url: &url::Url, name: &str) -> Option<String> {
    url.query_pairs()
        .find(|(n, _)| n == name)
        .map(|(_, v)| v.into_owned())
}
