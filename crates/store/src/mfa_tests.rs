use latchkey_core::mfa::{Kind, Verification};

use super::Ceremony;
use crate::audit::AuditEntry;
use crate::{Error, test_dbs};

fn audit() -> AuditEntry {
    AuditEntry {
        actor_type: "user",
        actor_id: Some("alice".into()),
        action: "mfa.test".into(),
        target_type: Some("user"),
        target_id: Some("alice".into()),
        details: serde_json::json!({}),
    }
}

fn factor(id: &str, kind: Kind, credential_id: Option<&str>) -> Verification {
    Verification {
        id: id.into(),
        user_id: "alice".into(),
        kind,
        name: None,
        secret: Some("material".into()),
        credential_id: credential_id.map(str::to_owned),
        last_step: None,
        remaining: 0,
        created_at: 1,
        last_used_at: None,
    }
}

async fn with_alice(db: &crate::Db) {
    let user = crate::challenges::tests::user("alice", "alice@example.com");
    db.insert_user(&user)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
}

#[tokio::test]
async fn a_totp_step_is_accepted_once_and_never_an_older_one() {
    for db in test_dbs::each().await {
        with_alice(&db).await;
        let totp = factor("t1", Kind::Totp, None);
        db.insert_verification(&totp, &[], &audit(), 1)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        let (second, entry) = (factor("t2", Kind::Totp, None), audit());
        let again = db.insert_verification(&second, &[], &entry, 1).await;
        assert!(matches!(again, Err(Error::Conflict)), "one app each");
        assert!(
            db.use_totp_step("t1", 100, 5)
                .await
                .unwrap_or_else(|e| panic!("{e}"))
        );
        assert!(
            !db.use_totp_step("t1", 100, 6)
                .await
                .unwrap_or_else(|e| panic!("{e}")),
            "same step"
        );
        assert!(
            !db.use_totp_step("t1", 99, 6)
                .await
                .unwrap_or_else(|e| panic!("{e}")),
            "older step"
        );
        assert!(
            db.use_totp_step("t1", 101, 7)
                .await
                .unwrap_or_else(|e| panic!("{e}"))
        );
        let listed = db
            .list_verifications("alice")
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(listed[0].last_step, Some(101));
        assert_eq!(listed[0].last_used_at, Some(7));
    }
}

#[tokio::test]
async fn recovery_codes_act_once_and_a_new_set_voids_the_old() {
    for db in test_dbs::each().await {
        with_alice(&db).await;
        let set = factor("b1", Kind::BackupCode, None);
        let hashes = vec!["h1".to_owned(), "h2".to_owned()];
        db.insert_verification(&set, &hashes, &audit(), 1)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        assert!(
            db.use_recovery_code("b1", "h1", 2)
                .await
                .unwrap_or_else(|e| panic!("{e}"))
        );
        assert!(
            !db.use_recovery_code("b1", "h1", 3)
                .await
                .unwrap_or_else(|e| panic!("{e}")),
            "used"
        );
        assert!(
            !db.use_recovery_code("b1", "nope", 3)
                .await
                .unwrap_or_else(|e| panic!("{e}"))
        );
        assert_eq!(
            db.list_verifications("alice")
                .await
                .unwrap_or_else(|e| panic!("{e}"))[0]
                .remaining,
            1
        );
        let fresh = factor("b2", Kind::BackupCode, None);
        db.replace_recovery_codes(&fresh, &["h3".to_owned()], &audit(), 4)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        assert!(
            !db.use_recovery_code("b1", "h2", 5)
                .await
                .unwrap_or_else(|e| panic!("{e}")),
            "old set"
        );
        let listed = db
            .list_verifications("alice")
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!((listed.len(), listed[0].id.as_str()), (1, "b2"));
        assert!(
            db.use_recovery_code("b2", "h3", 5)
                .await
                .unwrap_or_else(|e| panic!("{e}"))
        );
    }
}

#[tokio::test]
async fn passkeys_are_found_by_credential_renamed_updated_and_removed() {
    for db in test_dbs::each().await {
        with_alice(&db).await;
        let key = factor("p1", Kind::WebAuthn, Some("cred-1"));
        db.insert_verification(&key, &[], &audit(), 1)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        let twin = factor("p2", Kind::WebAuthn, Some("cred-1"));
        let twice = db.insert_verification(&twin, &[], &audit(), 1).await;
        assert!(matches!(twice, Err(Error::Conflict)), "{twice:?}");
        db.insert_verification(
            &factor("p3", Kind::WebAuthn, Some("cred-3")),
            &[],
            &audit(),
            1,
        )
        .await
        .unwrap_or_else(|e| panic!("{e}"));
        let found = db
            .find_passkey("cred-1")
            .await
            .unwrap_or_else(|e| panic!("{e}"))
            .unwrap_or_else(|| panic!("missing"));
        assert_eq!(found.id, "p1");
        db.rename_passkey("alice", "p1", "Laptop")
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        let missing = db.rename_passkey("bob", "p1", "Mine").await;
        assert!(matches!(missing, Err(Error::NotFound)));
        assert!(
            db.update_passkey("p1", "material", "moved", 9)
                .await
                .unwrap_or_else(|e| panic!("{e}"))
        );
        assert!(
            !db.update_passkey("p1", "material", "raced", 9)
                .await
                .unwrap_or_else(|e| panic!("{e}"))
        );
        let found = db
            .find_passkey("cred-1")
            .await
            .unwrap_or_else(|e| panic!("{e}"))
            .unwrap_or_else(|| panic!("missing"));
        assert_eq!(found.name.as_deref(), Some("Laptop"));
        assert_eq!(found.secret.as_deref(), Some("moved"));
        let (mail, entry) = (
            [crate::challenges::tests::mail("m1", Some("alice"))],
            audit(),
        );
        let bob = db.delete_verification(("bob", "p1"), &entry, &mail, 10);
        assert!(!bob.await.unwrap_or_else(|e| panic!("{e}")));
        assert!(
            db.find_mail(5)
                .await
                .unwrap_or_else(|e| panic!("{e}"))
                .is_empty(),
            "no removal, no mail"
        );
        let alice = db.delete_verification(("alice", "p1"), &entry, &mail, 10);
        assert!(alice.await.unwrap_or_else(|e| panic!("{e}")));
        assert_eq!(
            db.find_mail(5)
                .await
                .unwrap_or_else(|e| panic!("{e}"))
                .len(),
            1
        );
        assert!(
            db.find_passkey("cred-1")
                .await
                .unwrap_or_else(|e| panic!("{e}"))
                .is_none()
        );
        assert_eq!(
            db.list_verifications("alice")
                .await
                .unwrap_or_else(|e| panic!("{e}"))
                .len(),
            1
        );
    }
}

#[tokio::test]
async fn a_ceremony_is_taken_once_while_live_and_for_its_purpose() {
    for db in test_dbs::each().await {
        let ceremony = Ceremony {
            id: "w1".into(),
            user_id: None,
            purpose: "sign_in".into(),
            state: "{}".into(),
            expires_at: 100,
        };
        db.insert_ceremony(&ceremony)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        assert!(
            db.take_ceremony("w1", "register", 5)
                .await
                .unwrap_or_else(|e| panic!("{e}"))
                .is_none()
        );
        assert!(
            db.take_ceremony("w1", "sign_in", 100)
                .await
                .unwrap_or_else(|e| panic!("{e}"))
                .is_none()
        );
        assert_eq!(
            db.take_ceremony("w1", "sign_in", 5)
                .await
                .unwrap_or_else(|e| panic!("{e}")),
            Some(ceremony)
        );
        assert!(
            db.take_ceremony("w1", "sign_in", 5)
                .await
                .unwrap_or_else(|e| panic!("{e}"))
                .is_none()
        );
    }
}
