use crate::grants::Issued;
use latchkey_core::client::{Application, ApplicationType};
use latchkey_core::grant::{
    AuthorizationCode, Grant, OpaqueAccessToken, RefreshToken, Taken, token_hash,
};
use latchkey_core::session::Interaction;
use latchkey_core::user::User;

use crate::{Db, test_dbs};

/// An application `app-{id}`, a user `user-{id}`, and grant `id` with code `code-{id}`.
pub(crate) async fn setup(db: &Db, grant_id: &str) -> Grant {
    let app = Application {
        dynamic: None,
        id: format!("app-{grant_id}"),
        name: "App".into(),
        description: None,
        app_type: ApplicationType::Traditional,
        is_third_party: false,
        redirect_uris: vec![],
        post_logout_redirect_uris: vec![],
        cors_allowed_origins: vec![],
        settings: Default::default(),
        created_at: 0,
    };
    db.insert_application(&app, &[], &[])
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let user = User {
        id: format!("user-{grant_id}"),
        username: Some(format!("u{grant_id}")),
        primary_email: None,
        primary_email_verified: false,
        primary_phone: None,
        name: None,
        password_hash: None,
        is_suspended: false,
        created_at: 0,
        updated_at: 0,
        last_sign_in_at: None,
        custom_data: serde_json::json!({}),
        profile: serde_json::json!({}),
        avatar: None,
    };
    db.insert_user(&user)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let grant = Grant {
        id: grant_id.into(),
        client_id: app.id,
        user_id: user.id,
        session_id_hash: None,
        scope: "openid offline_access".into(),
        resources: vec![],
        auth_time: 1,
        amr: latchkey_core::mfa::Amr::password(),
        created_at: 1,
        revoked_at: None,
    };
    let code = AuthorizationCode {
        code_hash: token_hash(&format!("code-{grant_id}")),
        grant_id: grant_id.into(),
        redirect_uri: "https://app.example.com/cb".into(),
        nonce: Some("n".into()),
        code_challenge: None,
        created_at: 1,
        expires_at: 60_000,
    };
    db.insert_grant_with_code(&grant, &code, None, (None, None))
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    grant
}

#[tokio::test]
async fn a_code_is_taken_once_even_under_a_concurrent_race() {
    for db in test_dbs::each().await {
        let grant = setup(&db, "g1").await;
        let hash = token_hash("code-g1");
        let mut tasks = Vec::new();
        for _ in 0..8 {
            let db = db.clone();
            let hash = hash.clone();
            tasks.push(tokio::spawn(async move {
                // Each racer would store its own access token; only the winner's is.
                let access = OpaqueAccessToken {
                    token_hash: token_hash(&format!("a-{}", latchkey_core::random::id())),
                    grant_id: "g1".into(),
                    scope: "openid".into(),
                    created_at: 1,
                    expires_at: 1_000_000,
                };
                let stored = access.token_hash.clone();
                let taken = db
                    .take_authorization_code(&hash, 1_000, move |_, _| {
                        let issued = Issued {
                            refresh: None,
                            access: Some(access),
                            reuse_answer: None,
                        };
                        (issued, ())
                    })
                    .await;
                let found = db.find_access_token(&stored, 2_000).await;
                (taken, found.ok().flatten().is_some())
            }));
        }
        let mut taken = 0;
        let mut reused = 0;
        for task in tasks {
            let (outcome, stored) = task.await.unwrap_or_else(|e| panic!("{e}"));
            assert_eq!(stored, matches!(outcome, Ok(Taken::Taken(_))));
            match outcome.unwrap_or_else(|e| panic!("{e}")) {
                Taken::Taken(won) => {
                    taken += 1;
                    let (nonce, g) = (won.code.nonce.as_deref(), won.grant);
                    assert_eq!((nonce, g), (Some("n"), grant.clone()));
                    assert_eq!(won.user.map(|u| u.id), Some(grant.user_id.clone()));
                }
                Taken::Reused { grant_id } => {
                    reused += 1;
                    assert_eq!(grant_id, "g1");
                }
                Taken::Missing => panic!("a live code went missing"),
            }
        }
        assert_eq!((taken, reused), (1, 7));
    }
}

#[tokio::test]
async fn expired_or_unknown_codes_are_missing() {
    for db in test_dbs::each().await {
        setup(&db, "g2").await;
        let hash = token_hash("code-g2");
        assert_eq!(
            db.take_authorization_code(&hash, 60_000, |_, _| -> (Issued, ()) {
                panic!("nothing to issue")
            })
            .await
            .ok(),
            Some(Taken::Missing)
        );
        assert_eq!(
            db.take_authorization_code("nope", 1, |_, _| -> (Issued, ()) {
                panic!("nothing to issue")
            })
            .await
            .ok(),
            Some(Taken::Missing)
        );
    }
}

#[tokio::test]
async fn refresh_rotation_has_one_winner_and_revocation_ends_the_family() {
    for db in test_dbs::each().await {
        let grant = setup(&db, "g3").await;
        let token = |value: &str| RefreshToken {
            token_hash: token_hash(value),
            grant_id: grant.id.clone(),
            scope: "openid offline_access".into(),
            created_at: 1,
            expires_at: 1_000_000,
        };
        db.insert_refresh_token(&token("r1"))
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        let (old, g) = db
            .find_refresh_token(&token_hash("r1"), 10)
            .await
            .ok()
            .flatten()
            .unwrap_or_else(|| panic!("r1 is live"));
        let alongside = OpaqueAccessToken {
            token_hash: token_hash("a0"),
            grant_id: grant.id.clone(),
            scope: "openid".into(),
            created_at: 1,
            expires_at: 1_000_000,
        };
        let r1 = token_hash("r1");
        let first = db
            .rotate_refresh_token(
                (&r1, old.clone(), g.clone()),
                &token("r2"),
                (Some(alongside), Some("sealed".into())),
                10,
            )
            .await
            .ok();
        assert!(matches!(first, Some(Taken::Taken(_))));
        // The answer kept for a retry: found when asked from its rotation on.
        let client = g.client_id.as_str();
        let kept = db.find_reuse_answer((&r1, client), 10).await.ok().flatten();
        assert_eq!(kept.as_deref(), Some("sealed"));
        let later = db.find_reuse_answer((&r1, client), 11).await.ok().flatten();
        assert_eq!(later, None);
        let other = db
            .find_reuse_answer((&r1, "other"), 10)
            .await
            .ok()
            .flatten();
        assert_eq!(other, None, "another client's token");
        assert!(
            db.find_access_token(&token_hash("a0"), 10)
                .await
                .ok()
                .flatten()
                .is_some(),
            "the access token is stored with the rotation"
        );
        // A racer that read r1 before the rotation loses.
        let replay = db
            .rotate_refresh_token((&r1, old, g), &token("r3"), (None, None), 11)
            .await
            .ok();
        assert_eq!(
            db.find_consumed_refresh_token(&r1)
                .await
                .ok()
                .flatten()
                .as_deref(),
            Some("g3")
        );
        assert_eq!(
            replay,
            Some(Taken::Reused {
                grant_id: "g3".into()
            })
        );
        assert!(
            db.find_refresh_token(&token_hash("r2"), 12)
                .await
                .ok()
                .flatten()
                .is_some()
        );

        let access = OpaqueAccessToken {
            token_hash: token_hash("a1"),
            grant_id: grant.id.clone(),
            scope: "openid".into(),
            created_at: 1,
            expires_at: 1_000_000,
        };
        db.insert_access_token(&access)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        assert!(
            db.find_access_token(&token_hash("a1"), 12)
                .await
                .ok()
                .flatten()
                .is_some()
        );
        assert!(
            db.find_access_token(&token_hash("a1"), 1_000_000)
                .await
                .ok()
                .flatten()
                .is_none(),
            "expired"
        );

        db.revoke_grant("g3", 13)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        assert!(
            db.find_refresh_token(&token_hash("r2"), 14)
                .await
                .ok()
                .flatten()
                .is_none()
        );
        assert!(
            db.find_access_token(&token_hash("a1"), 14)
                .await
                .ok()
                .flatten()
                .is_none()
        );
        assert!(db.find_grant("g3").await.ok().flatten().is_none());
        assert_eq!(
            db.find_consumed_refresh_token(&token_hash("r2")).await.ok(),
            Some(None),
            "a revoked family leaves nothing to replay"
        );
    }
}

/// Grant `id` of `base`'s client and user, and its code `code-{id}`, created at `now`.
fn another(base: &Grant, id: &str, now: i64) -> (Grant, AuthorizationCode) {
    let grant = Grant {
        id: id.into(),
        created_at: now,
        ..base.clone()
    };
    let code = AuthorizationCode {
        code_hash: token_hash(&format!("code-{id}")),
        grant_id: id.into(),
        redirect_uri: "https://app.example.com/cb".into(),
        nonce: None,
        code_challenge: None,
        created_at: now,
        expires_at: now + 60_000,
    };
    (grant, code)
}

#[tokio::test]
async fn a_code_that_finishes_an_interaction_is_issued_once_and_only_while_it_lives() {
    for db in test_dbs::each().await {
        let base = setup(&db, "g4").await;
        let interaction = Interaction {
            id: "interaction-g4".into(),
            client_id: Some(base.client_id.clone()),
            request: "{}".into(),
            csrf_hash: "csrf".into(),
            session_id_hash: None,
            answer: None,
            created_at: 1,
            expires_at: 1_000,
        };
        db.insert_interaction(&interaction)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        let expired = another(&base, "g4-late", 1_000);
        let finishes = Some(("interaction-g4", 1_000));
        let late = db
            .insert_grant_with_code(&expired.0, &expired.1, None, (finishes, None))
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        assert!(
            !late,
            "{:?}: an expired interaction gets no code",
            db.backend()
        );
        let (a, b) = (another(&base, "g4-a", 10), another(&base, "g4-b", 10));
        let finishes = Some(("interaction-g4", 10));
        let (first, second) = tokio::join!(
            db.insert_grant_with_code(&a.0, &a.1, None, (finishes, None)),
            db.insert_grant_with_code(&b.0, &b.1, None, (finishes, None)),
        );
        let issued = [first, second].map(|r| r.unwrap_or_else(|e| panic!("{e}")));
        assert_eq!(
            issued.iter().filter(|i| **i).count(),
            1,
            "{:?}",
            db.backend()
        );
        for ((grant, _), issued) in [(&a, issued[0]), (&b, issued[1]), (&expired, false)] {
            let found = db
                .find_grant(&grant.id)
                .await
                .unwrap_or_else(|e| panic!("{e}"));
            assert_eq!(
                found.is_some(),
                issued,
                "{:?}: grant {}",
                db.backend(),
                grant.id
            );
        }
    }
}
