//! Sign-up on the hosted pages, and turning it off.

use serde_json::json;

use crate::oidc::authorization_code::browser;
use crate::support::{Admin, Authorize, Backend, Options, TestApp, backends};

fn hidden(page: &str, name: &str) -> String {
    let marker = format!(r#"name="{name}" value=""#);
    page.split(&marker)
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .unwrap_or_default()
        .to_owned()
}

async fn start(app: &TestApp, browser: &reqwest::Client) -> String {
    let admin = Admin::new(app).await;
    let (_, web) = admin
        .post("/api/applications", json!({"name": "Web", "type": "Traditional", "oidcClientMetadata": {"redirectUris": ["https://app.example.com/callback"]}}))
        .await;
    let url = Authorize::new(web["id"].as_str().unwrap_or_default()).url(app);
    let hop = browser
        .get(url)
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    hop.headers()["location"]
        .to_str()
        .unwrap_or_default()
        .replace("/sign-in/", "")
}

#[tokio::test]
async fn a_person_creates_an_account_and_is_signed_in() {
    for backend in backends() {
        let app = TestApp::spawn(backend).await;
        let browser = browser();
        let interaction = start(&app, &browser).await;
        let sign_in = browser
            .get(app.url(&format!("/sign-in/{interaction}")))
            .send()
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        assert!(
            sign_in
                .text()
                .await
                .unwrap_or_default()
                .contains(&format!(r#"href="/sign-up/{interaction}""#))
        );
        let path = format!("/sign-up/{interaction}");
        let page = browser
            .get(app.url(&path))
            .send()
            .await
            .unwrap_or_else(|e| panic!("{e}"))
            .text()
            .await
            .unwrap_or_default();
        assert!(page.contains(r#"<label for="username">"#));
        let csrf = hidden(&page, "csrf");

        let short = [
            ("csrf", csrf.as_str()),
            ("username", "bob"),
            ("email", ""),
            ("password", "short"),
        ];
        let refused = browser
            .post(app.url(&path))
            .form(&short)
            .send()
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(refused.status(), 400);
        let page = refused.text().await.unwrap_or_default();
        assert!(
            page.contains(
                r#"id="password-error" role="alert">Choose a password of at least 8 characters."#
            ),
            "{page}"
        );
        // Long enough, but among the most common passwords (NIST SP 800-63B): refused, with
        // the reason next to the field, in the page's language.
        let common = [
            ("csrf", csrf.as_str()),
            ("username", "bob"),
            ("email", ""),
            ("password", "Password1"),
        ];
        let refused = browser
            .post(app.url(&path))
            .header("accept-language", "fr")
            .form(&common)
            .send()
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(refused.status(), 400);
        let page = refused.text().await.unwrap_or_default();
        assert!(page.contains(r#"<p class="error field-error" id="password-error" role="alert">Ce mot de passe fait partie des 10 000 plus courants"#), "{page}");
        assert!(
            page.contains(r#"value="bob""#),
            "what was typed is kept: {page}"
        );
        let form = [
            ("csrf", csrf.as_str()),
            ("username", "bob"),
            ("email", "bob@example.com"),
            ("password", "a long enough password"),
        ];
        let created = browser
            .post(app.url(&path))
            .form(&form)
            .send()
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(created.status(), 303);
        let resume = created.headers()["location"]
            .to_str()
            .unwrap_or_default()
            .to_owned();
        let done = browser
            .get(app.url(&resume))
            .send()
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        assert!(
            done.headers()["location"]
                .to_str()
                .unwrap_or_default()
                .starts_with("https://app.example.com/callback?code=")
        );
        let bob = app
            .state
            .db
            .find_user_by_identifier("bob@example.com")
            .await
            .ok()
            .flatten();
        assert!(bob.is_some_and(|b| b.username.as_deref() == Some("bob")));

        let other = crate::oidc::authorization_code::browser();
        let interaction = start(&app, &other).await;
        let path = format!("/sign-up/{interaction}");
        let page = other
            .get(app.url(&path))
            .send()
            .await
            .unwrap_or_else(|e| panic!("{e}"))
            .text()
            .await
            .unwrap_or_default();
        let taken = [
            ("csrf", hidden(&page, "csrf")),
            ("username", "BOB".into()),
            ("email", String::new()),
            ("password", "another long password".into()),
        ];
        let taken = other
            .post(app.url(&path))
            .form(&taken)
            .send()
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(taken.status(), 400);
        assert!(
            taken
                .text()
                .await
                .unwrap_or_default()
                .contains("already taken")
        );
    }
}

#[tokio::test]
async fn sign_up_can_be_turned_off() {
    let options = Options {
        sign_up: false,
        ..Options::default()
    };
    let app = TestApp::spawn_with(Backend::Sqlite, options)
        .await
        .unwrap_or_else(|e| panic!("{e:#}"));
    let browser = browser();
    let interaction = start(&app, &browser).await;
    let sign_in = browser
        .get(app.url(&format!("/sign-in/{interaction}")))
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(
        !sign_in
            .text()
            .await
            .unwrap_or_default()
            .contains("/sign-up/")
    );
    let page = browser
        .get(app.url(&format!("/sign-up/{interaction}")))
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(page.status(), 400);
}
