//! RFC 8252 §8.6: a client whose identity cannot be proven (a public client redirecting to
//! a loopback or private-scheme URI) is never authorized silently: with a live session and
//! nothing to consent to, one page still names it, with Continue and Cancel.

use serde_json::json;

use crate::oidc::authorization_code::browser;
use crate::support::walk::{Stop, answer, param, sign_in_if_asked, walk};
use crate::support::{Admin, TestApp, backends};

const CHALLENGE: &str = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";

fn authorize(app: &TestApp, client_id: &str, redirect: &str, extra: &str) -> String {
    let redirect: String = url::form_urlencoded::byte_serialize(redirect.as_bytes()).collect();
    format!(
        "{}/oidc/auth?client_id={client_id}&redirect_uri={redirect}&response_type=code&scope=openid&state=s&code_challenge={CHALLENGE}&code_challenge_method=S256{extra}",
        app.address
    )
}

#[tokio::test]
async fn an_unprovable_client_is_named_on_a_page_before_every_code() {
    for backend in backends() {
        let app = TestApp::spawn(backend).await;
        let admin = Admin::new(&app).await;
        let alice = json!({"username": "alice", "password": "correct horse battery"});
        assert_eq!(admin.post("/api/users", alice).await.0, 201);
        let (loopback, scheme) = ("http://127.0.0.1/callback", "com.example.app:/callback");
        let (_, native) = admin
            .post(
                "/api/applications",
                json!({"name": "Desktop", "type": "Native",
                "oidcClientMetadata": {"redirectUris": [loopback, scheme]}}),
            )
            .await;
        let (_, spa) = admin
            .post(
                "/api/applications",
                json!({"name": "Web", "type": "SPA",
                "oidcClientMetadata": {"redirectUris": ["https://app.example.com/callback"]}}),
            )
            .await;
        let native = native["id"].as_str().unwrap_or_default();
        let spa = spa["id"].as_str().unwrap_or_default();
        let browser = browser();
        // Signing in names the application: no second page.
        let first = walk(&app, &browser, &authorize(&app, native, loopback, "")).await;
        let back = sign_in_if_asked(&app, &browser, first).await.client();
        assert!(param(&back, "code").is_some(), "{back}");

        // With the session alive, a loopback port any local program may hold, or a private
        // scheme any app may register: a page naming it each time.
        for redirect in ["http://127.0.0.1:49152/callback", scheme] {
            let stop = walk(&app, &browser, &authorize(&app, native, redirect, "")).await;
            let (path, html) = stop.page("/consent/");
            assert!(
                html.contains("Desktop") && html.contains("Continue"),
                "{html}"
            );
            // The protocol's resume URL does not skip the page.
            let id = path.trim_start_matches("/consent/");
            let skipped = walk(&app, &browser, &app.url(&format!("/oidc/auth/resume/{id}"))).await;
            assert!(
                matches!(&skipped, Stop::Page(p, _) if p == &path),
                "{skipped:?}"
            );
            let back = answer(&app, &browser, (path, html), "authorize")
                .await
                .client();
            assert!(back.as_str().starts_with(redirect), "{back}");
            assert!(param(&back, "code").is_some(), "{back}");
        }
        // Cancel is access_denied, with state and iss.
        let stop = walk(&app, &browser, &authorize(&app, native, loopback, "")).await;
        let back = answer(&app, &browser, stop.page("/consent/"), "cancel")
            .await
            .client();
        assert_eq!(param(&back, "error").as_deref(), Some("access_denied"));
        assert_eq!(param(&back, "state").as_deref(), Some("s"));
        assert!(param(&back, "iss").is_some());
        // prompt=none can show no page: interaction_required.
        let silent = authorize(&app, native, loopback, "&prompt=none");
        let back = walk(&app, &browser, &silent).await.client();
        assert_eq!(
            param(&back, "error").as_deref(),
            Some("interaction_required")
        );
        // A public client on an https redirect is proven by it: single sign-on stays silent.
        let https = authorize(
            &app,
            spa,
            "https://app.example.com/callback",
            "&prompt=none",
        );
        let back = walk(&app, &browser, &https).await.client();
        assert!(param(&back, "code").is_some(), "{back}");
    }
}
