//! Hostile authorization requests aimed at the redirect URI: every variation of a registered
//! URI is an error page (400) that never redirects and never issues a code; only the exact
//! string (or, for a native app, another port on a loopback IP) is accepted.

use serde_json::json;

use crate::support::{Admin, TestApp, backends};

const REGISTERED: &str = "https://app.example.com/callback";

/// The variations an attacker tries, each with the rule or advisory it guards against.
const VARIANTS: &[(&str, &str)] = &[
    // Redirect URIs are compared byte for byte, so path traversal after the registered path fails.
    ("https://app.example.com/callback/../evil", "path traversal"),
    // Byte for byte: no case folding of the path (lenient matching is a recurring IdP advisory).
    ("https://app.example.com/Callback", "changed case"),
    // Byte for byte: no case folding of the host either.
    ("https://APP.example.com/callback", "changed host case"),
    // Byte for byte: no percent-decoding, so an encoded traversal is a different string.
    (
        "https://app.example.com/callback%2F..%2Fevil",
        "encoded traversal",
    ),
    // No userinfo trick that sends the code to another host (open-redirect advisories).
    (
        "https://app.example.com@evil.com/callback",
        "userinfo to another host",
    ),
    // No extra query: a registered URI without one must not grow parameters.
    (
        "https://app.example.com/callback?next=https://evil.com",
        "extra query",
    ),
    // No fragment in a redirect URI (RFC 6749 §3.1.2).
    ("https://app.example.com/callback#frag", "fragment"),
    // Script schemes are refused in any case.
    ("javascript:alert(document.domain)", "javascript scheme"),
    // Data URIs are refused in any case.
    ("data:text/html,<script>alert(1)</script>", "data scheme"),
    // No downgrade from https to http.
    ("http://app.example.com/callback", "http downgrade"),
    // No default-port normalisation: an explicit :443 is another string.
    (
        "https://app.example.com:443/callback",
        "explicit default port",
    ),
    // No trailing-slash normalisation.
    ("https://app.example.com/callback/", "trailing slash"),
    // The port exception is for native apps on loopback IPs only, never a web app's host.
    (
        "https://app.example.com:8443/callback",
        "another port on a web host",
    ),
    // A look-alike host is simply another host.
    ("https://app.example.com.evil.com/callback", "suffix host"),
    // Whitespace around the value is not trimmed into a match.
    (" https://app.example.com/callback", "leading space"),
];

fn auth(app: &TestApp, client_id: &str, redirect: &str, extra: &str) -> String {
    let query = url::form_urlencoded::Serializer::new(String::new())
        .append_pair("client_id", client_id)
        .append_pair("redirect_uri", redirect)
        .append_pair("response_type", "code")
        .append_pair("scope", "openid")
        .append_pair("state", "st")
        .finish();
    format!("{}/oidc/auth?{query}{extra}", app.address)
}

/// 400, an HTML error page, and no Location header at all.
async fn refused(app: &TestApp, url: &str, why: &str) {
    let response = app
        .http
        .get(url)
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(response.status(), 400, "{why}");
    assert!(
        response.headers().get("location").is_none(),
        "{why}: never redirect"
    );
    let body = response.text().await.unwrap_or_default();
    assert!(body.contains("<html") && !body.contains("code="), "{why}");
}

#[tokio::test]
async fn every_variation_of_a_registered_redirect_uri_is_refused_without_redirecting() {
    for backend in backends() {
        let app = TestApp::spawn(backend).await;
        let admin = Admin::new(&app).await;
        let (_, web) = admin
            .post("/api/applications", json!({"name": "Web", "type": "Traditional",
                "oidcClientMetadata": {"redirectUris": [REGISTERED, "https://app.example.com/other"]}}))
            .await;
        let id = web["id"].as_str().unwrap_or_default();
        for (redirect, why) in VARIANTS {
            refused(&app, &auth(&app, id, redirect, ""), why).await;
        }
        // Duplicated parameters are invalid_request, and shown, not redirected.
        let twice = auth(
            &app,
            id,
            REGISTERED,
            "&redirect_uri=https%3A%2F%2Fevil.com%2F",
        );
        refused(&app, &twice, "duplicated redirect_uri").await;
        // Without redirect_uri and with two registered, nothing can be chosen: an error page.
        let missing = format!(
            "{}/oidc/auth?client_id={id}&response_type=code&scope=openid",
            app.address
        );
        refused(&app, &missing, "missing redirect_uri").await;
        // An unknown client shows an error page even with a valid-looking redirect URI.
        refused(
            &app,
            &auth(&app, "unknown-client", REGISTERED, ""),
            "unknown client",
        )
        .await;
        // Client and redirect URI are checked first: other errors never redirect to a bad URI.
        let bad_both = auth(&app, id, "https://evil.com/", "&response_type=token");
        refused(&app, &bad_both, "bad redirect and bad response_type").await;
        // Control: the exact string is accepted (the walk goes on to sign-in).
        let ok = app.http.get(auth(&app, id, REGISTERED, "")).send().await;
        let ok = ok.unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(ok.status(), 303);
    }
}

#[tokio::test]
async fn only_native_apps_on_loopback_ips_may_change_the_port() {
    for backend in backends() {
        let app = TestApp::spawn(backend).await;
        let admin = Admin::new(&app).await;
        let (_, native) = admin
            .post("/api/applications", json!({"name": "Desktop", "type": "Native",
                "oidcClientMetadata": {"redirectUris": ["http://127.0.0.1/callback", "http://localhost/callback"]}}))
            .await;
        let (_, spa) = admin
            .post(
                "/api/applications",
                json!({"name": "Dev SPA", "type": "SPA",
                "oidcClientMetadata": {"redirectUris": ["http://127.0.0.1:5173/callback"]}}),
            )
            .await;
        let pkce = "&code_challenge=E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM&code_challenge_method=S256";
        let native = native["id"].as_str().unwrap_or_default();
        // RFC 8252 §7.3: a native app on a loopback IP may use any port.
        let any_port = auth(&app, native, "http://127.0.0.1:49152/callback", pkce);
        let accepted = app
            .http
            .get(&any_port)
            .send()
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(accepted.status(), 303);
        // RFC 8252 §8.3: `localhost` is not a loopback IP; its port may not vary.
        let host = auth(&app, native, "http://localhost:49152/callback", pkce);
        refused(&app, &host, "localhost with another port").await;
        // The path still has to match byte for byte on loopback.
        let path = auth(&app, native, "http://127.0.0.1:49152/other", pkce);
        refused(&app, &path, "another path on loopback").await;
        // A web (SPA) app on loopback gets no port exception.
        let spa = spa["id"].as_str().unwrap_or_default();
        let web_port = auth(&app, spa, "http://127.0.0.1:5174/callback", pkce);
        refused(&app, &web_port, "SPA port change").await;
    }
}

#[tokio::test]
async fn third_party_web_apps_redirect_only_to_https() {
    let app = TestApp::spawn(crate::support::Backend::Sqlite).await;
    let admin = Admin::new(&app).await;
    let create = |app_type: &str, third_party: bool, uri: &str| {
        json!({"name": "Partner", "type": app_type, "isThirdParty": third_party,
            "oidcClientMetadata": {"redirectUris": [uri]}})
    };
    // A partner's web app is a production service: loopback http is a development setting.
    for app_type in ["Traditional", "SPA"] {
        for uri in ["http://127.0.0.1:8080/cb", "http://localhost/cb"] {
            let (status, problem) = admin
                .post("/api/applications", create(app_type, true, uri))
                .await;
            assert_eq!(status, 422, "{app_type} {uri}: {problem}");
            assert_eq!(problem["code"], "application.invalid_redirect_uri");
        }
        let (status, _) = admin
            .post(
                "/api/applications",
                create(app_type, true, "https://partner.example/cb"),
            )
            .await;
        assert_eq!(status, 201, "{app_type} https");
        let (status, _) = admin
            .post(
                "/api/applications",
                create(app_type, false, "http://localhost/cb"),
            )
            .await;
        assert_eq!(status, 201, "first-party {app_type} in development");
    }
    // RFC 8252: native apps, first- or third-party, listen on loopback.
    let (status, _) = admin
        .post(
            "/api/applications",
            create("Native", true, "http://127.0.0.1/cb"),
        )
        .await;
    assert_eq!(status, 201);
    // A change of redirect URIs is held to the same rule.
    let (_, partner) = admin
        .post(
            "/api/applications",
            create("SPA", true, "https://partner.example/cb"),
        )
        .await;
    let path = format!(
        "/api/applications/{}",
        partner["id"].as_str().unwrap_or_default()
    );
    let patch = json!({"oidcClientMetadata": {"redirectUris": ["http://localhost:3000/cb"]}});
    assert_eq!(admin.patch(&path, patch).await.0, 422);
}
