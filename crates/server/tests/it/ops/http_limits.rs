//! Hostile requests against HTTP itself: oversized or malformed inputs answered at once with
//! the right status, and the security headers every response or page must carry.

use std::time::{Duration, Instant};

use crate::support::{Admin, Options, TestApp, backends};

async fn status(request: reqwest::RequestBuilder) -> Option<u16> {
    request.send().await.map(|r| r.status().as_u16()).ok()
}

fn form(app: &TestApp, body: &'static [u8]) -> reqwest::RequestBuilder {
    let request = app.http.post(app.url("/oidc/token"));
    let request = request.header("content-type", "application/x-www-form-urlencoded");
    request.body(body)
}

fn json_body(
    app: &TestApp,
    token: &str,
    body: impl Into<reqwest::Body>,
) -> reqwest::RequestBuilder {
    let request = app
        .http
        .post(app.url("/api/applications"))
        .bearer_auth(token);
    request
        .header("content-type", "application/json")
        .body(body)
}

/// A 10 MB body to the token endpoint is 413 within milliseconds.
#[tokio::test]
async fn an_oversized_form_is_413_at_once() {
    for backend in backends() {
        let app = TestApp::spawn(backend).await;
        let started = Instant::now();
        let big = app
            .http
            .post(app.url("/oidc/token"))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(vec![b'a'; 10 * 1024 * 1024]);
        assert_eq!(status(big).await, Some(413));
        assert!(
            started.elapsed() < Duration::from_secs(2),
            "{:?}",
            started.elapsed()
        );
    }
}

/// An over-long query string is 414 before any parsing.
#[tokio::test]
async fn an_over_long_query_string_is_414() {
    for backend in backends() {
        let app = TestApp::spawn(backend).await;
        let long = format!("{}/oidc/auth?state={}", app.address, "x".repeat(20_000));
        assert_eq!(status(app.http.get(&long)).await, Some(414));
    }
}

/// Oversized headers are 431 (hyper's limit) or a closed connection, never a 500.
#[tokio::test]
async fn oversized_headers_are_431() {
    for backend in backends() {
        let app = TestApp::spawn(backend).await;
        let huge = app.http.get(app.url("/oidc/jwks"));
        let huge = status(huge.header("x-filler", "y".repeat(512 * 1024))).await;
        assert!(huge.is_none_or(|s| s == 431), "{huge:?}");
    }
}

/// The management API refuses a JSON body over its limit (413), or the caller first (401).
#[tokio::test]
async fn an_oversized_json_body_is_413() {
    for backend in backends() {
        let app = TestApp::spawn(backend).await;
        let json = status(json_body(&app, "x", vec![b' '; 1024 * 1024])).await;
        assert!(matches!(json, Some(401 | 413)), "{json:?}");
    }
}

/// Every response: nosniff, no referrer, no HSTS over http.
#[tokio::test]
async fn every_response_carries_nosniff_and_no_referrer() {
    for backend in backends() {
        let app = TestApp::spawn(backend).await;
        let page = app.http.get(app.url("/account/apps")).send().await;
        let page = page.unwrap_or_else(|e| panic!("{e}"));
        let h = page.headers();
        assert_eq!(h["x-content-type-options"], "nosniff");
        assert_eq!(h["referrer-policy"], "no-referrer");
        assert!(
            h.get("strict-transport-security").is_none(),
            "no HSTS over http"
        );
    }
}

/// A hosted page: CSP with a nonce and no unsafe-inline, no framing, no caching.
#[tokio::test]
async fn a_hosted_page_carries_a_nonce_csp_and_no_framing_or_caching() {
    for backend in backends() {
        let app = TestApp::spawn(backend).await;
        let error = app
            .http
            .get(app.url("/oidc/auth?client_id=nobody"))
            .send()
            .await;
        let error = error.unwrap_or_else(|e| panic!("{e}"));
        let h = error.headers();
        let csp = h["content-security-policy"].to_str().unwrap_or_default();
        assert!(csp.contains("script-src 'nonce-") && csp.contains("frame-ancestors 'none'"));
        assert!(!csp.contains("unsafe-inline") && !csp.contains("unsafe-eval"));
        assert_eq!(h["x-frame-options"], "DENY");
        assert_eq!(h["cache-control"], "no-store");
    }
}

/// Token endpoint answers are never cached, errors included.
#[tokio::test]
async fn token_answers_are_never_cached_errors_included() {
    for backend in backends() {
        let app = TestApp::spawn(backend).await;
        let token = app.http.post(app.url("/oidc/token"));
        let token = token
            .form(&[("grant_type", "client_credentials")])
            .send()
            .await;
        let token = token.unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(token.headers()["cache-control"], "no-store");
    }
}

#[tokio::test]
async fn hsts_is_sent_when_the_public_url_is_https() {
    let options = Options {
        public_url: Some("https://id.example.com".into()),
        ..Options::default()
    };
    let app = TestApp::spawn_with(backends()[0], options)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let response = app.http.get(app.url("/oidc/jwks")).send().await;
    let response = response.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        response.headers()["strict-transport-security"],
        "max-age=31536000"
    );
}

/// Invalid UTF-8 in a form is invalid_request.
#[tokio::test]
async fn invalid_utf8_in_a_form_is_invalid_request() {
    for backend in backends() {
        let app = TestApp::spawn(backend).await;
        let bad = form(&app, b"grant_type=client_credentials&scope=%FF%FE")
            .send()
            .await;
        let bad = bad.unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(bad.status(), 400);
        let body = bad.json::<serde_json::Value>().await.unwrap_or_default();
        assert_eq!(body["error"], "invalid_request");
    }
}

/// NUL and control characters in a parameter are refused before anything else; at the
/// authorization endpoint with an error page, never a redirect.
#[tokio::test]
async fn control_characters_in_a_parameter_are_refused() {
    for backend in backends() {
        let app = TestApp::spawn(backend).await;
        assert_eq!(
            status(form(&app, b"grant_type=client_credentials%00")).await,
            Some(400)
        );
        let url = format!("{}/oidc/auth?client_id=x&state=a%00b", app.address);
        let page = app.http.get(&url).send().await;
        let page = page.unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(page.status(), 400);
        assert!(page.headers().get("location").is_none());
    }
}

/// The management API: no body or malformed JSON is 400 (or 415), never a 500.
#[tokio::test]
async fn malformed_json_is_400() {
    for backend in backends() {
        let app = TestApp::spawn(backend).await;
        let admin = Admin::new(&app).await;
        let (none, _, _) = admin
            .send(reqwest::Method::POST, "/api/applications", None)
            .await;
        assert!(matches!(none, 400 | 415), "no body: {none}");
        assert_eq!(
            status(json_body(&app, &admin.token, "{\"name\": ")).await,
            Some(400)
        );
        let bytes = vec![b'{', b'"', 0xFF, b'"', b':', b'1', b'}'];
        assert_eq!(
            status(json_body(&app, &admin.token, bytes)).await,
            Some(400)
        );
    }
}

/// A control character in a name is 422.
#[tokio::test]
async fn a_control_character_in_a_name_is_422() {
    for backend in backends() {
        let app = TestApp::spawn(backend).await;
        let admin = Admin::new(&app).await;
        let control = serde_json::json!({"name": "A\u{0000}B", "type": "Traditional"});
        assert_eq!(admin.post("/api/applications", control).await.0, 422);
    }
}
