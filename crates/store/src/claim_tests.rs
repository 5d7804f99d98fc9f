use latchkey_core::grant::{OpaqueAccessToken, RefreshToken, token_hash};

use super::{Artefact, Claimed, Grant};
use crate::grants::Issued;
use crate::grants::tests::setup;
use crate::test_dbs;

fn fail<T>(e: crate::Error) -> T {
    panic!("{e}")
}

fn issued(grant_id: &str, name: &str) -> Issued {
    Issued {
        refresh: Some(RefreshToken {
            token_hash: token_hash(&format!("refresh-{name}")),
            grant_id: grant_id.into(),
            scope: "openid offline_access".into(),
            created_at: 1,
            expires_at: 1_000_000,
        }),
        access: Some(OpaqueAccessToken {
            token_hash: token_hash(&format!("access-{name}")),
            grant_id: grant_id.into(),
            scope: "openid".into(),
            created_at: 1,
            expires_at: 1_000_000,
        }),
        reuse_answer: None,
    }
}

#[tokio::test]
async fn a_claim_stores_its_tokens_once_and_never_under_a_revoked_grant() {
    for db in test_dbs::each().await {
        setup(&db, "c1").await;
        let code = token_hash("code-c1");
        let won = db.claim(Artefact::Code, &code, 10, issued("c1", "1")).await;
        assert_eq!(won.unwrap_or_else(fail), Claimed::Won);
        let stored = db.find_access_token(&token_hash("access-1"), 10).await;
        assert!(
            stored.unwrap_or_else(fail).is_some(),
            "stored with the claim"
        );
        let again = db.claim(Artefact::Code, &code, 11, issued("c1", "2")).await;
        assert_eq!(again.unwrap_or_else(fail), Claimed::Lost);
        let found = db.find_refresh_token(&token_hash("refresh-2"), 11).await;
        assert!(
            found.unwrap_or_else(fail).is_none(),
            "a lost claim stores nothing"
        );
        let first = db.find_refresh_token(&token_hash("refresh-1"), 11).await;
        assert!(
            first.unwrap_or_else(fail).is_some(),
            "the won claim's token lives"
        );

        // Read ahead, then revoked (a replay elsewhere) before the claim: spent, nothing stored.
        setup(&db, "c2").await;
        let refresh = token_hash("refresh-live");
        let mut live = issued("c2", "live")
            .refresh
            .unwrap_or_else(|| panic!("a token"));
        live.token_hash = refresh.clone();
        db.insert_refresh_token(&live).await.unwrap_or_else(fail);
        db.revoke_grant("c2", 12).await.unwrap_or_else(fail);
        db.insert_refresh_token(&live).await.unwrap_or_else(fail);
        let late = db
            .claim(Artefact::Refresh, &refresh, 13, issued("c2", "3"))
            .await;
        assert_eq!(late.unwrap_or_else(fail), Claimed::Revoked);
        let consumed = db.find_consumed_refresh_token(&refresh).await;
        assert_eq!(consumed.unwrap_or_else(fail).as_deref(), Some("c2"));
        for table in ["refresh_tokens", "access_tokens"] {
            let sql = format!("SELECT grant_id FROM {table} WHERE token_hash IN ($1, $2)");
            let args = [
                token_hash("refresh-3").into(),
                token_hash("access-3").into(),
            ];
            let row = db.fetch_optional::<Grant>(&sql, &args).await;
            assert!(
                row.unwrap_or_else(fail).is_none(),
                "nothing stored in {table}"
            );
        }
    }
}
