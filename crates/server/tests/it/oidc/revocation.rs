//! Revocation (RFC 7009) of refresh tokens: any token of a family ends the family.

use crate::oidc::refresh_token::{refresh, spa_signed_in, userinfo_status};
use crate::support::{TestApp, backends};

#[tokio::test]
async fn revoking_a_rotated_out_refresh_token_revokes_its_family() {
    for backend in backends() {
        let app = TestApp::spawn(backend).await;
        let (client, tokens) = spa_signed_in(&app).await;
        let first = tokens["refresh_token"].as_str().unwrap_or_default();
        let (access, second, _) = refresh(&app, &client, first, None)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        let second = second.unwrap_or_else(|| panic!("public clients rotate"));
        // RFC 7009 §2.1: a refresh racing the revocation must not leave live tokens, so the
        // token already rotated out ends the family as well as the live one would.
        let client_id = client.client_id().as_str();
        let response = app
            .http
            .post(app.url("/oidc/token/revocation"))
            .form(&[("token", first), ("client_id", client_id)])
            .send()
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(response.status(), 200);
        assert!(refresh(&app, &client, &second, None).await.is_err());
        assert_eq!(userinfo_status(&app, &access).await, 401);
        assert_eq!(
            userinfo_status(&app, tokens["access_token"].as_str().unwrap_or_default()).await,
            401
        );
    }
}
