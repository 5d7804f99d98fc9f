//! CORS: token, userinfo and revocation answer an application's registered origins only.

use serde_json::json;

use crate::support::{Admin, TestApp, backends};

#[tokio::test]
async fn only_registered_origins_get_cors_and_never_on_the_authorization_endpoint() {
    for backend in backends() {
        let app = TestApp::spawn(backend).await;
        let admin = Admin::new(&app).await;
        let (status, _) = admin
            .post("/api/applications", json!({"name": "SPA", "type": "SPA", "customClientMetadata": {"corsAllowedOrigins": ["http://localhost:5173"]}}))
            .await;
        assert_eq!(status, 201);
        for path in ["/oidc/token", "/oidc/me", "/oidc/token/revocation"] {
            let preflight = app
                .http
                .request(reqwest::Method::OPTIONS, app.url(path))
                .header("origin", "http://localhost:5173")
                .header("access-control-request-method", "POST")
                .send()
                .await
                .unwrap_or_else(|e| panic!("{e}"));
            assert_eq!(preflight.status(), 204, "{path}");
            assert_eq!(
                preflight.headers()["access-control-allow-origin"],
                "http://localhost:5173"
            );
            let foreign = app
                .http
                .request(reqwest::Method::OPTIONS, app.url(path))
                .header("origin", "https://evil.example.com")
                .send()
                .await
                .unwrap_or_else(|e| panic!("{e}"));
            assert_eq!(foreign.status(), 403);
            assert!(
                foreign
                    .headers()
                    .get("access-control-allow-origin")
                    .is_none()
            );
        }
        let token = app
            .http
            .post(app.url("/oidc/token"))
            .header("origin", "http://localhost:5173")
            .form(&[("grant_type", "x")])
            .send()
            .await;
        let token = token.unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            token.headers()["access-control-allow-origin"],
            "http://localhost:5173",
            "errors too, so the app can read them"
        );
        let other = app
            .http
            .post(app.url("/oidc/token"))
            .header("origin", "http://localhost:5174")
            .form(&[("grant_type", "x")])
            .send()
            .await;
        assert!(
            other
                .unwrap_or_else(|e| panic!("{e}"))
                .headers()
                .get("access-control-allow-origin")
                .is_none()
        );
        let auth = app
            .http
            .get(app.url("/oidc/auth?client_id=x"))
            .header("origin", "http://localhost:5173")
            .send()
            .await;
        assert!(
            auth.unwrap_or_else(|e| panic!("{e}"))
                .headers()
                .get("access-control-allow-origin")
                .is_none()
        );
    }
}
