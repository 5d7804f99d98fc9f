//! Client authentication at the token endpoint (RFC 6749 §2.3) cannot be bent: one method
//! at a time, 401 with a challenge, public clients have no secret, expired secrets fail.

use serde_json::{Value, json};

use crate::support::{Admin, CALLBACK, TestApp, backends};

fn id(v: &Value) -> String {
    v["id"].as_str().unwrap_or_default().to_owned()
}

#[tokio::test]
async fn client_authentication_cannot_be_bent() {
    for backend in backends() {
        let app = TestApp::spawn(backend).await;
        let admin = Admin::new(&app).await;
        let (_, m2m) = admin
            .post(
                "/api/applications",
                json!({"name": "Job", "type": "MachineToMachine"}),
            )
            .await;
        let (_, spa) = admin
            .post(
                "/api/applications",
                json!({"name": "SPA", "type": "SPA",
            "oidcClientMetadata": {"redirectUris": [CALLBACK]}}),
            )
            .await;
        let (m2m, secret) = (
            id(&m2m),
            m2m["secret"].as_str().unwrap_or_default().to_owned(),
        );
        let grant = [("grant_type", "client_credentials")];
        // RFC 6749 §5.2: a wrong secret is 401 invalid_client with a challenge.
        let response = app
            .http
            .post(app.url("/oidc/token"))
            .basic_auth(&m2m, Some("wrong"))
            .form(&grant)
            .send()
            .await;
        let response = response.unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(response.status(), 401);
        assert!(response.headers().contains_key("www-authenticate"));
        // RFC 6749 §2.3: a client must not use more than one authentication method.
        let both = [
            ("grant_type", "client_credentials"),
            ("client_id", m2m.as_str()),
            ("client_secret", secret.as_str()),
        ];
        let (status, body) = app
            .post_form("/oidc/token", &both, Some((&m2m, &secret)))
            .await;
        assert!(matches!(status, 400 | 401), "{body}");
        // A client_id in the body that contradicts the Basic credentials is refused.
        let other = [
            ("grant_type", "client_credentials"),
            ("client_id", spa["id"].as_str().unwrap_or_default()),
        ];
        let (status, _) = app
            .post_form("/oidc/token", &other, Some((&m2m, &secret)))
            .await;
        assert!(matches!(status, 400 | 401));
        // A public client offering a secret is not thereby confidential.
        let spa_id = id(&spa);
        let (status, _) = app
            .post_form("/oidc/token", &grant, Some((&spa_id, "made-up")))
            .await;
        assert_eq!(status, 401);
        // An unknown client is 401 invalid_client, like a wrong secret (nothing to tell apart).
        let (status, body) = app
            .post_form("/oidc/token", &grant, Some(("nobody", "x")))
            .await;
        assert_eq!(
            (status, body["error"].as_str()),
            (401, Some("invalid_client"))
        );
        // A public client cannot use client_credentials at all.
        let (status, _) = app
            .post_form(
                "/oidc/token",
                &[("grant_type", "client_credentials"), ("client_id", &spa_id)],
                None,
            )
            .await;
        assert!(matches!(status, 400 | 401));
        // An expired secret no longer authenticates.
        let path = format!("/api/applications/{m2m}/secrets");
        let expired = json!({"name": "old", "expiresAt": app.state.clock.now_ms() - 1});
        let (status, created) = admin.post(&path, expired).await;
        if status == 201 {
            let value = created["value"].as_str().unwrap_or_default().to_owned();
            assert_eq!(
                app.post_form("/oidc/token", &grant, Some((&m2m, &value)))
                    .await
                    .0,
                401
            );
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
