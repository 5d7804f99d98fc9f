use latchkey_core::device::{DeviceAuthorization, Status};
use latchkey_core::grant::{AuthorizationCode, token_hash};

use crate::test_dbs;

fn authorization(client_id: &str, n: &str) -> DeviceAuthorization {
    DeviceAuthorization {
        id: format!("d{n}"),
        device_code_hash: token_hash(&format!("device-{n}")),
        user_code_hash: token_hash(&format!("user-{n}")),
        client_id: client_id.into(),
        request: "{}".into(),
        created_at: 1,
        expires_at: 600_000,
        interval_secs: 5,
        last_polled_at: None,
        status: Status::Pending,
    }
}

#[tokio::test]
async fn a_device_authorization_is_found_by_its_codes_and_decided_once() {
    for db in test_dbs::each().await {
        let grant = crate::grants::tests::setup(&db, "g1").await;
        let pending = authorization(&grant.client_id, "1");
        db.insert_device_authorization(&pending)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        // The same user code twice: refused, so that the caller draws another.
        let mut twin = authorization(&grant.client_id, "2");
        twin.user_code_hash = pending.user_code_hash.clone();
        assert!(matches!(
            db.insert_device_authorization(&twin).await,
            Err(crate::Error::Conflict)
        ));
        let user_code = &pending.user_code_hash;
        let found = db.find_device_by_user_code(user_code, 2).await;
        assert_eq!(found.ok().flatten().as_ref(), Some(&pending));
        let late = db.find_device_by_user_code(user_code, 600_000).await;
        assert_eq!(late.ok().flatten(), None, "expired");

        db.record_device_poll("d1", 10, 10)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        // Approved with the code its approval issued, in the code's transaction.
        let code = AuthorizationCode {
            code_hash: token_hash("device-code"),
            grant_id: "g-device".into(),
            redirect_uri: latchkey_core::device::DEVICE_REDIRECT.into(),
            nonce: None,
            code_challenge: None,
            created_at: 20,
            expires_at: 600_000,
        };
        let mut device_grant = grant.clone();
        device_grant.id = "g-device".into();
        device_grant.created_at = 20;
        let written = db
            .insert_grant_with_code(&device_grant, &code, None, (None, Some("d1")))
            .await;
        assert_eq!(written.ok(), Some(true));
        let polled = db
            .find_device_by_device_code(&pending.device_code_hash)
            .await;
        let polled = polled.ok().flatten().unwrap_or_else(|| panic!("gone"));
        assert_eq!(
            (polled.status, polled.last_polled_at, polled.interval_secs),
            (
                Status::Approved {
                    code_hash: code.code_hash.clone()
                },
                Some(10),
                10
            )
        );
        // Decided: the user code no longer finds it, and it cannot be denied after.
        assert_eq!(
            db.find_device_by_user_code(user_code, 30)
                .await
                .ok()
                .flatten(),
            None
        );
        assert_eq!(db.deny_device("d1", 30).await.ok(), Some(false));

        let other = authorization(&grant.client_id, "3");
        db.insert_device_authorization(&other)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(db.deny_device("d3", 30).await.ok(), Some(true));
        assert_eq!(db.deny_device("d3", 31).await.ok(), Some(false));
        let denied = db.find_device_by_device_code(&other.device_code_hash).await;
        assert_eq!(
            denied.ok().flatten().map(|d| d.status),
            Some(Status::Denied)
        );
    }
}
