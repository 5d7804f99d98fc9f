//! Delivery: a mail server that is down delays mail and loses none (the message arrives
//! once, when it is back); one that stays down for a day gets the message marked failed, for
//! administrators to see; what a message carried is forgotten once it is done.

use std::time::Duration;

use serde_json::json;

use super::app_with;
use crate::support::mail::MailServer;
use crate::support::walk::{sign_in_as, walk};
use crate::support::{Admin, PASSWORD, TestApp, backends};

async fn user(admin: &Admin<'_>, name: &str) -> String {
    let body = json!({"username": name, "primaryEmail": format!("{name}@example.com"), "password": PASSWORD});
    let (status, user) = admin.post("/api/users", body).await;
    assert_eq!(status, 201);
    user["id"].as_str().unwrap_or_default().to_owned()
}

/// Wait until the outbox's only message for `recipient` has been tried `attempts` times.
async fn tried(
    app: &TestApp,
    recipient: &str,
    attempts: i64,
) -> latchkey_store::outbox::MailRecord {
    for _ in 0..200 {
        let all = app.state.db.find_mail(50).await.unwrap_or_default();
        let found = all.into_iter().find(|m| m.mail.recipient == recipient);
        if let Some(found) = found.filter(|m| m.attempts >= attempts && m.last_error.is_some()) {
            return found;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("the message to {recipient} was not tried {attempts} times");
}

#[tokio::test]
async fn an_outage_delays_mail_and_loses_none() {
    for backend in backends() {
        let mut mail = MailServer::plain().await;
        let app = app_with(backend, &mail, true).await;
        let admin = Admin::new(&app).await;
        user(&admin, "alice").await;
        mail.stop();
        // A person asks for recovery while the mail server is down.
        let browser = crate::oidc::authorization_code::browser();
        let asked = [("identifier", "alice")];
        let (status, page, _) = super::post(&app, &browser, "/recover", &asked).await;
        assert_eq!(status, 200, "{page}");
        let waiting = tried(&app, "alice@example.com", 1).await;
        assert_eq!(waiting.status, "queued", "kept for later");
        assert!(!waiting.mail.payload.is_empty());

        mail.restart().await;
        app.state.clock.advance(60_000);
        let messages = mail.wait_for(1).await;
        assert!(messages[0].code().is_some());
        // Sent once, and forgotten.
        tokio::time::sleep(Duration::from_secs(3)).await;
        assert_eq!(mail.messages().len(), 1);
        let all = app.state.db.find_mail(50).await.unwrap_or_default();
        assert_eq!(
            (all[0].status.as_str(), all[0].mail.payload.as_str()),
            ("sent", "")
        );

        // Down for a day: given up, and shown to administrators.
        let bob = user(&admin, "bob").await;
        crate::console::admin::people(&admin).await;
        mail.stop();
        let (status, _) = admin
            .post(&format!("/api/users/{bob}/password-reset-email"), json!({}))
            .await;
        assert_eq!(status, 204);
        tried(&app, "bob@example.com", 1).await;
        app.state.clock.advance(25 * 60 * 60 * 1000);
        for _ in 0..200 {
            let failed = app
                .state
                .db
                .find_failed_mail(Some(&bob), 10)
                .await
                .unwrap_or_default();
            if let Some(failed) = failed.first() {
                assert!(failed.mail.payload.is_empty(), "forgotten once given up");
                break;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        let failed = app
            .state
            .db
            .find_failed_mail(Some(&bob), 10)
            .await
            .unwrap_or_default();
        assert_eq!(failed.len(), 1, "given up after a day");
        let browser = crate::oidc::authorization_code::browser();
        let here = format!("/console/users/{bob}");
        let stop = walk(&app, &browser, &app.url(&here)).await;
        let (_, page) = sign_in_as(&app, &browser, stop, "root").await.page(&here);
        assert!(
            page.contains("Not verified") && page.contains("Not delivered"),
            "{page}"
        );
        let csrf = crate::oidc::authorization_code::hidden(&page, "csrf");
        let vouch = [("csrf", csrf.as_str()), ("verified", "true")];
        let path = format!("{here}/email-verified");
        let (status, _, _) = super::post(&app, &browser, &path, &vouch).await;
        assert_eq!(status, 303);
        let (_, page) = super::get(&app, &browser, &here).await;
        assert!(page.contains("Mark as not verified"), "{page}");
        assert!(
            app.state
                .metrics
                .render((0, 0))
                .contains("latchkey_mail_total{state=\"failed\"} 1")
        );
    }
}
