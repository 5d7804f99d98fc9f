//! Changing the account's address: the current password first, then the new address's code;
//! the old address is told; an address another account holds is said only to whoever proved
//! they own it.

use serde_json::json;

use super::{app_with, challenge_of, get, post};
use crate::oidc::authorization_code::{browser, hidden};
use crate::support::mail::MailServer;
use crate::support::walk::{sign_in_as, walk};
use crate::support::{Admin, PASSWORD, backends};

#[tokio::test]
async fn a_new_address_replaces_the_old_once_proven() {
    for backend in backends() {
        let mail = MailServer::plain().await;
        let app = app_with(backend, &mail, false).await;
        let admin = Admin::new(&app).await;
        let alice =
            json!({"username": "alice", "primaryEmail": "alice@example.com", "password": PASSWORD});
        let (_, alice) = admin.post("/api/users", alice).await;
        let bob =
            json!({"username": "bob", "primaryEmail": "bob@example.com", "password": PASSWORD});
        assert_eq!(admin.post("/api/users", bob).await.0, 201);
        let browser = browser();
        let stop = walk(&app, &browser, &app.url("/account/email")).await;
        let (_, page) = sign_in_as(&app, &browser, stop, "alice")
            .await
            .page("/account/email");
        assert!(
            page.contains("alice@example.com") && page.contains("Not verified"),
            "{page}"
        );
        let csrf = hidden(&page, "csrf");

        let wrong = [
            ("csrf", csrf.as_str()),
            ("email", "alice@new.example"),
            ("password", "wrong password"),
        ];
        let (status, page, _) = post(&app, &browser, "/account/email", &wrong).await;
        assert!(
            status == 400 && page.contains("The password is incorrect"),
            "{page}"
        );
        assert!(mail.messages().is_empty());

        // Bob's address: the code goes there, and only its owner learns it is taken.
        let taken = [
            ("csrf", csrf.as_str()),
            ("email", "bob@example.com"),
            ("password", PASSWORD),
        ];
        let (status, page, _) = post(&app, &browser, "/account/email", &taken).await;
        assert!(
            status == 200 && page.contains("We sent a 6-digit code to bob@example.com"),
            "{page}"
        );
        let code = mail
            .last_to("bob@example.com", 1)
            .await
            .code()
            .unwrap_or_default();
        let typed = [
            ("csrf", csrf.as_str()),
            ("challenge", &challenge_of(&page)),
            ("code", &code),
        ];
        let (status, page, _) = post(&app, &browser, "/account/email/code", &typed).await;
        assert!(
            status == 400 && page.contains("belongs to another account"),
            "{page}"
        );

        let change = [
            ("csrf", csrf.as_str()),
            ("email", "alice@new.example"),
            ("password", PASSWORD),
        ];
        let (status, page, _) = post(&app, &browser, "/account/email", &change).await;
        assert_eq!(status, 200, "{page}");
        let message = mail.last_to("alice@new.example", 2).await;
        let code = message.code().unwrap_or_default();
        let (_, before) = admin
            .get(&format!(
                "/api/users/{}",
                alice["id"].as_str().unwrap_or_default()
            ))
            .await;
        assert_eq!(
            before["primaryEmail"], "alice@example.com",
            "unchanged until proven"
        );
        let typed = [
            ("csrf", csrf.as_str()),
            ("challenge", &challenge_of(&page)),
            ("code", &code),
        ];
        let (status, _, location) = post(&app, &browser, "/account/email/code", &typed).await;
        assert_eq!(
            (status, location.as_deref()),
            (303, Some("/account/email?proven=1"))
        );
        let (_, page) = get(&app, &browser, "/account/email?proven=1").await;
        assert!(
            page.contains("alice@new.example") && page.contains("Verified"),
            "{page}"
        );
        let (_, after) = admin
            .get(&format!(
                "/api/users/{}",
                alice["id"].as_str().unwrap_or_default()
            ))
            .await;
        assert_eq!(
            (
                after["primaryEmail"].as_str(),
                after["primaryEmailVerified"].as_bool()
            ),
            (Some("alice@new.example"), Some(true))
        );
        let told = mail.last_to("alice@example.com", 3).await;
        assert!(
            told.subject.contains("email address was changed"),
            "{told:?}"
        );
        assert_eq!(told.code(), None);
    }
}
