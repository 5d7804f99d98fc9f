use latchkey_core::email::{Challenge, MAX_CODE_ATTEMPTS, Purpose, code_hash};
use latchkey_core::user::User;

use crate::outbox::Mail;
use crate::test_dbs;

pub(crate) fn user(id: &str, email: &str) -> User {
    User {
        id: id.into(),
        username: Some(id.into()),
        primary_email: Some(email.into()),
        primary_email_verified: false,
        primary_phone: None,
        name: None,
        password_hash: Some("old".into()),
        is_suspended: false,
        created_at: 0,
        updated_at: 0,
        last_sign_in_at: None,
        custom_data: serde_json::json!({}),
        profile: serde_json::json!({}),
        avatar: None,
    }
}

fn challenge(id: &str, purpose: Purpose, user_id: Option<&str>, email: &str) -> Challenge {
    Challenge {
        id: id.into(),
        purpose,
        user_id: user_id.map(str::to_owned),
        email: email.into(),
        code_hash: code_hash(id, "123456"),
        attempts: 0,
        created_at: 1,
        expires_at: 1_000,
        consumed_at: None,
        pending: None,
    }
}

pub(crate) fn mail(id: &str, user_id: Option<&str>) -> Mail {
    Mail {
        id: id.into(),
        kind: "verify_email".into(),
        recipient: "a@example.com".into(),
        user_id: user_id.map(str::to_owned),
        locale: "en".into(),
        payload: "plain:{}".into(),
        created_at: 1,
    }
}

#[tokio::test]
async fn a_code_proves_an_address_once_and_wrong_codes_are_counted() {
    for db in test_dbs::each().await {
        let alice = user("alice", "alice@example.com");
        let c = challenge("c1", Purpose::Verify, Some("alice"), "alice@example.com");
        db.insert_user_with_challenge(&alice, &c, &mail("m1", Some("alice")))
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        let queued = db.find_mail(10).await.unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(queued.len(), 1, "the mail is queued with the account");
        for _ in 0..2 {
            db.count_challenge_failure("c1")
                .await
                .unwrap_or_else(|e| panic!("{e}"));
        }
        let found = db.find_challenge("c1").await.ok().flatten();
        assert_eq!(found.map(|c| c.attempts), Some(2));
        let right = code_hash("c1", "123456");
        let wrong = code_hash("c1", "654321");
        assert_eq!(db.prove_email(&c, &wrong, 5, &[]).await.ok(), Some(false));
        assert_eq!(db.prove_email(&c, &right, 5, &[]).await.ok(), Some(true));
        assert_eq!(
            db.prove_email(&c, &right, 6, &[]).await.ok(),
            Some(false),
            "once"
        );
        let proven = db.find_user("alice").await.ok().flatten();
        assert!(proven.is_some_and(|u| u.primary_email_verified));
    }
}

#[tokio::test]
async fn a_spent_or_stale_challenge_proves_nothing() {
    for db in test_dbs::each().await {
        db.insert_user(&user("bob", "bob@example.com"))
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        let right = code_hash("c2", "123456");
        let c = challenge("c2", Purpose::Verify, Some("bob"), "bob@example.com");
        db.insert_challenge(&c, &[])
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            db.prove_email(&c, &right, 1_000, &[]).await.ok(),
            Some(false),
            "expired"
        );
        for _ in 0..MAX_CODE_ATTEMPTS {
            db.count_challenge_failure("c2")
                .await
                .unwrap_or_else(|e| panic!("{e}"));
        }
        assert_eq!(
            db.prove_email(&c, &right, 5, &[]).await.ok(),
            Some(false),
            "tried out"
        );
        // Verifying an address the account no longer has changes nothing.
        let old = challenge("c3", Purpose::Verify, Some("bob"), "old@example.com");
        db.insert_challenge(&old, &[])
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        let right = code_hash("c3", "123456");
        assert_eq!(db.prove_email(&old, &right, 5, &[]).await.ok(), Some(true));
        let bob = db.find_user("bob").await.ok().flatten();
        let bob = bob.unwrap_or_else(|| panic!("bob"));
        assert_eq!(bob.primary_email.as_deref(), Some("bob@example.com"));
        assert!(!bob.primary_email_verified);
        assert!(
            db.find_live_challenge("bob", Purpose::Verify, 5)
                .await
                .ok()
                .flatten()
                .is_none()
        );
    }
}

#[tokio::test]
async fn a_change_replaces_the_address_and_a_sign_up_adds_the_account() {
    for db in test_dbs::each().await {
        db.insert_user(&user("carol", "carol@example.com"))
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        db.insert_user(&user("dave", "dave@example.com"))
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        let taken = challenge("c4", Purpose::Change, Some("carol"), "DAVE@example.com");
        db.insert_challenge(&taken, &[])
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        let right = code_hash("c4", "123456");
        let conflict = db.prove_email(&taken, &right, 5, &[]).await;
        assert!(
            matches!(conflict, Err(crate::Error::Conflict)),
            "{conflict:?}"
        );
        let mut new = challenge("c5", Purpose::Change, Some("carol"), "carol@new.example");
        new.created_at = 2;
        db.insert_challenge(&new, &[])
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        let live = db.find_live_challenge("carol", Purpose::Change, 5).await;
        assert_eq!(
            live.ok().flatten().map(|c| c.id),
            Some("c5".to_owned()),
            "the newest"
        );
        let right = code_hash("c5", "123456");
        let told = mail("m2", Some("carol"));
        assert_eq!(
            db.prove_email(&new, &right, 5, &[told]).await.ok(),
            Some(true)
        );
        let carol = db.find_user("carol").await.ok().flatten();
        let carol = carol.unwrap_or_else(|| panic!("carol"));
        assert_eq!(carol.primary_email.as_deref(), Some("carol@new.example"));
        assert!(carol.primary_email_verified);
        assert_eq!(db.find_mail(10).await.map(|m| m.len()).ok(), Some(1));

        let sign_up = challenge("c6", Purpose::SignUp, None, "erin@example.com");
        db.insert_challenge(&sign_up, &[])
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        let right = code_hash("c6", "123456");
        let mut erin = user("erin", "erin@example.com");
        erin.username = Some("DAVE".into());
        let clash = db.finish_sign_up("c6", &right, 5, &erin).await;
        assert!(matches!(clash, Err(crate::Error::Conflict)), "{clash:?}");
        erin.username = Some("erin".into());
        erin.primary_email_verified = true;
        assert_eq!(
            db.finish_sign_up("c6", &right, 5, &erin).await.ok(),
            Some(true),
            "not spent by the clash"
        );
        assert_eq!(db.find_user("erin").await.ok().flatten(), Some(erin));
    }
}

#[tokio::test]
async fn a_recovery_sets_the_password_and_ends_the_sessions() {
    for db in test_dbs::each().await {
        let grant = crate::grants::tests::setup(&db, "g1").await;
        let user_id = grant.user_id.clone();
        let session = latchkey_core::session::Session {
            id_hash: "s1".into(),
            user_id: user_id.clone(),
            auth_time: 1,
            amr: latchkey_core::mfa::Amr::password(),
            created_at: 1,
            last_seen_at: 1,
            expires_at: 10_000,
        };
        db.start_session(&session, None, None)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        let c = challenge("c7", Purpose::Recovery, Some(&user_id), "x@example.com");
        db.insert_challenge(&c, &[])
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        let right = code_hash("c7", "123456");
        let told = [mail("m3", Some(&user_id))];
        let done = db.recover_password(&c, &right, 5, "new-hash", &told).await;
        assert_eq!(done.ok(), Some(true));
        let again = db.recover_password(&c, &right, 6, "other", &told).await;
        assert_eq!(again.ok(), Some(false), "single use");
        let user = db.find_user(&user_id).await.ok().flatten();
        assert_eq!(
            user.and_then(|u| u.password_hash).as_deref(),
            Some("new-hash")
        );
        let session = db.find_session("s1", 6).await.ok().flatten();
        assert!(session.is_none(), "every session ended");
        assert_eq!(db.find_mail(10).await.map(|m| m.len()).ok(), Some(1));
    }
}
