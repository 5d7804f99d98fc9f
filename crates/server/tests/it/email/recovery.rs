//! Password recovery: the code (or the mail's link) sets a new password under the sign-up
//! rules, once, and ends every session; unknown accounts get the same answers; codes
//! expire and wrong ones are throttled.

use serde_json::json;

use super::{app_with, challenge_of, get, post, without_nonce};
use crate::oidc::authorization_code::browser;
use crate::support::mail::MailServer;
use crate::support::walk::{sign_in_as, walk};
use crate::support::{Admin, PASSWORD, TestApp, backends};

const NEW_PASSWORD: &str = "a brand new passphrase";

async fn alice(app: &TestApp) -> String {
    let admin = Admin::new(app).await;
    let alice =
        json!({"username": "alice", "primaryEmail": "alice@example.com", "password": PASSWORD});
    let (status, alice) = admin.post("/api/users", alice).await;
    assert_eq!(status, 201);
    alice["id"].as_str().unwrap_or_default().to_owned()
}

/// Ask for recovery of `identifier` in a fresh browser: the code page's challenge and page.
async fn ask(app: &TestApp, identifier: &str) -> (String, String) {
    let (status, page, _) = post(app, &browser(), "/recover", &[("identifier", identifier)]).await;
    assert_eq!(status, 200, "{page}");
    (challenge_of(&page), page)
}

#[tokio::test]
async fn a_code_sets_a_new_password_once_and_ends_every_session() {
    for backend in backends() {
        let mail = MailServer::starttls().await;
        let app = app_with(backend, &mail, false).await;
        alice(&app).await;
        // Alice is signed in somewhere.
        let elsewhere = browser();
        let stop = walk(&app, &elsewhere, &app.url("/account")).await;
        let stop = sign_in_as(&app, &elsewhere, stop, "alice").await;
        stop.page("/account");

        let (challenge, page) = ask(&app, "ALICE@example.com").await;
        assert!(
            page.contains("If an account matches, we sent a code"),
            "{page}"
        );
        let message = mail.last_to("alice@example.com", 1).await;
        assert_eq!(message.subject, "Reset your Latchkey password");
        let code = message.code().unwrap_or_else(|| panic!("{message:?}"));
        let link = message.link().unwrap_or_default();
        assert_eq!(link, app.url(&format!("/recover/{challenge}?code={code}")));

        // The link fills the code in.
        let browser = browser();
        let (status, page) = get(&app, &browser, &link.replace(&app.address, "")).await;
        assert!(
            status == 200 && page.contains(&format!(r#"value="{code}""#)),
            "{page}"
        );
        let action = format!("/recover/{challenge}?interaction=");
        let weak = [
            ("challenge", challenge.as_str()),
            ("code", &code),
            ("password", "password"),
        ];
        let (status, page, _) = post(&app, &browser, &action, &weak).await;
        assert_eq!(status, 400);
        assert!(page.contains(r#"id="password-error""#), "{page}");
        let good = [
            ("challenge", challenge.as_str()),
            ("code", &code),
            ("password", NEW_PASSWORD),
        ];
        let (status, page, _) = post(&app, &browser, &action, &good).await;
        assert!(status == 200 && page.contains("Password changed"), "{page}");
        let (status, page, _) = post(&app, &browser, &action, &good).await;
        assert!(
            status == 400 && page.contains("expired or was tried too often"),
            "single use: {page}"
        );

        // Every session ended: the other browser must sign in again.
        let stop = walk(&app, &elsewhere, &app.url("/account")).await;
        stop.page("/sign-in/");
        let told = mail.last_to("alice@example.com", 2).await;
        assert_eq!(told.subject, "Your Latchkey password was changed");
        assert_eq!(told.code(), None);
        let user = app
            .state
            .db
            .find_user_by_identifier("alice")
            .await
            .ok()
            .flatten();
        let hash = user.and_then(|u| u.password_hash).unwrap_or_default();
        assert!(latchkey_core::user::verify_password(NEW_PASSWORD, &hash));
        let audit = app.state.db.find_recent_audit(20).await.unwrap_or_default();
        assert!(audit.iter().any(|(a, _, _)| a == "user.password.recover"));
    }
}

#[tokio::test]
async fn unknown_accounts_get_the_same_answers() {
    for backend in backends() {
        let mail = MailServer::plain().await;
        let app = app_with(backend, &mail, false).await;
        alice(&app).await;
        let mut seen = Vec::new();
        for identifier in ["alice", "nobody"] {
            let (challenge, page) = ask(&app, identifier).await;
            let browser = browser();
            let action = format!("/recover/{challenge}?interaction=");
            let mut answers = Vec::new();
            for _ in 0..6 {
                let typed = [
                    ("challenge", challenge.as_str()),
                    ("code", "999999"),
                    ("password", NEW_PASSWORD),
                ];
                let (status, page, _) = post(&app, &browser, &action, &typed).await;
                answers.push((
                    status,
                    without_nonce(&page).replace(&challenge, "CHALLENGE"),
                ));
            }
            seen.push((
                without_nonce(&page).replace(&challenge, "CHALLENGE"),
                answers,
            ));
        }
        assert_eq!(seen[0], seen[1]);
        assert!(
            seen[0].1[5].1.contains("tried too often"),
            "spent after five"
        );
        let messages = mail.wait_for(1).await;
        tokio::time::sleep(std::time::Duration::from_millis(500)).await;
        assert_eq!(mail.messages().len(), 1, "{messages:?}");
    }
}

#[tokio::test]
async fn codes_expire_and_wrong_ones_are_throttled_per_address() {
    for backend in backends() {
        let mail = MailServer::plain().await;
        let app = app_with(backend, &mail, true).await;
        alice(&app).await;
        let (challenge, _) = ask(&app, "alice").await;
        let code = mail
            .last_to("alice@example.com", 1)
            .await
            .code()
            .unwrap_or_default();
        app.state.clock.advance(16 * 60 * 1000);
        let browser = browser();
        let action = format!("/recover/{challenge}?interaction=");
        let late = [
            ("challenge", challenge.as_str()),
            ("code", &code),
            ("password", NEW_PASSWORD),
        ];
        let (status, page, _) = post(&app, &browser, &action, &late).await;
        assert!(status == 400 && page.contains("expired"), "{page}");

        // Guessing across many challenges from one address: refused after 20 wrong codes.
        let mut last = 0;
        for n in 0..22 {
            let typed = [
                ("challenge", "unknown"),
                ("code", "123456"),
                ("password", NEW_PASSWORD),
            ];
            let (status, _, _) = post(
                &app,
                &browser,
                &format!("/recover/c{n}?interaction="),
                &typed,
            )
            .await;
            last = status;
        }
        assert_eq!(last, 429);

        // Asking for mail is limited too: ten an hour from one address.
        let mut statuses = Vec::new();
        for _ in 0..10 {
            let (status, _, _) =
                post(&app, &browser, "/recover", &[("identifier", "nobody")]).await;
            statuses.push(status);
        }
        assert_eq!(statuses.last(), Some(&429), "{statuses:?}");
    }
}
