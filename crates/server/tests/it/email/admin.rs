//! What administrators do about addresses: vouch for one (audited, and then `email_verified`
//! is true), send a recovery mail, and see the mail that could not be delivered. Without an
//! SMTP server, the API says so rather than pretending.

use serde_json::json;

use super::app_with;
use crate::support::mail::MailServer;
use crate::support::walk::{param, sign_in_if_asked, walk};
use crate::support::{Admin, Authorize, CALLBACK, PASSWORD, TestApp, backends};

#[tokio::test]
async fn an_administrator_vouches_for_an_address_and_sends_a_recovery_mail() {
    for backend in backends() {
        let mail = MailServer::plain().await;
        let app = app_with(backend, &mail, false).await;
        let admin = Admin::new(&app).await;
        let body =
            json!({"username": "alice", "primaryEmail": "alice@example.com", "password": PASSWORD});
        let (_, alice) = admin.post("/api/users", body).await;
        let id = alice["id"].as_str().unwrap_or_default().to_owned();
        assert_eq!(alice["primaryEmailVerified"], false);
        let (status, vouched) = admin
            .patch(
                &format!("/api/users/{id}"),
                json!({"primaryEmailVerified": true}),
            )
            .await;
        assert_eq!(
            (status, vouched["primaryEmailVerified"].as_bool()),
            (200, Some(true))
        );
        let audit = app.state.db.find_recent_audit(5).await.unwrap_or_default();
        let entry = audit.iter().find(|(a, _, _)| a == "user.update");
        assert!(
            entry.is_some_and(|(_, _, d)| d.contains("primaryEmailVerified")),
            "{audit:?}"
        );

        let web = admin.client("Web", "Traditional").await;
        let browser = crate::oidc::authorization_code::browser();
        let request = Authorize::new(&web.id)
            .set("scope", "openid email")
            .url(&app);
        let stop = sign_in_if_asked(&app, &browser, walk(&app, &browser, &request).await).await;
        let code = param(&stop.client(), "code").unwrap_or_default();
        let form = [
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("redirect_uri", CALLBACK),
        ];
        let tokens = app.token(&form, Some((&web.id, &web.secret))).await;
        let tokens: serde_json::Value = tokens.json().await.unwrap_or_default();
        let access = tokens["access_token"].as_str().unwrap_or_default();
        let info = app
            .http
            .get(app.url("/oidc/me"))
            .bearer_auth(access)
            .send()
            .await;
        let info: serde_json::Value = info
            .unwrap_or_else(|e| panic!("{e}"))
            .json()
            .await
            .unwrap_or_default();
        assert_eq!(info["email_verified"], true, "{info}");

        // Another address is not vouched for by the first.
        let (_, moved) = admin
            .patch(
                &format!("/api/users/{id}"),
                json!({"primaryEmail": "alice@elsewhere.example"}),
            )
            .await;
        assert_eq!(moved["primaryEmailVerified"], false);

        let path = format!("/api/users/{id}/password-reset-email");
        let (status, _) = admin.post(&path, json!({})).await;
        assert_eq!(status, 204);
        let message = mail.last_to("alice@elsewhere.example", 1).await;
        assert_eq!(message.subject, "Reset your Latchkey password");
        assert!(message.code().is_some() && message.link().is_some());
        let (_, bob) = admin
            .post(
                "/api/users",
                json!({"username": "bob", "password": PASSWORD}),
            )
            .await;
        let bob = bob["id"].as_str().unwrap_or_default();
        let (status, problem) = admin
            .post(&format!("/api/users/{bob}/password-reset-email"), json!({}))
            .await;
        assert_eq!(
            (status, problem["code"].as_str()),
            (422, Some("user.email_missing"))
        );
        let (status, _) = admin
            .post("/api/users/nobody/password-reset-email", json!({}))
            .await;
        assert_eq!(status, 404);
    }
}

#[tokio::test]
async fn without_an_smtp_server_nothing_pretends() {
    for backend in backends() {
        let app = TestApp::spawn(backend).await;
        let admin = Admin::new(&app).await;
        let body =
            json!({"username": "alice", "primaryEmail": "alice@example.com", "password": PASSWORD});
        let (_, alice) = admin.post("/api/users", body).await;
        let id = alice["id"].as_str().unwrap_or_default();
        let (status, problem) = admin
            .post(&format!("/api/users/{id}/password-reset-email"), json!({}))
            .await;
        assert_eq!(
            (status, problem["code"].as_str()),
            (409, Some("mail.not_configured"))
        );
        let response = app
            .http
            .get(app.url("/recover"))
            .send()
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(response.status(), 404, "no recovery page");
        crate::console::admin::people(&admin).await;
        let browser = crate::oidc::authorization_code::browser();
        let here = format!("/console/users/{id}");
        let stop = crate::support::walk::walk(&app, &browser, &app.url(&here)).await;
        let stop = crate::support::walk::sign_in_as(&app, &browser, stop, "root").await;
        let (_, page) = stop.page(&here);
        assert!(
            page.contains("Mail is off: set LATCHKEY_SMTP_URL"),
            "the console says so"
        );
        assert!(!page.contains("Send a password reset email"));
    }
}
