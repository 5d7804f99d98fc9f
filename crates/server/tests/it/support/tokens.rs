//! A user's tokens for a test: `alice` signs in from a fresh browser (and consents, for a
//! third-party application), then the client redeems the code for `resource`.

use serde_json::Value;

use super::walk::{Stop, answer, param, sign_in_if_asked, walk};
use super::{Authorize, CALLBACK, Client, TestApp};

/// The token response for `client` after `request`, which names `resource`.
pub async fn user_tokens(
    app: &TestApp,
    client: &Client,
    request: Authorize,
    resource: &str,
) -> Value {
    let browser = crate::oidc::authorization_code::browser();
    let request = request.set("resource", resource);
    let stop = walk(app, &browser, &request.url(app)).await;
    let mut stop = sign_in_if_asked(app, &browser, stop).await;
    if matches!(&stop, Stop::Page(path, _) if path.starts_with("/consent/")) {
        stop = answer(app, &browser, stop.page("/consent/"), "authorize").await;
    }
    let code = param(&stop.client(), "code").unwrap_or_default();
    let form = [
        ("grant_type", "authorization_code"),
        ("code", code.as_str()),
        ("redirect_uri", CALLBACK),
        ("resource", resource),
    ];
    let basic = (client.id.as_str(), client.secret.as_str());
    let response = app.token(&form, Some(basic)).await;
    response.json().await.unwrap_or_default()
}
