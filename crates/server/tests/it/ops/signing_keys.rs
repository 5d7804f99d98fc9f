//! Signing keys: kept across restarts, rotated with the next key published first, and
//! encrypted at rest when a secret is configured.

use latchkey_core::jwt::Algorithm;
use latchkey_core::keys::KeyState;

use crate::support::{Options, TestApp, backends, verify_access_token};

/// The `kid`s a JWKS publishes, sorted.
pub fn kids(jwks: &serde_json::Value) -> Vec<String> {
    let mut kids: Vec<String> = jwks["keys"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|k| k["kid"].as_str().map(str::to_owned))
        .collect();
    kids.sort();
    kids
}

#[tokio::test]
async fn restarting_keeps_kids_applications_and_secrets() {
    for backend in backends() {
        let first = TestApp::spawn(backend).await;
        let credentials = first.bootstrap().await;
        let before = kids(&first.get_json("/oidc/jwks").await);
        let public_url = first.issuer.trim_end_matches("/oidc").to_owned();
        let database_url = first.database_url.clone();
        let dir = first.stop().await;

        let options = Options {
            database_url: Some(database_url),
            public_url: Some(public_url),
            dir: Some(dir),
            ..Options::default()
        };
        let second = TestApp::spawn_with(backend, options)
            .await
            .unwrap_or_else(|e| panic!("{e:#}"));
        assert_eq!(
            kids(&second.get_json("/oidc/jwks").await),
            before,
            "{backend:?}"
        );
        let form = [
            ("grant_type", "client_credentials"),
            ("resource", credentials.resource.as_str()),
        ];
        let response = second
            .token(
                &form,
                Some((&credentials.client_id, &credentials.client_secret)),
            )
            .await;
        assert_eq!(response.status(), 200, "{backend:?}");
    }
}

#[tokio::test]
async fn rotation_publishes_the_next_key_before_it_signs_and_keeps_the_previous_one() {
    for backend in backends() {
        let app = TestApp::spawn(backend).await;
        let credentials = app.bootstrap().await;
        let form = [
            ("grant_type", "client_credentials"),
            ("resource", credentials.resource.as_str()),
        ];
        let basic = Some((
            credentials.client_id.as_str(),
            credentials.client_secret.as_str(),
        ));
        let old_token: serde_json::Value = app
            .token(&form, basic)
            .await
            .json()
            .await
            .unwrap_or_default();
        let old_token = old_token["access_token"]
            .as_str()
            .unwrap_or_default()
            .to_owned();

        let keys = app.state.db.find_signing_keys().await.unwrap_or_default();
        let find = |state: KeyState| {
            keys.iter()
                .find(|k| k.algorithm == Algorithm::ES256 && k.state == state)
                .map(|k| k.kid.clone())
                .unwrap_or_default()
        };
        let (old_current, old_next) = (find(KeyState::Current), find(KeyState::Next));
        let published = kids(&app.get_json("/oidc/jwks").await);
        assert!(
            published.contains(&old_next),
            "the next key is published before it signs"
        );

        let after = latchkey::manage::keys::rotate(
            &app.state.db,
            None,
            &[Algorithm::ES256],
            app.state.clock.now_ms(),
            false,
        )
        .await
        .unwrap_or_else(|e| panic!("{e}"));
        app.state
            .keys
            .refresh()
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        let state_of = |kid: &str| after.iter().find(|k| k.kid == kid).map(|k| k.state);
        assert_eq!(state_of(&old_next), Some(KeyState::Current));
        assert_eq!(state_of(&old_current), Some(KeyState::Previous));
        assert_eq!(
            after
                .iter()
                .filter(|k| k.algorithm == Algorithm::ES256)
                .count(),
            3
        );
        assert_eq!(
            after
                .iter()
                .filter(|k| k.algorithm == Algorithm::RS256)
                .count(),
            2,
            "RSA untouched"
        );

        let new_token: serde_json::Value = app
            .token(&form, basic)
            .await
            .json()
            .await
            .unwrap_or_default();
        let new_token = new_token["access_token"].as_str().unwrap_or_default();
        let header = jsonwebtoken::decode_header(new_token).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(header.kid.as_deref(), Some(old_next.as_str()));
        verify_access_token(&app, new_token, &credentials.resource).await;
        verify_access_token(&app, &old_token, &credentials.resource).await;
    }
}

#[tokio::test]
async fn private_keys_are_encrypted_at_rest_with_the_configured_secret() {
    for backend in backends() {
        let secret = b"correct horse battery staple, forty chars".to_vec();
        let options = Options {
            secret_key: Some(secret.clone()),
            ..Options::default()
        };
        let app = TestApp::spawn_with(backend, options)
            .await
            .unwrap_or_else(|e| panic!("{e:#}"));
        let stored = app.state.db.find_signing_keys().await.unwrap_or_default();
        assert_eq!(stored.len(), 4);
        assert!(stored.iter().all(|k| k.encrypted));
        let credentials = app.bootstrap().await;
        let database_url = app.database_url.clone();
        let public_url = app.issuer.trim_end_matches("/oidc").to_owned();
        let dir = app.stop().await;

        let without = Options {
            database_url: Some(database_url.clone()),
            ..Options::default()
        };
        let err = TestApp::spawn_with(backend, without)
            .await
            .err()
            .map(|e| format!("{e:#}"));
        assert!(err.unwrap_or_default().contains("LATCHKEY_SECRET_KEY"));
        let wrong = Options {
            database_url: Some(database_url.clone()),
            secret_key: Some(b"a different secret of sufficient length!!".to_vec()),
            ..Options::default()
        };
        let err = TestApp::spawn_with(backend, wrong)
            .await
            .err()
            .map(|e| format!("{e:#}"));
        assert!(err.unwrap_or_default().contains("does not decrypt"));

        let right = Options {
            database_url: Some(database_url),
            secret_key: Some(secret),
            public_url: Some(public_url),
            dir: Some(dir),
            ..Options::default()
        };
        let app = TestApp::spawn_with(backend, right)
            .await
            .unwrap_or_else(|e| panic!("{e:#}"));
        let form = [
            ("grant_type", "client_credentials"),
            ("resource", credentials.resource.as_str()),
        ];
        let body: serde_json::Value = app
            .token(
                &form,
                Some((&credentials.client_id, &credentials.client_secret)),
            )
            .await
            .json()
            .await
            .unwrap_or_default();
        verify_access_token(
            &app,
            body["access_token"].as_str().unwrap_or_default(),
            &credentials.resource,
        )
        .await;
    }
}

#[tokio::test]
async fn keys_kept_in_clear_are_sealed_once_a_secret_is_configured() {
    let app = TestApp::spawn(crate::support::Backend::Sqlite).await;
    let before = kids(&app.get_json("/oidc/jwks").await);
    let database_url = app.database_url.clone();
    let dir = app.stop().await;
    let options = Options {
        database_url: Some(database_url),
        secret_key: Some(b"now the operator sets a secret key, 40+ chars".to_vec()),
        dir: Some(dir),
        ..Options::default()
    };
    let app = TestApp::spawn_with(crate::support::Backend::Sqlite, options)
        .await
        .unwrap_or_else(|e| panic!("{e:#}"));
    assert_eq!(kids(&app.get_json("/oidc/jwks").await), before);
    let stored = app.state.db.find_signing_keys().await.unwrap_or_default();
    assert!(stored.iter().all(|k| k.encrypted));
}
