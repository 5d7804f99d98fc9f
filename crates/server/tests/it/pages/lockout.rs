//! Nobody locks an account or a client out by knowing its identifier: failures from one
//! address hold back that address, not the owner elsewhere; failures from everywhere only
//! slow the answers. And an account has one counter, whichever identifier is typed.

use std::time::{Duration, Instant};

use serde_json::json;

use crate::pages::brute_force::{attempt_from, client_token, spawn};
use crate::support::{Admin, backends};

#[tokio::test]
async fn a_client_is_not_locked_out_by_failures_from_other_addresses() {
    for backend in backends() {
        let app = spawn(backend, &["127.0.0.1/32"]).await;
        let admin = Admin::new(&app).await;
        let machine = json!({"name": "Job", "type": "MachineToMachine"});
        let (_, job) = admin.post("/api/applications", machine.clone()).await;
        let (id, secret) = (
            job["id"].as_str().unwrap_or_default(),
            job["secret"].as_str().unwrap_or_default(),
        );
        for _ in 0..5 {
            let wrong = client_token(&app, id, "wrong", Some("203.0.113.7")).await;
            assert_eq!(wrong.status(), 401);
        }
        let attacker = client_token(&app, id, secret, Some("203.0.113.7")).await;
        assert_eq!(attacker.status(), 429, "the guessing address waits");
        let owner = client_token(&app, id, secret, Some("203.0.113.8")).await;
        assert_eq!(
            owner.status(),
            400,
            "authenticated elsewhere (no resource asked)"
        );

        // A hundred failures spread over twenty addresses: the owner's next answer is slowed,
        // not refused.
        let (_, other) = admin.post("/api/applications", machine).await;
        let (id, secret) = (
            other["id"].as_str().unwrap_or_default(),
            other["secret"].as_str().unwrap_or_default(),
        );
        for n in 0..100 {
            let from = format!("198.51.100.{}", n / 5);
            let wrong = client_token(&app, id, "wrong", Some(&from)).await;
            assert_eq!(wrong.status(), 401, "{n}");
        }
        let started = Instant::now();
        let owner = client_token(&app, id, secret, Some("192.0.2.1")).await;
        assert_eq!(owner.status(), 400);
        assert!(started.elapsed() >= Duration::from_millis(450), "slowed");
    }
}

#[tokio::test]
async fn an_account_has_one_counter_and_is_not_locked_out_from_elsewhere() {
    for backend in backends() {
        let app = spawn(backend, &["127.0.0.1/32"]).await;
        let admin = Admin::new(&app).await;
        let alice = json!({"username": "alice", "primaryEmail": "alice@example.com",
            "password": "correct horse battery"});
        assert_eq!(admin.post("/api/users", alice).await.0, 201);
        let (_, web) = admin
            .post(
                "/api/applications",
                json!({"name": "Web", "type": "Traditional",
                "oidcClientMetadata": {"redirectUris": ["https://app.example.com/callback"]}}),
            )
            .await;
        let web = web["id"].as_str().unwrap_or_default();
        let from = Some("203.0.113.7");
        // Username and email are one account: five failures in all, not five each.
        for identifier in [
            "alice",
            "alice",
            "alice",
            "ALICE@example.com",
            "alice@example.com",
        ] {
            let (status, _) = attempt_from(&app, web, (identifier, "wrong"), from).await;
            assert_eq!(status, 400, "{identifier}");
        }
        let right = ("alice@example.com", "correct horse battery");
        assert_eq!(attempt_from(&app, web, right, from).await.0, 429);
        // The owner, from an address without failures, signs in.
        let right = ("alice", "correct horse battery");
        assert_eq!(
            attempt_from(&app, web, right, Some("203.0.113.8")).await.0,
            303
        );
    }
}
