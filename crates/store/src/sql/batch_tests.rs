use latchkey_core::grant::{RefreshToken, Taken, token_hash};

use crate::grants::Issued;
use crate::grants::tests::setup;
use crate::{Error, test_dbs};

fn refresh(value: &str, grant_id: &str) -> RefreshToken {
    RefreshToken {
        token_hash: token_hash(value),
        grant_id: grant_id.into(),
        scope: "openid offline_access".into(),
        created_at: 1,
        expires_at: 1_000_000,
    }
}

/// Writes committed together each keep their own fate: the one that fails leaves nothing
/// behind (its code is not consumed), the others are all stored.
#[tokio::test]
async fn writes_committed_together_fail_alone() {
    for db in test_dbs::each().await {
        let grants = ["b0", "b1", "b2", "b3", "b4", "b5"];
        for id in grants {
            setup(&db, id).await;
        }
        db.insert_refresh_token(&refresh("taken", "b0"))
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        let mut tasks = Vec::new();
        for id in grants {
            let db = db.clone();
            tasks.push(tokio::spawn(async move {
                // b3 stores a refresh token whose hash is already taken: a conflict.
                let value = if id == "b3" {
                    "taken".into()
                } else {
                    format!("r-{id}")
                };
                let issued = Issued {
                    refresh: Some(refresh(&value, id)),
                    access: None,
                    reuse_answer: None,
                };
                let code = token_hash(&format!("code-{id}"));
                db.take_authorization_code(&code, 1_000, move |_, _| (issued, ()))
                    .await
            }));
        }
        for (id, task) in grants.iter().zip(tasks) {
            let outcome = task.await.unwrap_or_else(|e| panic!("{e}"));
            let stored = db
                .find_refresh_token(&token_hash(&format!("r-{id}")), 2_000)
                .await
                .unwrap_or_else(|e| panic!("{e}"));
            if *id == "b3" {
                assert!(matches!(outcome, Err(Error::Conflict)), "{outcome:?}");
            } else {
                assert!(matches!(outcome, Ok(Taken::Taken(_))), "{id}: {outcome:?}");
                assert!(stored.is_some(), "{id}'s refresh token is stored");
            }
        }
        // The failed redemption was undone: its code can still be redeemed, once.
        let code = token_hash("code-b3");
        let again = db
            .take_authorization_code(&code, 1_000, |_, _| (Issued::default(), ()))
            .await;
        assert!(matches!(again, Ok(Taken::Taken(_))), "{again:?}");
    }
}
