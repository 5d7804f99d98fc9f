//! Two nodes on one PostgreSQL share one outbox: each queues what its requests cause, both
//! workers deliver, and every message reaches the SMTP server exactly once.

use std::time::Duration;

use serde_json::json;

use super::cluster::{admin_token, start_with};
use crate::support::mail::MailServer;
use crate::support::process::free_port;

#[tokio::test]
async fn two_nodes_send_each_message_once() {
    let Ok(base) = std::env::var("LATCHKEY_TEST_POSTGRES_URL") else {
        return;
    };
    let mail = MailServer::plain().await;
    let database = latchkey_store::testing::fresh_postgres_schema(&base).await;
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let public_url = format!("http://127.0.0.1:{}", free_port());
    let smtp = format!("smtp://127.0.0.1:{}?tls=none", mail.port);
    let env = [
        ("LATCHKEY_SMTP_URL", smtp.as_str()),
        ("LATCHKEY_MAIL_FROM", "Latchkey <no-reply@example.com>"),
    ];
    let a = start_with(dir.path(), (&database, &public_url), &env).await;
    let b = start_with(dir.path(), (&database, &public_url), &env).await;
    let http = reqwest::Client::new();
    let (token, _) = admin_token(&http, dir.path(), (&database, &public_url), &a).await;

    let mut ids = Vec::new();
    for n in 0..12 {
        let user =
            json!({"username": format!("user{n}"), "primaryEmail": format!("user{n}@example.com")});
        let made = http
            .post(format!("{}/api/users", a.base))
            .bearer_auth(&token)
            .json(&user)
            .send()
            .await;
        let made: serde_json::Value = made
            .unwrap_or_else(|e| panic!("{e}"))
            .json()
            .await
            .unwrap_or_default();
        ids.push(made["id"].as_str().unwrap_or_default().to_owned());
    }
    // Every mail asked for at once, half on each node.
    let asks = ids.iter().enumerate().map(|(n, id)| {
        let node = if n % 2 == 0 { &a } else { &b };
        let url = format!("{}/api/users/{id}/password-reset-email", node.base);
        let (http, token) = (&http, &token);
        async move {
            let sent = http.post(url).bearer_auth(token).send().await;
            sent.map(|r| r.status().as_u16()).unwrap_or_default()
        }
    });
    let statuses = futures_util::future::join_all(asks).await;
    assert!(statuses.iter().all(|s| *s == 204), "{statuses:?}");

    mail.wait_for(ids.len()).await;
    // Both workers have polled again since; nothing more arrives.
    tokio::time::sleep(Duration::from_secs(5)).await;
    let messages = mail.messages();
    let mut to: Vec<_> = messages.iter().flat_map(|m| m.to.clone()).collect();
    to.sort();
    to.dedup();
    assert_eq!(
        (messages.len(), to.len()),
        (ids.len(), ids.len()),
        "each message once"
    );
}
