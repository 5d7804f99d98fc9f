//! CORS: token, userinfo and revocation answer an application's registered origins only.

use serde_json::json;

use crate::support::{Admin, TestApp, backends};

#[tokio::test]
async fn only_registered_origins_get_cors_and_never_on_the_authorization_endpoint() {
    for backend in backends() {
        let app = TestApp::spawn(backend).await;
        let admin = Admin::new(&app).await;
        let (status, spa) = admin
            .post("/api/applications", json!({"name": "SPA", "type": "SPA", "customClientMetadata": {"corsAllowedOrigins": ["http://localhost:5173"]}}))
            .await;
        assert_eq!(status, 201);
        let spa = spa["id"].as_str().unwrap_or_default();
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
            .form(&[("grant_type", "x"), ("client_id", spa)])
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
            .form(&[("grant_type", "x"), ("client_id", spa)])
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

/// A request with `Origin` to `path` (form `body`, or a bearer token for userinfo); the
/// `Access-Control-Allow-Origin` it got.
async fn allowed(app: &TestApp, path: &str, origin: &str, body: &[(&str, &str)]) -> Option<String> {
    let request = match path {
        "/oidc/me" => app.http.get(app.url(path)).bearer_auth(body[0].1),
        _ => app.http.post(app.url(path)).form(body),
    };
    let response = request.header("origin", origin).send().await;
    let response = response.unwrap_or_else(|e| panic!("{e}"));
    let allowed = response.headers().get("access-control-allow-origin");
    allowed.map(|v| v.to_str().unwrap_or_default().to_owned())
}

#[tokio::test]
async fn an_origin_reads_only_the_answers_of_the_application_that_registered_it() {
    for backend in backends() {
        let app = TestApp::spawn(backend).await;
        let (client, tokens) = crate::oidc::refresh_token::spa_signed_in(&app).await;
        let admin = Admin::new(&app).await;
        let ours = "https://app.example.com";
        let theirs = "https://other.example.com";
        let spa = client.client_id().as_str();
        let path = format!("/api/applications/{spa}");
        let origins = json!({"customClientMetadata": {"corsAllowedOrigins": [ours]}});
        assert_eq!(admin.patch(&path, origins).await.0, 200);
        let other = json!({"name": "Other", "type": "SPA", "customClientMetadata": {"corsAllowedOrigins": [theirs]}});
        assert_eq!(admin.post("/api/applications", other).await.0, 201);

        let access = tokens["access_token"].as_str().unwrap_or_default();
        let refresh = tokens["refresh_token"].as_str().unwrap_or_default();
        // The other application's origin passes the preflight (it names no client) but
        // cannot read this application's answers.
        let unsupported = [("grant_type", "x"), ("client_id", spa)];
        let revoke = [("token", "unknown"), ("client_id", spa)];
        let cases: [(&str, &[(&str, &str)]); 3] = [
            ("/oidc/token", &unsupported),
            ("/oidc/token/revocation", &revoke),
            ("/oidc/me", &[("token", access)]),
        ];
        for (path, body) in cases {
            assert_eq!(allowed(&app, path, theirs, body).await, None, "{path}");
            assert_eq!(
                allowed(&app, path, ours, body).await.as_deref(),
                Some(ours),
                "{path}"
            );
        }
        let refreshed = [
            ("grant_type", "refresh_token"),
            ("refresh_token", refresh),
            ("client_id", spa),
        ];
        assert_eq!(
            allowed(&app, "/oidc/token", ours, &refreshed)
                .await
                .as_deref(),
            Some(ours)
        );
    }
}

/// A look-alike of a registered origin is another origin.
#[tokio::test]
async fn a_look_alike_of_a_registered_origin_gets_no_cors() {
    for backend in backends() {
        let app = TestApp::spawn(backend).await;
        let admin = Admin::new(&app).await;
        let spa = json!({"name": "SPA", "type": "SPA",
            "customClientMetadata": {"corsAllowedOrigins": ["http://localhost:5173"]}});
        assert_eq!(admin.post("/api/applications", spa).await.0, 201);
        let form = [("grant_type", "client_credentials")];
        let lookalike = "http://localhost:5173.evil.com";
        assert_eq!(allowed(&app, "/oidc/token", lookalike, &form).await, None);
    }
}
