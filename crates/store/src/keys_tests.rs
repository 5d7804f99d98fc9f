use latchkey_core::jwt::Algorithm;
use latchkey_core::keys::{KeyState, SigningKey};
use latchkey_core::rotation::Cutoffs;

use crate::{Error, test_dbs};

const NOW: i64 = 1_000_000_000;

fn key(kid: &str, state: KeyState) -> SigningKey {
    SigningKey {
        kid: kid.into(),
        algorithm: Algorithm::ES256,
        state,
        private_key: vec![1, 2, 3],
        encrypted: false,
        created_at: 0,
        retired_at: (state == KeyState::Previous).then_some(0),
    }
}

/// An ES256 key in each state: `a` previous, `b` current, `c` next, all old.
async fn three_keys(db: &crate::Db) {
    for (kid, state) in [
        ("a", KeyState::Previous),
        ("b", KeyState::Current),
        ("c", KeyState::Next),
    ] {
        db.insert_signing_key(&key(kid, state))
            .await
            .unwrap_or_else(|e| panic!("{e}"));
    }
}

fn states(keys: &[SigningKey]) -> Vec<(String, &'static str)> {
    let mut s: Vec<_> = keys
        .iter()
        .map(|k| (k.kid.clone(), k.state.as_str()))
        .collect();
    s.sort();
    s
}

#[tokio::test]
async fn only_one_current_key_per_algorithm_can_exist() {
    for db in test_dbs::each().await {
        assert!(
            db.insert_signing_key(&key("a", KeyState::Current))
                .await
                .is_ok()
        );
        let second = db.insert_signing_key(&key("b", KeyState::Current)).await;
        assert!(matches!(second, Err(Error::Conflict)));
    }
}

#[tokio::test]
async fn rotation_moves_every_key_one_state_along() {
    for db in test_dbs::each().await {
        three_keys(&db).await;
        let cutoffs = Cutoffs::at(NOW, 65_000);
        db.rotate_signing_keys(Algorithm::ES256, &key("d", KeyState::Next), NOW, cutoffs)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        let keys = db.find_signing_keys().await.unwrap_or_default();
        let expected =
            [("b", "previous"), ("c", "current"), ("d", "next")].map(|(k, s)| (k.to_owned(), s));
        assert_eq!(states(&keys), expected);
        let retired = keys
            .iter()
            .find(|k| k.kid == "b")
            .and_then(|k| k.retired_at);
        assert_eq!(retired, Some(NOW), "the old current key retired now");
    }
}

#[tokio::test]
async fn rotation_without_a_next_key_changes_nothing() {
    for db in test_dbs::each().await {
        db.insert_signing_key(&key("b", KeyState::Current))
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        let result = db
            .rotate_signing_keys(
                Algorithm::ES256,
                &key("d", KeyState::Next),
                NOW,
                Cutoffs::forced(),
            )
            .await;
        assert!(matches!(result, Err(Error::NotFound)));
        let keys = db.find_signing_keys().await.unwrap_or_default();
        assert_eq!(states(&keys), [("b".to_owned(), "current")]);
    }
}

/// The rules are checked again inside the transaction: a previous key retired too
/// recently, or a next key published too recently, stops the rotation and nothing moves.
#[tokio::test]
async fn rotation_too_soon_changes_nothing() {
    for db in test_dbs::each().await {
        let previous = SigningKey {
            retired_at: Some(NOW - 1000),
            ..key("a", KeyState::Previous)
        };
        let next = SigningKey {
            created_at: NOW - 1000,
            ..key("c", KeyState::Next)
        };
        for k in [previous, key("b", KeyState::Current), next] {
            db.insert_signing_key(&k)
                .await
                .unwrap_or_else(|e| panic!("{e}"));
        }
        let before = states(&db.find_signing_keys().await.unwrap_or_default());
        let rotate = || {
            let next = key("d", KeyState::Next);
            let db = db.clone();
            async move {
                db.rotate_signing_keys(Algorithm::ES256, &next, NOW, Cutoffs::at(NOW, 65_000))
                    .await
            }
        };
        let result = rotate().await;
        assert!(matches!(result, Err(Error::Conflict)), "{result:?}");
        // The previous key old enough, the next one still too new.
        db.delete_previous_signing_key("a")
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        let result = rotate().await;
        assert!(matches!(result, Err(Error::Conflict)), "{result:?}");
        let after = states(&db.find_signing_keys().await.unwrap_or_default());
        assert_eq!(after, before[1..], "only the deleted key is gone");
        // Forced, it runs.
        db.rotate_signing_keys(
            Algorithm::ES256,
            &key("d", KeyState::Next),
            NOW,
            Cutoffs::forced(),
        )
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    }
}

/// Two rotations at once (two administrators, two nodes): one runs, the other finds the keys
/// moved under it and changes nothing.
#[tokio::test]
async fn of_two_rotations_at_once_one_runs() {
    for db in test_dbs::each().await {
        three_keys(&db).await;
        let rotate = |next: &'static str| {
            let db = db.clone();
            tokio::spawn(async move {
                let new_next = key(next, KeyState::Next);
                let cutoffs = Cutoffs::at(NOW, 65_000);
                db.rotate_signing_keys(Algorithm::ES256, &new_next, NOW, cutoffs)
                    .await
            })
        };
        let (one, two) = tokio::join!(rotate("d"), rotate("e"));
        let results = [one, two].map(|r| r.unwrap_or_else(|e| panic!("{e}")));
        let won = results.iter().filter(|r| r.is_ok()).count();
        assert_eq!(won, 1, "{results:?}");
        let lost = results.iter().find(|r| r.is_err());
        assert!(
            matches!(lost, Some(Err(Error::Conflict | Error::NotFound))),
            "{results:?}"
        );
        let keys = db.find_signing_keys().await.unwrap_or_default();
        let by_state: Vec<_> = states(&keys).into_iter().map(|(_, s)| s).collect();
        let mut by_state = by_state;
        by_state.sort();
        assert_eq!(by_state, ["current", "next", "previous"]);
    }
}
