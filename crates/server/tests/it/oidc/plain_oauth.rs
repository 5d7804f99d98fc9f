//! OAuth 2.0 without OpenID Connect (RFC 6749): the flow MCP clients run. No `openid` in
//! `scope` is a request for access, not for who the user is: an access token for the
//! `resource`, a refresh token under `offline_access`, and no ID token; userinfo, which is
//! OpenID Connect's, refuses such a token.

use serde_json::{Value, json};

use crate::oidc::authorization_code::browser;
use crate::oidc::pkce::{PKCE, VERIFIER};
use crate::support::walk::{param, sign_in_if_asked, walk};
use crate::support::{Admin, Authorize, CALLBACK, TestApp, backends, verify_access_token};

const DOCS: &str = "https://docs.example.com";

/// Alice signs in to a public client for `scope` (and `resource`, if any); the code's
/// token response.
async fn tokens(app: &TestApp, scope: &str, resource: Option<&str>) -> (String, Value) {
    tokens_naming(app, scope, resource, resource).await
}

/// The same, naming the API as `at_auth` at the authorization endpoint and as `at_token`
/// at the token endpoint.
async fn tokens_naming(
    app: &TestApp,
    scope: &str,
    at_auth: Option<&str>,
    at_token: Option<&str>,
) -> (String, Value) {
    let admin = Admin::new(app).await;
    admin.alice().await;
    let docs = json!({"name": "Docs", "indicator": DOCS});
    assert_eq!(admin.post("/api/resources", docs).await.0, 201);
    let spa = admin.client("Agent", "SPA").await;
    let mut request = Authorize::new(&spa.id).set("scope", scope).query(PKCE);
    if let Some(resource) = at_auth {
        request = request.set("resource", resource);
    }
    let browser = browser();
    let stop = walk(app, &browser, &request.url(app)).await;
    let back = sign_in_if_asked(app, &browser, stop).await.client();
    let code = param(&back, "code").unwrap_or_else(|| panic!("no code in {back}"));
    let mut form = vec![
        ("grant_type", "authorization_code"),
        ("code", code.as_str()),
        ("redirect_uri", CALLBACK),
        ("client_id", spa.id.as_str()),
        ("code_verifier", VERIFIER),
    ];
    form.extend(at_token.map(|r| ("resource", r)));
    let (status, body) = app.post_form("/oidc/token", &form, None).await;
    assert_eq!(status, 200, "{body}");
    (spa.id, body)
}

#[tokio::test]
async fn without_openid_the_api_token_and_refresh_token_come_without_an_id_token() {
    for backend in backends() {
        let app = TestApp::spawn(backend).await;
        let (client, body) = tokens(&app, "offline_access", Some(DOCS)).await;
        assert!(body.get("id_token").is_none(), "{body}");
        let access = body["access_token"].as_str().unwrap_or_default();
        verify_access_token(&app, access, DOCS).await;
        let refresh = body["refresh_token"].as_str().unwrap_or_default();
        assert!(
            !refresh.is_empty(),
            "offline_access gives a refresh token: {body}"
        );
        // A refresh without `scope` keeps the grant's, and still no ID token.
        let form = [
            ("grant_type", "refresh_token"),
            ("refresh_token", refresh),
            ("client_id", client.as_str()),
            ("resource", DOCS),
        ];
        let (status, refreshed) = app.post_form("/oidc/token", &form, None).await;
        assert_eq!(status, 200, "{refreshed}");
        assert!(refreshed.get("id_token").is_none(), "{refreshed}");
        let access = refreshed["access_token"].as_str().unwrap_or_default();
        verify_access_token(&app, access, DOCS).await;
    }
}

/// RFC 6750 §3.1: a live token without `openid` is 403 `insufficient_scope` at userinfo.
#[tokio::test]
async fn userinfo_refuses_a_token_issued_without_openid() {
    for backend in backends() {
        let app = TestApp::spawn(backend).await;
        let (_, body) = tokens(&app, "offline_access", None).await;
        let access = body["access_token"].as_str().unwrap_or_default();
        let me = app
            .http
            .get(app.url("/oidc/me"))
            .bearer_auth(access)
            .send()
            .await;
        let me = me.unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(me.status(), 403);
        let challenge = me.headers()["www-authenticate"]
            .to_str()
            .unwrap_or_default();
        assert!(challenge.contains("insufficient_scope"), "{challenge}");
    }
}

/// A `resource` with one trailing `/` more or less names the same API at both endpoints, and
/// the token's `aud` is the registered form.
#[tokio::test]
async fn a_trailing_slash_names_the_same_api() {
    for backend in backends() {
        let app = TestApp::spawn(backend).await;
        let slashed = "https://docs.example.com/";
        let (_, body) = tokens_naming(&app, "offline_access", Some(slashed), Some(DOCS)).await;
        let access = body["access_token"].as_str().unwrap_or_default();
        let claims = verify_access_token(&app, access, DOCS).await;
        assert_eq!(claims["aud"], DOCS, "{claims}");
    }
}

/// A third-party application (an agent) asking for an API without `openid`: the consent page
/// names the API permission, and the token carries what the user's role and the ceiling
/// allow, with no ID token.
#[tokio::test]
async fn a_third_party_agent_gets_consent_and_an_api_token_without_openid() {
    use crate::oidc::third_party::{PARTNER_CALLBACK, id, setup};
    use crate::support::walk::answer;
    for backend in backends() {
        let app = TestApp::spawn(backend).await;
        let admin = Admin::new(&app).await;
        let (_, partner) = setup(&admin, "Traditional", PARTNER_CALLBACK).await;
        let request = Authorize::new(&id(&partner))
            .set("redirect_uri", PARTNER_CALLBACK)
            .set("scope", "read:docs offline_access")
            .set("resource", DOCS);
        let browser = browser();
        let stop = walk(&app, &browser, &request.url(&app)).await;
        let (path, page) = sign_in_if_asked(&app, &browser, stop)
            .await
            .page("/consent/");
        assert!(page.contains("read:docs"), "{page}");
        let back = answer(&app, &browser, (path, page), "authorize")
            .await
            .client();
        let code = param(&back, "code").unwrap_or_else(|| panic!("no code in {back}"));
        let form = [
            ("grant_type", "authorization_code"),
            ("code", code.as_str()),
            ("redirect_uri", PARTNER_CALLBACK),
            ("resource", DOCS),
        ];
        let secret = partner["secret"].as_str().unwrap_or_default();
        let (status, body) = app
            .post_form("/oidc/token", &form, Some((&id(&partner), secret)))
            .await;
        assert_eq!(status, 200, "{body}");
        assert!(body.get("id_token").is_none(), "{body}");
        assert!(body["refresh_token"].is_string(), "{body}");
        let claims = verify_access_token(
            &app,
            body["access_token"].as_str().unwrap_or_default(),
            DOCS,
        )
        .await;
        assert_eq!(claims["scope"], "read:docs", "{claims}");
    }
}
