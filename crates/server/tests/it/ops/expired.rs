//! The background deletion of what has expired (decision 0014) leaves what is live alone: a
//! real client keeps refreshing and reading userinfo across a sweep that deletes its expired
//! access token, and a refresh token replayed after a sweep within the day still ends its grant.

use crate::oidc::refresh_token::{refresh, spa_signed_in, userinfo_status};
use crate::support::{TestApp, backends};

const HOUR: i64 = 60 * 60 * 1000;

#[tokio::test]
async fn a_sweep_deletes_what_expired_and_keeps_what_is_live() {
    for backend in backends() {
        let app = TestApp::spawn_with_fixed_clock(backend).await;
        let (client, tokens) = spa_signed_in(&app).await;
        let first = tokens["refresh_token"]
            .as_str()
            .unwrap_or_default()
            .to_owned();
        let old_access = tokens["access_token"]
            .as_str()
            .unwrap_or_default()
            .to_owned();
        let (access, second, _) = refresh(&app, &client, &first, None)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(userinfo_status(&app, &access).await, 200);

        // Two hours on, both access tokens have expired; the refresh tokens have not.
        app.state.clock.advance(2 * HOUR);
        latchkey::expired::sweep(&app.state.db, &app.state.clock).await;
        let old_hash = latchkey_core::grant::token_hash(&old_access);
        let gone = app.state.db.find_access_token(&old_hash, 0).await;
        assert!(
            matches!(gone, Ok(None)),
            "the expired access token is deleted"
        );
        let second = second.unwrap_or_else(|| panic!("a public client's refresh token rotates"));
        let (access, third, _) = refresh(&app, &client, &second, None)
            .await
            .unwrap_or_else(|e| panic!("the live refresh token survives the sweep: {e}"));
        assert_eq!(userinfo_status(&app, &access).await, 200);

        // The first refresh token, consumed, is still known after the sweep: replayed, it
        // ends the grant, and the newest refresh token with it.
        let replayed = refresh(&app, &client, &first, None).await;
        assert!(replayed.is_err_and(|e| e.contains("invalid_grant")));
        let third = third.unwrap_or_default();
        assert!(refresh(&app, &client, &third, None).await.is_err());
        app.stop().await;
    }
}
