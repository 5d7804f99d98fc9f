//! Hostile requests against HTTP itself: oversized inputs answered at once with the right
//! status, and the security headers every response or page must carry.

use std::time::{Duration, Instant};

use crate::support::{Options, TestApp, backends};

#[tokio::test]
async fn oversized_inputs_are_refused_quickly() {
    for backend in backends() {
        let app = TestApp::spawn(backend).await;
        // A 10 MB body to the token endpoint is 413 within milliseconds.
        let started = Instant::now();
        let big = app
            .http
            .post(app.url("/oidc/token"))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(vec![b'a'; 10 * 1024 * 1024])
            .send()
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(big.status(), 413);
        assert!(
            started.elapsed() < Duration::from_secs(2),
            "{:?}",
            started.elapsed()
        );
        // An over-long query string is 414 before any parsing.
        let long = format!("{}/oidc/auth?state={}", app.address, "x".repeat(20_000));
        let status = app
            .http
            .get(&long)
            .send()
            .await
            .map(|r| r.status().as_u16());
        assert_eq!(status.ok(), Some(414));
        // Oversized headers are 431 (hyper's limit), never a 500.
        let huge = app
            .http
            .get(app.url("/oidc/jwks"))
            .header("x-filler", "y".repeat(512 * 1024))
            .send()
            .await
            .map(|r| r.status().as_u16())
            .ok();
        assert!(huge.is_none_or(|s| s == 431), "{huge:?}");
        // Management API: a JSON body over the limit is 413.
        let json = app
            .http
            .post(app.url("/api/applications"))
            .bearer_auth("x")
            .header("content-type", "application/json")
            .body(vec![b' '; 1024 * 1024])
            .send()
            .await
            .map(|r| r.status().as_u16())
            .ok();
        assert!(matches!(json, Some(401 | 413)), "{json:?}");
    }
}

#[tokio::test]
async fn pages_and_tokens_carry_the_security_headers() {
    for backend in backends() {
        let app = TestApp::spawn(backend).await;
        let page = app
            .http
            .get(app.url("/account/apps"))
            .send()
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        let h = page.headers();
        // Every response: nosniff, no referrer.
        assert_eq!(h["x-content-type-options"], "nosniff");
        assert_eq!(h["referrer-policy"], "no-referrer");
        assert!(
            h.get("strict-transport-security").is_none(),
            "no HSTS over http"
        );
        let page = app
            .http
            .get(app.url("/console/sign-in"))
            .send()
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(page.status(), 303);
        // A hosted page: CSP with a nonce and no unsafe-inline, no framing, no caching.
        let error = app
            .http
            .get(app.url("/oidc/auth?client_id=nobody"))
            .send()
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        let h = error.headers();
        let csp = h["content-security-policy"].to_str().unwrap_or_default();
        assert!(csp.contains("script-src 'nonce-") && csp.contains("frame-ancestors 'none'"));
        assert!(!csp.contains("unsafe-inline") && !csp.contains("unsafe-eval"));
        assert_eq!(h["x-frame-options"], "DENY");
        assert_eq!(h["cache-control"], "no-store");
        // Token endpoint answers are never cached, errors included.
        let token = app
            .http
            .post(app.url("/oidc/token"))
            .form(&[("grant_type", "client_credentials")])
            .send()
            .await
            .unwrap_or_else(|e| panic!("{e}"));
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
    let response = app
        .http
        .get(app.url("/oidc/jwks"))
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        response.headers()["strict-transport-security"],
        "max-age=31536000"
    );
}

#[tokio::test]
async fn malformed_and_control_character_input_is_refused() {
    for backend in backends() {
        let app = TestApp::spawn(backend).await;
        let admin = crate::support::Admin::new(&app).await;
        let form = |body: &'static [u8]| {
            app.http
                .post(app.url("/oidc/token"))
                .header("content-type", "application/x-www-form-urlencoded")
                .body(body)
                .send()
        };
        // Invalid UTF-8 in a form is invalid_request.
        let bad = form(b"grant_type=client_credentials&scope=%FF%FE").await;
        let bad = bad.unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(bad.status(), 400);
        assert_eq!(
            bad.json::<serde_json::Value>().await.unwrap_or_default()["error"],
            "invalid_request"
        );
        // NUL and control characters in a parameter are refused before anything else.
        let nul = form(b"grant_type=client_credentials%00")
            .await
            .map(|r| r.status().as_u16());
        assert_eq!(nul.ok(), Some(400));
        // At the authorization endpoint that is an error page, never a redirect.
        let url = format!("{}/oidc/auth?client_id=x&state=a%00b", app.address);
        let page = app
            .http
            .get(&url)
            .send()
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(page.status(), 400);
        assert!(page.headers().get("location").is_none());
        // The management API: malformed JSON is 400, a control character in a name is 422.
        let (status, _, _) = admin
            .send(reqwest::Method::POST, "/api/applications", None)
            .await;
        assert!(matches!(status, 400 | 415), "no body");
        let broken = app
            .http
            .post(app.url("/api/applications"))
            .bearer_auth(&admin.token)
            .header("content-type", "application/json")
            .body("{\"name\": ")
            .send()
            .await
            .map(|r| r.status().as_u16());
        assert_eq!(broken.ok(), Some(400));
        let control = serde_json::json!({"name": "A\u{0000}B", "type": "Traditional"});
        assert_eq!(admin.post("/api/applications", control).await.0, 422);
        // Invalid UTF-8 in a JSON body is 400, not a 500.
        let bytes = app
            .http
            .post(app.url("/api/applications"))
            .bearer_auth(&admin.token)
            .header("content-type", "application/json")
            .body(vec![b'{', b'"', 0xFF, b'"', b':', b'1', b'}'])
            .send()
            .await
            .map(|r| r.status().as_u16());
        assert_eq!(bytes.ok(), Some(400));
    }
}
