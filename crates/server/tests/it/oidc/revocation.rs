//! Token revocation (RFC 7009, `/oidc/token/revocation`): a refresh token ends its grant
//! (any token of a family ends the family), always answered 200, and only for its own client.

use serde_json::json;

use crate::oidc::refresh_token::{TwoClients, form, refresh, spa_signed_in, userinfo_status};
use crate::support::{TestApp, backends};

const PATH: &str = "/oidc/token/revocation";

/// RFC 7009 §2.1: revoking another client's token answers 200 and revokes nothing.
#[tokio::test]
async fn another_clients_token_is_answered_200_and_stays_valid() {
    for backend in backends() {
        let app = TestApp::spawn(backend).await;
        let (two, _admin) = TwoClients::signed_in(&app).await;
        let (status, _) = form(&app, PATH, two.other(), two.token("refresh_token")).await;
        assert_eq!(status, 200, "always 200");
        assert_eq!(userinfo_status(&app, two.token("access_token")).await, 200);
    }
}

/// Revoking a refresh token ends its grant: its access tokens stop at once and it is no
/// longer active.
#[tokio::test]
async fn revoking_a_refresh_token_ends_the_grants_access_tokens() {
    for backend in backends() {
        let app = TestApp::spawn(backend).await;
        let (two, _admin) = TwoClients::signed_in(&app).await;
        let refresh_token = two.token("refresh_token");
        assert_eq!(form(&app, PATH, two.me(), refresh_token).await.0, 200);
        assert_eq!(userinfo_status(&app, two.token("access_token")).await, 401);
        let introspected = form(&app, "/oidc/token/introspection", two.me(), refresh_token);
        assert_eq!(introspected.await.1, json!({"active": false}));
    }
}

/// An unknown token is answered 200 too (RFC 7009 §2.2).
#[tokio::test]
async fn an_unknown_token_is_answered_200() {
    for backend in backends() {
        let app = TestApp::spawn(backend).await;
        let (two, _admin) = TwoClients::signed_in(&app).await;
        assert_eq!(form(&app, PATH, two.me(), "unknown").await.0, 200);
    }
}

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
