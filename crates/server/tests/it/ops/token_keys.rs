//! Stored keys of codes and tokens (decision 0013): new ones carry their issue time first so
//! that their indexes grow at one end; ones issued in the earlier shape keep working.

use latchkey_core::grant::{OpaqueAccessToken, RefreshToken, token_hash};
use latchkey_core::random;

use crate::oidc::refresh_token::{refresh, spa_signed_in, userinfo_status};
use crate::support::{TestApp, backends};

#[tokio::test]
async fn tokens_issued_later_have_keys_that_sort_later_and_earlier_shapes_still_work() {
    for backend in backends() {
        let app = TestApp::spawn_with_fixed_clock(backend).await;
        let (client, tokens) = spa_signed_in(&app).await;
        let first = tokens["refresh_token"]
            .as_str()
            .unwrap_or_default()
            .to_owned();
        let access = tokens["access_token"]
            .as_str()
            .unwrap_or_default()
            .to_owned();
        assert_eq!((first.len(), access.len()), (52, 52), "{tokens}");
        let now = app.state.clock.now_ms();
        let Ok(Some((_, grant))) = app
            .state
            .db
            .find_refresh_token(&token_hash(&first), now)
            .await
        else {
            panic!("the refresh token is stored under its key");
        };
        assert!(token_hash(&first).starts_with(&first[..random::TIME_PREFIX_LEN]));

        app.state.clock.advance(1);
        let (_, next, _) = refresh(&app, &client, &first, None)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        let next = next.unwrap_or_else(|| panic!("a public client's refresh token rotates"));
        assert!(
            token_hash(&first) < token_hash(&next),
            "keys made later sort later"
        );

        // Tokens of the earlier shape (43 characters, keyed by their bare hash), as a
        // database from before holds them, still refresh and open userinfo.
        let (old_refresh, old_access) = (random::secret(), random::secret());
        let refresh_token = RefreshToken {
            token_hash: token_hash(&old_refresh),
            grant_id: grant.id.clone(),
            scope: grant.scope.clone(),
            created_at: now,
            expires_at: now + 3_600_000,
        };
        let access_token = OpaqueAccessToken {
            token_hash: token_hash(&old_access),
            grant_id: grant.id.clone(),
            scope: grant.scope.clone(),
            created_at: now,
            expires_at: now + 3_600_000,
        };
        assert_eq!(refresh_token.token_hash.len(), 64);
        app.state
            .db
            .insert_refresh_token(&refresh_token)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        app.state
            .db
            .insert_access_token(&access_token)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(userinfo_status(&app, &old_access).await, 200);
        let (_, rotated, _) = refresh(&app, &client, &old_refresh, None)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(rotated.map(|r| r.len()), Some(52));
        app.stop().await;
    }
}
