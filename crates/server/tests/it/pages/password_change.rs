//! A password change ends what the old password opened: every session of the user and every
//! refresh token and opaque access token of every grant.

use serde_json::{Value, json};

use crate::oidc::authorization_code::{browser, code_of, sign_in};
use crate::oidc::refresh_token::userinfo_status;
use crate::support::walk::{param, walk};
use crate::support::{Admin, Authorize, CALLBACK, PASSWORD, TestApp, backends};

#[tokio::test]
async fn a_password_change_ends_every_session_and_token_of_the_user() {
    for backend in backends() {
        let app = TestApp::spawn(backend).await;
        let admin = Admin::new(&app).await;
        let alice = admin.alice().await;
        let web = admin.client("Web", "Traditional").await;
        let (id, secret) = (web.id.as_str(), web.secret.as_str());
        let request = Authorize::new(id).set("scope", "openid offline_access");
        let authorize = |extra: &str| request.clone().query(extra).url(&app);
        let browser = browser();
        let back = sign_in(&app, &browser, &authorize(""), "alice", PASSWORD).await;
        let code = code_of(&back);
        let form = [
            ("grant_type", "authorization_code"),
            ("code", code.as_str()),
            ("redirect_uri", CALLBACK),
        ];
        let tokens: Value = app
            .token(&form, Some((id, secret)))
            .await
            .json()
            .await
            .unwrap_or_default();
        let access = tokens["access_token"].as_str().unwrap_or_default();
        let refresh = tokens["refresh_token"].as_str().unwrap_or_default();
        assert_eq!(userinfo_status(&app, access).await, 200);
        // Before the change the session signs in silently.
        let silent = walk(&app, &browser, &authorize("&prompt=none"))
            .await
            .client();
        assert!(param(&silent, "code").is_some(), "{silent}");

        let path = format!("/api/users/{alice}/password");
        let (status, _) = admin
            .patch(&path, json!({"password": "a new long password"}))
            .await;
        assert_eq!(status, 200);

        let silent = walk(&app, &browser, &authorize("&prompt=none"))
            .await
            .client();
        assert_eq!(param(&silent, "error").as_deref(), Some("login_required"));
        assert_eq!(userinfo_status(&app, access).await, 401);
        let form = [("grant_type", "refresh_token"), ("refresh_token", refresh)];
        let refused: Value = app
            .token(&form, Some((id, secret)))
            .await
            .json()
            .await
            .unwrap_or_default();
        assert_eq!(refused["error"], "invalid_grant");
        let (_, entries) = admin
            .get(&format!(
                "/api/audit-logs?action=user.password.update&targetId={alice}"
            ))
            .await;
        assert_eq!(entries[0]["details"]["sessionsEnded"], true, "{entries}");
        // The new password signs in again.
        let back = sign_in(
            &app,
            &browser,
            &authorize(""),
            "alice",
            "a new long password",
        )
        .await;
        assert!(param(&back, "code").is_some());
    }
}
