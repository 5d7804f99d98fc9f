//! Second factors: an authenticator app (TOTP) and recovery codes after the password,
//! passkeys (a software authenticator speaking WebAuthn), the policies that ask for them, and
//! their removal by an administrator.

mod authenticator;
mod console;
mod passkeys;
mod policy;
mod totp;

use latchkey_core::totp as rfc6238;
use openidconnect::core::{CoreAuthenticationFlow, CoreClient, CoreProviderMetadata};
use openidconnect::{
    AuthorizationCode, ClientId, ClientSecret, CsrfToken, IssuerUrl, Nonce, RedirectUrl,
    TokenResponse,
};
use serde_json::json;

use crate::oidc::authorization_code::{browser, hidden};
use crate::support::walk::{sign_in_as, walk};
use crate::support::{Admin, TestApp};

pub const CALLBACK: &str = "https://app.example.com/callback";

/// Alice, and a Traditional application (`requireMfa` as given); its id and secret.
pub async fn set_up(admin: &Admin<'_>, require_mfa: bool) -> (String, String) {
    admin
        .post(
            "/api/users",
            json!({"username": "alice", "primaryEmail": "alice@example.com", "password": "correct horse battery"}),
        )
        .await;
    let (_, web) = admin
        .post(
            "/api/applications",
            json!({"name": "Web", "type": "Traditional",
                "oidcClientMetadata": {"redirectUris": [CALLBACK]},
                "customClientMetadata": {"requireMfa": require_mfa}}),
        )
        .await;
    let text = |v: &serde_json::Value| v.as_str().unwrap_or_default().to_owned();
    (text(&web["id"]), text(&web["secret"]))
}

/// An `openidconnect` client of the application.
pub async fn client(app: &TestApp, (id, secret): &(String, String)) -> RpClient {
    let issuer = IssuerUrl::new(app.issuer.clone()).unwrap_or_else(|e| panic!("{e}"));
    let metadata = CoreProviderMetadata::discover_async(issuer, &app.http)
        .await
        .unwrap_or_else(|e| panic!("{e:?}"));
    CoreClient::from_provider_metadata(
        metadata,
        ClientId::new(id.clone()),
        Some(ClientSecret::new(secret.clone())),
    )
    .set_redirect_uri(RedirectUrl::new(CALLBACK.into()).unwrap_or_else(|e| panic!("{e}")))
}

pub type RpClient = CoreClient<
    openidconnect::EndpointSet,
    openidconnect::EndpointNotSet,
    openidconnect::EndpointNotSet,
    openidconnect::EndpointNotSet,
    openidconnect::EndpointMaybeSet,
    openidconnect::EndpointMaybeSet,
>;

/// An authorization URL of `client` (with `acr_values` if given) and its nonce.
pub fn auth_url(client: &RpClient, acr: Option<&str>) -> (String, Nonce) {
    let mut request = client.authorize_url(
        CoreAuthenticationFlow::AuthorizationCode,
        CsrfToken::new_random,
        Nonce::new_random,
    );
    if let Some(acr) = acr {
        request = request
            .add_auth_context_value(openidconnect::AuthenticationContextClass::new(acr.into()));
    }
    let (url, _, nonce) = request.url();
    (url.to_string(), nonce)
}

/// The code of `back`, exchanged by `client`: the ID token's `amr` and `acr`.
pub async fn amr_and_acr(
    app: &TestApp,
    client: &RpClient,
    back: &url::Url,
    nonce: &Nonce,
) -> (Vec<String>, String) {
    let code = crate::oidc::authorization_code::code_of(back);
    let tokens = client
        .exchange_code(AuthorizationCode::new(code))
        .unwrap_or_else(|e| panic!("{e}"))
        .request_async(&app.http)
        .await
        .unwrap_or_else(|e| panic!("code exchange: {e:?}"));
    let id_token = tokens.id_token().unwrap_or_else(|| panic!("no ID token"));
    let claims = id_token
        .claims(&client.id_token_verifier(), nonce)
        .unwrap_or_else(|e| panic!("ID token: {e:?}"));
    let amr = claims
        .auth_method_refs()
        .map(|list| list.iter().map(|m| m.to_string()).collect())
        .unwrap_or_default();
    let acr = claims
        .auth_context_ref()
        .map(|a| a.to_string())
        .unwrap_or_default();
    (amr, acr)
}

/// A browser signed in as alice on her account pages.
pub async fn account_browser(app: &TestApp) -> reqwest::Client {
    let browser = browser();
    let stop = walk(app, &browser, &app.url("/account")).await;
    sign_in_as(app, &browser, stop, "alice")
        .await
        .page("/account");
    browser
}

/// Enroll an authenticator app for the browser's user at the app's `now`: its key and the
/// recovery codes shown.
pub async fn enrol_totp(app: &TestApp, browser: &reqwest::Client) -> (Vec<u8>, Vec<String>) {
    let page = get_text(browser, &app.url("/account/security/totp")).await;
    let secret = hidden(&page, "secret");
    let key = rfc6238::decode_base32(&secret).unwrap_or_else(|| panic!("base32 {secret}"));
    let code = rfc6238::code_at(&key, app.state.clock.now_ms());
    let form = [
        ("csrf", hidden(&page, "csrf")),
        ("secret", secret),
        ("code", code),
    ];
    let shown = post(browser, &app.url("/account/security/totp"), &form).await;
    assert_eq!(shown.status(), 200);
    (key, codes_in(&shown.text().await.unwrap_or_default()))
}

/// The recovery codes a page shows.
pub fn codes_in(page: &str) -> Vec<String> {
    page.split("<li><code>")
        .skip(1)
        .filter_map(|rest| rest.split("</code>").next())
        .map(str::to_owned)
        .collect()
}

pub async fn get_text(browser: &reqwest::Client, url: &str) -> String {
    let response = browser
        .get(url)
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(response.status(), 200, "{url}");
    response.text().await.unwrap_or_default()
}

pub async fn post(
    browser: &reqwest::Client,
    url: &str,
    form: &[(&str, String)],
) -> reqwest::Response {
    browser
        .post(url)
        .form(form)
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"))
}

/// The path a response redirects to.
pub fn location(response: &reqwest::Response) -> String {
    assert_eq!(response.status(), 303, "expected a redirect");
    let location = response.headers()["location"].to_str().unwrap_or_default();
    location.to_owned()
}

/// A server with `options`.
pub async fn spawn(backend: crate::support::Backend, options: crate::support::Options) -> TestApp {
    TestApp::spawn_with(backend, options)
        .await
        .unwrap_or_else(|e| panic!("{e:#}"))
}

/// GET `url` (absolute, or a path on the server): where its redirect leads.
pub async fn redirect_of(app: &TestApp, browser: &reqwest::Client, url: &str) -> String {
    let url = match url.starts_with('/') {
        true => app.url(url),
        false => url.to_owned(),
    };
    let response = browser
        .get(&url)
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    location(&response)
}

/// Give alice's password on the sign-in page at `path`: where the answer leads.
pub async fn give_password(app: &TestApp, browser: &reqwest::Client, path: &str) -> String {
    let page = get_text(browser, &app.url(path)).await;
    let form = [
        ("csrf", hidden(&page, "csrf")),
        ("identifier", "alice".to_owned()),
        ("password", "correct horse battery".to_owned()),
    ];
    location(&post(browser, &app.url(path), &form).await)
}

/// Start `auth_url` in a new browser and give alice's password: the second step's path.
pub async fn password_step(app: &TestApp, browser: &reqwest::Client, auth_url: &str) -> String {
    let sign_in = redirect_of(app, browser, auth_url).await;
    let next = give_password(app, browser, &sign_in).await;
    assert!(next.starts_with("/second-factor/"), "{next}");
    next
}

/// Type `code` on the second step: the response.
pub async fn type_code(
    app: &TestApp,
    browser: &reqwest::Client,
    path: &str,
    code: &str,
) -> reqwest::Response {
    let page = get_text(browser, &app.url(path)).await;
    let form = [("csrf", hidden(&page, "csrf")), ("code", code.to_owned())];
    post(browser, &app.url(path), &form).await
}

/// Follow a redirect to resume until the client is reached.
pub async fn to_client(
    app: &TestApp,
    browser: &reqwest::Client,
    response: &reqwest::Response,
) -> url::Url {
    let resume = location(response);
    match walk(app, browser, &app.url(&resume)).await {
        crate::support::walk::Stop::Client(url) => url,
        other => panic!("expected the client, got {other:?}"),
    }
}
