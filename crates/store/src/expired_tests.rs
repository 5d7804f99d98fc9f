use latchkey_core::grant::{OpaqueAccessToken, RefreshToken, Taken, token_hash};
use latchkey_core::session::{Interaction, Session};

use super::REPLAY_MEMORY_MS;
use crate::grants::Issued;
use crate::grants::tests::setup;
use crate::{Db, test_dbs};

const HOUR: i64 = 60 * 60 * 1000;

/// A session, an interaction, an access token and a refresh token of grant `g`, each
/// expiring at `expires_at`, named after `name`.
async fn issue(db: &Db, name: &str, expires_at: i64) {
    let session = Session {
        id_hash: token_hash(&format!("session-{name}")),
        user_id: "user-g".into(),
        auth_time: 1,
        amr: latchkey_core::mfa::Amr::password(),
        created_at: 1,
        last_seen_at: 1,
        expires_at,
    };
    db.start_session(&session, None, None)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let interaction = Interaction {
        id: format!("interaction-{name}"),
        client_id: Some("app-g".into()),
        request: "{}".into(),
        csrf_hash: "csrf".into(),
        session_id_hash: None,
        answer: None,
        created_at: 1,
        expires_at,
    };
    db.insert_interaction(&interaction)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let access = OpaqueAccessToken {
        token_hash: token_hash(&format!("access-{name}")),
        grant_id: "g".into(),
        scope: "openid".into(),
        created_at: 1,
        expires_at,
    };
    db.insert_access_token(&access)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let refresh = RefreshToken {
        token_hash: token_hash(&format!("refresh-{name}")),
        grant_id: "g".into(),
        scope: "openid offline_access".into(),
        created_at: 1,
        expires_at,
    };
    db.insert_refresh_token(&refresh)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
}

async fn count(db: &Db, table: &str) -> i64 {
    let sql = format!("SELECT COUNT(*) FROM {table}");
    let counted: Option<i64> = db
        .fetch_optional(&sql, &[])
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    counted.unwrap_or(0)
}

async fn counts(db: &Db) -> [i64; 5] {
    [
        count(db, "authorization_codes").await,
        count(db, "refresh_tokens").await,
        count(db, "access_tokens").await,
        count(db, "sessions").await,
        count(db, "interactions").await,
    ]
}

#[tokio::test]
async fn what_has_expired_goes_and_what_is_live_stays() {
    for db in test_dbs::each().await {
        // The grant's code expires at 60 s; three of everything else at 1 h, one at 100 h.
        setup(&db, "g").await;
        for name in ["a", "b", "c"] {
            issue(&db, name, HOUR).await;
        }
        issue(&db, "live", 100 * HOUR).await;
        let now = 2 * HOUR;

        // Two at a time: the first call leaves some, and says so.
        assert!(
            db.delete_expired(now, 2)
                .await
                .unwrap_or_else(|e| panic!("{e}"))
        );
        assert!(
            !db.delete_expired(now, 2)
                .await
                .unwrap_or_else(|e| panic!("{e}"))
        );
        // Access tokens, sessions and interactions went at their expiry; the code and the
        // refresh tokens are remembered a while longer.
        assert_eq!(counts(&db).await, [1, 4, 1, 1, 1]);
        let access = token_hash("access-live");
        let found = db.find_access_token(&access, now).await;
        assert!(found.unwrap_or_else(|e| panic!("{e}")).is_some());

        let later = HOUR + REPLAY_MEMORY_MS + 1;
        while db
            .delete_expired(later, 2)
            .await
            .unwrap_or_else(|e| panic!("{e}"))
        {}
        assert_eq!(counts(&db).await, [0, 1, 1, 1, 1]);
        let refresh = token_hash("refresh-live");
        let found = db.find_refresh_token(&refresh, now).await;
        assert!(found.unwrap_or_else(|e| panic!("{e}")).is_some());
    }
}

#[tokio::test]
async fn a_consumed_code_is_still_known_as_replayed_until_it_is_forgotten() {
    for db in test_dbs::each().await {
        setup(&db, "g").await;
        let hash = token_hash("code-g");
        let take = |now| db.take_authorization_code(&hash, now, |_, _| (Issued::default(), ()));
        assert!(matches!(take(1_000).await, Ok(Taken::Taken(_))));
        // The code expired at 60 s; a day later it is still known, then forgotten.
        let day_later = 60_000 + REPLAY_MEMORY_MS - 1;
        assert!(
            !db.delete_expired(day_later, 100)
                .await
                .unwrap_or_else(|e| panic!("{e}"))
        );
        let replayed = take(day_later).await.unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            replayed,
            Taken::Reused {
                grant_id: "g".into()
            }
        );
        db.delete_expired(day_later + 2, 100)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(take(day_later + 2).await.ok(), Some(Taken::Missing));
    }
}
