//! RP-Initiated Logout 1.0: `/oidc/session/end`.

use openidconnect::core::{CoreAuthenticationFlow, CoreClient, CoreProviderMetadata};
use openidconnect::{
    AuthorizationCode, ClientId, ClientSecret, CsrfToken, IssuerUrl, Nonce, RedirectUrl,
};
use serde_json::json;

use crate::oidc::authorization_code::{browser, sign_in};
use crate::support::{Admin, Authorize, TestApp, backends};

fn location(response: &reqwest::Response) -> Option<String> {
    response
        .headers()
        .get("location")
        .map(|v| v.to_str().unwrap_or_default().to_owned())
}

async fn prompt_none_error(
    app: &TestApp,
    browser: &reqwest::Client,
    client_id: &str,
) -> Option<String> {
    let query = format!(
        "client_id={client_id}&redirect_uri=https%3A%2F%2Fapp.example.com%2Fcallback&response_type=code&scope=openid&prompt=none"
    );
    let response = browser
        .get(app.url(&format!("/oidc/auth?{query}")))
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let back = url::Url::parse(&location(&response)?).ok()?;
    back.query_pairs()
        .find(|(n, _)| n == "error")
        .map(|(_, v)| v.into_owned())
}

#[tokio::test]
async fn an_id_token_hint_signs_out_at_once_and_redirects_only_to_registered_uris() {
    for backend in backends() {
        let app = TestApp::spawn(backend).await;
        let admin = Admin::new(&app).await;
        admin
            .post(
                "/api/users",
                json!({"username": "alice", "password": "correct horse battery"}),
            )
            .await;
        let (_, web) = admin
            .post("/api/applications", json!({"name": "Web", "type": "Traditional", "oidcClientMetadata": {
                "redirectUris": ["https://app.example.com/callback"], "postLogoutRedirectUris": ["https://app.example.com/bye"]}}))
            .await;
        let id = web["id"].as_str().unwrap_or_default();
        let metadata = CoreProviderMetadata::discover_async(
            IssuerUrl::new(app.issuer.clone()).unwrap_or_else(|e| panic!("{e}")),
            &app.http,
        )
        .await
        .unwrap_or_else(|e| panic!("{e:?}"));
        let client = CoreClient::from_provider_metadata(
            metadata,
            ClientId::new(id.into()),
            web["secret"].as_str().map(|s| ClientSecret::new(s.into())),
        )
        .set_redirect_uri(
            RedirectUrl::new("https://app.example.com/callback".into())
                .unwrap_or_else(|e| panic!("{e}")),
        );
        let (url, _, _) = client
            .authorize_url(
                CoreAuthenticationFlow::AuthorizationCode,
                CsrfToken::new_random,
                Nonce::new_random,
            )
            .url();
        let browser = browser();
        let back = sign_in(
            &app,
            &browser,
            url.as_str(),
            "alice",
            "correct horse battery",
        )
        .await;
        let code = crate::oidc::authorization_code::code_of(&back);
        let tokens = client
            .exchange_code(AuthorizationCode::new(code))
            .unwrap_or_else(|e| panic!("{e}"))
            .request_async(&app.http)
            .await
            .unwrap_or_else(|e| panic!("{e:?}"));
        let hint = openidconnect::TokenResponse::id_token(&tokens)
            .map(|t| t.to_string())
            .unwrap_or_default();
        assert_eq!(
            prompt_none_error(&app, &browser, id).await,
            None,
            "signed in"
        );

        let foreign = format!(
            "/oidc/session/end?id_token_hint={hint}&post_logout_redirect_uri=https%3A%2F%2Fevil.example.com%2F"
        );
        let refused = browser
            .get(app.url(&foreign))
            .send()
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!((refused.status().as_u16(), location(&refused)), (400, None));

        let end = format!(
            "/oidc/session/end?id_token_hint={hint}&post_logout_redirect_uri=https%3A%2F%2Fapp.example.com%2Fbye&state=s1"
        );
        let ended = browser
            .get(app.url(&end))
            .send()
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(ended.status(), 303);
        assert_eq!(
            location(&ended).as_deref(),
            Some("https://app.example.com/bye?state=s1")
        );
        assert_eq!(
            prompt_none_error(&app, &browser, id).await.as_deref(),
            Some("login_required"),
            "the session is gone"
        );
    }
}

#[tokio::test]
async fn without_a_hint_the_user_is_asked_first() {
    let app = TestApp::spawn(crate::support::Backend::Sqlite).await;
    let admin = Admin::new(&app).await;
    admin
        .post(
            "/api/users",
            json!({"username": "alice", "password": "correct horse battery"}),
        )
        .await;
    let (_, web) = admin
        .post("/api/applications", json!({"name": "Web", "type": "Traditional", "oidcClientMetadata": {"redirectUris": ["https://app.example.com/callback"]}}))
        .await;
    let id = web["id"].as_str().unwrap_or_default();
    let browser = browser();
    let start = Authorize::new(id).url(&app);
    sign_in(&app, &browser, &start, "alice", "correct horse battery").await;

    let asked = browser
        .get(app.url("/oidc/session/end"))
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(asked.status(), 200);
    let page = asked.text().await.unwrap_or_default();
    assert!(page.contains("Do you want to sign out?"));
    assert!(
        page.contains(r#"<a class="button secondary" href="/account">Cancel</a>"#),
        "{page}"
    );
    assert_eq!(
        prompt_none_error(&app, &browser, id).await,
        None,
        "asking signs nobody out"
    );
    let marker = r#"name="csrf" value=""#;
    let csrf = page
        .split(marker)
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .unwrap_or_default()
        .to_owned();

    let forged = reqwest::Client::new()
        .post(app.url("/oidc/session/end/confirm"))
        .form(&[("csrf", csrf.as_str())])
        .send()
        .await;
    assert_eq!(
        forged.map(|r| r.status().as_u16()).ok(),
        Some(400),
        "no cookie, no sign-out"
    );
    let confirmed = browser
        .post(app.url("/oidc/session/end/confirm"))
        .form(&[("csrf", csrf.as_str())])
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(confirmed.status(), 200);
    assert!(
        confirmed
            .text()
            .await
            .unwrap_or_default()
            .contains("You are signed out.")
    );
    assert_eq!(
        prompt_none_error(&app, &browser, id).await.as_deref(),
        Some("login_required")
    );
}

/// A browser with no session has nothing to sign out of: it is told so, not asked.
#[tokio::test]
async fn without_a_session_there_is_nothing_to_ask() {
    let app = TestApp::spawn(crate::support::Backend::Sqlite).await;
    let answer = browser()
        .get(app.url("/oidc/session/end"))
        .header("accept-language", "fr")
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(answer.status(), 200);
    let page = answer.text().await.unwrap_or_default();
    assert!(page.contains("Vous n’êtes pas connecté."), "{page}");
    assert!(!page.contains("<form"), "{page}");
}

/// RP-Initiated Logout §3: an unregistered `post_logout_redirect_uri` is never followed,
/// with or without a hint (the hinted case is above).
#[tokio::test]
async fn an_unregistered_post_logout_redirect_uri_is_never_followed() {
    for backend in backends() {
        let app = TestApp::spawn(backend).await;
        let admin = Admin::new(&app).await;
        let metadata = json!({"redirectUris": ["https://app.example.com/cb"],
            "postLogoutRedirectUris": ["https://app.example.com/bye"]});
        let body = json!({"name": "Web", "type": "Traditional", "oidcClientMetadata": metadata});
        let (_, web) = admin.post("/api/applications", body).await;
        let evil = format!(
            "{}/oidc/session/end?client_id={}&post_logout_redirect_uri=https%3A%2F%2Fevil.com%2F",
            app.address,
            web["id"].as_str().unwrap_or_default()
        );
        let stop = crate::support::walk::walk(&app, &browser(), &evil).await;
        assert!(
            !matches!(stop, crate::support::walk::Stop::Client(_)),
            "{stop:?}"
        );
    }
}
