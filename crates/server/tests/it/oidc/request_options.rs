//! Options of the authorization request: `prompt=login`, `max_age`, `response_mode=form_post`,
//! unknown parameters, and a PKCE downgrade at the token endpoint.

use serde_json::json;

use crate::oidc::authorization_code::{browser, sign_in};
use crate::support::{Admin, TestApp, backends};

struct Fixture {
    id: String,
    secret: String,
}

async fn fixture(app: &TestApp) -> Fixture {
    let admin = Admin::new(app).await;
    admin
        .post(
            "/api/users",
            json!({"username": "alice", "password": "correct horse battery"}),
        )
        .await;
    let (_, web) = admin
        .post("/api/applications", json!({"name": "Web", "type": "Traditional", "oidcClientMetadata": {"redirectUris": ["https://app.example.com/callback"]}}))
        .await;
    Fixture {
        id: web["id"].as_str().unwrap_or_default().to_owned(),
        secret: web["secret"].as_str().unwrap_or_default().to_owned(),
    }
}

fn auth_url(app: &TestApp, f: &Fixture, extra: &str) -> String {
    format!(
        "{}/oidc/auth?client_id={}&redirect_uri=https%3A%2F%2Fapp.example.com%2Fcallback&response_type=code&scope=openid&state=st{extra}",
        app.address, f.id
    )
}

async fn first_hop(browser: &reqwest::Client, url: &str) -> reqwest::Response {
    browser
        .get(url)
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"))
}

fn location(response: &reqwest::Response) -> String {
    response
        .headers()
        .get("location")
        .map(|v| v.to_str().unwrap_or_default().to_owned())
        .unwrap_or_default()
}

#[tokio::test]
async fn prompt_login_and_max_age_force_a_new_sign_in_and_unknown_parameters_are_ignored() {
    for backend in backends() {
        let app = TestApp::spawn(backend).await;
        let f = fixture(&app).await;
        let browser = browser();
        sign_in(
            &app,
            &browser,
            &auth_url(&app, &f, "&unknown_parameter=ignored"),
            "alice",
            "correct horse battery",
        )
        .await;

        let sso = first_hop(&browser, &auth_url(&app, &f, "&max_age=3600")).await;
        assert!(
            location(&sso).starts_with("https://app.example.com/callback?code="),
            "a recent enough session is used"
        );
        for extra in ["&prompt=login", "&max_age=0"] {
            let forced = first_hop(&browser, &auth_url(&app, &f, extra)).await;
            assert!(
                location(&forced).starts_with("/sign-in/"),
                "{extra} asks for the password again"
            );
        }
        let none = first_hop(&browser, &auth_url(&app, &f, "&prompt=none&max_age=0")).await;
        assert!(location(&none).contains("error=login_required"));
    }
}

#[tokio::test]
async fn form_post_answers_with_a_self_submitting_form_and_a_nonce_bound_script() {
    let app = TestApp::spawn(crate::support::Backend::Sqlite).await;
    let f = fixture(&app).await;
    let browser = browser();
    sign_in(
        &app,
        &browser,
        &auth_url(&app, &f, ""),
        "alice",
        "correct horse battery",
    )
    .await;
    let page = first_hop(&browser, &auth_url(&app, &f, "&response_mode=form_post")).await;
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

#[tokio::test]
async fn a_verifier_for_a_code_issued_without_pkce_is_a_downgrade() {
    let app = TestApp::spawn(crate::support::Backend::Sqlite).await;
    let f = fixture(&app).await;
    let back = sign_in(
        &app,
        &browser(),
        &auth_url(&app, &f, ""),
        "alice",
        "correct horse battery",
    )
    .await;
    let code = crate::oidc::authorization_code::code_of(&back);
    let form = [
        ("grant_type", "authorization_code"),
        ("code", code.as_str()),
        ("redirect_uri", "https://app.example.com/callback"),
        (
            "code_verifier",
            "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk",
        ),
    ];
    let response = app.token(&form, Some((&f.id, &f.secret))).await;
    assert_eq!(response.status(), 400);
    let body: serde_json::Value = response.json().await.unwrap_or_default();
    assert_eq!(body["error"], "invalid_grant");
}
