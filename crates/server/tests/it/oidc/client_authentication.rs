//! Client authentication at the token endpoint (RFC 6749 §2.3) cannot be bent: one method
//! at a time, 401 with a challenge, public clients have no secret, expired secrets fail.

use serde_json::{Value, json};

use crate::support::{Admin, CALLBACK, TestApp, backends};

fn id(v: &Value) -> String {
    v["id"].as_str().unwrap_or_default().to_owned()
}

/// A machine-to-machine client (id, secret) and a public SPA's id.
async fn clients(admin: &Admin<'_>) -> ((String, String), String) {
    let job = json!({"name": "Job", "type": "MachineToMachine"});
    let (_, m2m) = admin.post("/api/applications", job).await;
    let spa = json!({"name": "SPA", "type": "SPA",
        "oidcClientMetadata": {"redirectUris": [CALLBACK]}});
    let (_, spa) = admin.post("/api/applications", spa).await;
    let secret = m2m["secret"].as_str().unwrap_or_default().to_owned();
    ((id(&m2m), secret), id(&spa))
}

const GRANT: [(&str, &str); 1] = [("grant_type", "client_credentials")];

/// RFC 6749 §5.2: a wrong secret is 401 invalid_client with a challenge.
#[tokio::test]
async fn a_wrong_secret_is_401_with_a_challenge() {
    for backend in backends() {
        let app = TestApp::spawn(backend).await;
        let admin = Admin::new(&app).await;
        let ((m2m, _), _) = clients(&admin).await;
        let response = app
            .http
            .post(app.url("/oidc/token"))
            .basic_auth(&m2m, Some("wrong"))
            .form(&GRANT)
            .send()
            .await;
        let response = response.unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(response.status(), 401);
        assert!(response.headers().contains_key("www-authenticate"));
    }
}

/// RFC 6749 §2.3: a client must not use more than one authentication method, nor name
/// another client in the body than its Basic credentials do.
#[tokio::test]
async fn one_authentication_method_and_one_client_at_a_time() {
    for backend in backends() {
        let app = TestApp::spawn(backend).await;
        let admin = Admin::new(&app).await;
        let ((m2m, secret), spa) = clients(&admin).await;
        let basic = Some((m2m.as_str(), secret.as_str()));
        let both = [
            ("grant_type", "client_credentials"),
            ("client_id", m2m.as_str()),
            ("client_secret", secret.as_str()),
        ];
        let (status, body) = app.post_form("/oidc/token", &both, basic).await;
        assert!(matches!(status, 400 | 401), "{body}");
        let other = [
            ("grant_type", "client_credentials"),
            ("client_id", spa.as_str()),
        ];
        let (status, body) = app.post_form("/oidc/token", &other, basic).await;
        assert!(matches!(status, 400 | 401), "{body}");
    }
}

/// A public client offering a secret is not thereby confidential, and cannot use
/// client_credentials at all.
#[tokio::test]
async fn a_public_client_has_no_secret() {
    for backend in backends() {
        let app = TestApp::spawn(backend).await;
        let admin = Admin::new(&app).await;
        let (_, spa) = clients(&admin).await;
        let offered = app.post_form("/oidc/token", &GRANT, Some((&spa, "made-up")));
        assert_eq!(offered.await.0, 401);
        let public = [
            ("grant_type", "client_credentials"),
            ("client_id", spa.as_str()),
        ];
        let (status, _) = app.post_form("/oidc/token", &public, None).await;
        assert!(matches!(status, 400 | 401));
    }
}

/// An unknown client is 401 invalid_client, like a wrong secret (nothing to tell apart).
#[tokio::test]
async fn an_unknown_client_is_invalid_client() {
    for backend in backends() {
        let app = TestApp::spawn(backend).await;
        let (status, body) = app
            .post_form("/oidc/token", &GRANT, Some(("nobody", "x")))
            .await;
        assert_eq!(
            (status, body["error"].as_str()),
            (401, Some("invalid_client"))
        );
    }
}

/// An expired secret no longer authenticates (or one already expired is refused at creation).
#[tokio::test]
async fn an_expired_secret_no_longer_authenticates() {
    for backend in backends() {
        let app = TestApp::spawn(backend).await;
        let admin = Admin::new(&app).await;
        let ((m2m, _), _) = clients(&admin).await;
        let path = format!("/api/applications/{m2m}/secrets");
        let expired = json!({"name": "old", "expiresAt": app.state.clock.now_ms() - 1});
        let (status, created) = admin.post(&path, expired).await;
        if status == 201 {
            let value = created["value"].as_str().unwrap_or_default();
            let refused = app.post_form("/oidc/token", &GRANT, Some((&m2m, value)));
            assert_eq!(refused.await.0, 401);
        } else {
            assert_eq!(
                status, 422,
                "an expiry in the past is refused at creation: {created}"
            );
        }
    }
}

/// `X-Forwarded-For` is honoured only from trusted proxies (none here): a failed
/// authentication is logged with the peer's address, not the header's.
#[tokio::test]
async fn a_forwarded_address_from_an_untrusted_peer_is_not_believed() {
    for backend in backends() {
        let app = TestApp::spawn(backend).await;
        let admin = Admin::new(&app).await;
        let spoofed = app
            .http
            .post(app.url("/oidc/token"))
            .header("x-forwarded-for", "203.0.113.99")
            .basic_auth("nobody", Some("x"))
            .form(&[("grant_type", "client_credentials")])
            .send()
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(spoofed.status(), 401);
        let path = "/api/audit-logs?action=client.authentication_failure";
        let (_, logged) = admin.get(path).await;
        assert_eq!(logged[0]["actorId"], "127.0.0.1", "{logged}");
    }
}
