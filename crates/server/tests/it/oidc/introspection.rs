//! Token introspection (RFC 7662, `/oidc/token/introspection`): a client learns about its own
//! tokens and JWT access tokens; anything else is `{"active": false}`; it must authenticate.

use serde_json::json;

use crate::oidc::refresh_token::{TwoClients, form};
use crate::support::{TestApp, backends};

const PATH: &str = "/oidc/token/introspection";

#[tokio::test]
async fn a_client_learns_about_its_own_access_and_refresh_tokens() {
    for backend in backends() {
        let app = TestApp::spawn(backend).await;
        let (two, _admin) = TwoClients::signed_in(&app).await;
        let (status, access) = form(&app, PATH, two.me(), two.token("access_token")).await;
        assert_eq!(status, 200);
        assert_eq!(access["active"], true, "{access}");
        assert_eq!(access["client_id"].as_str(), Some(two.me().0));
        let (_, refresh) = form(&app, PATH, two.me(), two.token("refresh_token")).await;
        assert_eq!(refresh["token_type"], "refresh_token", "{refresh}");
    }
}

/// RFC 7662 §2.2: another client introspecting a token learns only `active: false`.
#[tokio::test]
async fn another_client_learns_only_that_the_token_is_inactive() {
    for backend in backends() {
        let app = TestApp::spawn(backend).await;
        let (two, _admin) = TwoClients::signed_in(&app).await;
        let (status, seen) = form(&app, PATH, two.other(), two.token("access_token")).await;
        assert_eq!((status, seen), (200, json!({"active": false})));
    }
}

#[tokio::test]
async fn an_unknown_token_is_inactive() {
    for backend in backends() {
        let app = TestApp::spawn(backend).await;
        let (two, _admin) = TwoClients::signed_in(&app).await;
        let (status, seen) = form(&app, PATH, two.me(), "garbage").await;
        assert_eq!((status, seen), (200, json!({"active": false})));
    }
}

/// JWT access tokens this server signed are described too, with their scope.
#[tokio::test]
async fn a_jwt_access_token_is_described() {
    for backend in backends() {
        let app = TestApp::spawn(backend).await;
        let (two, admin) = TwoClients::signed_in(&app).await;
        let (_, jwt) = form(&app, PATH, two.me(), &admin.token).await;
        assert_eq!(
            (jwt["active"].as_bool(), jwt["scope"].as_str()),
            (Some(true), Some("all"))
        );
    }
}

/// RFC 7662 §2.1: introspection needs client authentication.
#[tokio::test]
async fn introspection_needs_client_authentication() {
    for backend in backends() {
        let app = TestApp::spawn(backend).await;
        let (two, _admin) = TwoClients::signed_in(&app).await;
        let access = two.token("access_token");
        let wrong = (two.me().0, Some("wrong"));
        assert_eq!(form(&app, PATH, wrong, access).await.0, 401);
        let (status, _) = app.post_form(PATH, &[("token", access)], None).await;
        assert_eq!(status, 401);
    }
}
