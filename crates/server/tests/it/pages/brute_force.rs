//! Brute-force protection: failed passwords and client secrets cost the account (or client)
//! and the address; past the budget the answer is 429 with `Retry-After`, whether or not the
//! account exists, until the back-off ends. One budget for every way of proving a secret.

use serde_json::json;

use crate::oidc::authorization_code::{browser, hidden};
use crate::support::{Admin, Authorize, Backend, Options, TestApp, backends};

pub(crate) async fn spawn(backend: Backend, trusted: &[&str]) -> TestApp {
    let options = Options {
        fixed_clock: true,
        trusted_proxies: trusted
            .iter()
            .map(|t| t.parse().unwrap_or_else(|e| panic!("{e}")))
            .collect(),
        ..Options::default()
    };
    TestApp::spawn_with(backend, options)
        .await
        .unwrap_or_else(|e| panic!("{e}"))
}

/// Post the sign-in form once; returns the status and the page.
async fn attempt(
    app: &TestApp,
    client_id: &str,
    identifier: &str,
    password: &str,
) -> (u16, String) {
    attempt_from(app, client_id, (identifier, password), None).await
}

/// The same, from `forwarded` behind a trusted proxy.
pub(crate) async fn attempt_from(
    app: &TestApp,
    client_id: &str,
    (identifier, password): (&str, &str),
    forwarded: Option<&str>,
) -> (u16, String) {
    let browser = browser();
    let start = Authorize::new(client_id).url(app);
    let to_sign_in = browser
        .get(&start)
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let path = to_sign_in.headers()["location"]
        .to_str()
        .unwrap_or_default()
        .to_owned();
    let page = browser
        .get(app.url(&path))
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let page = page.text().await.unwrap_or_default();
    let form = [
        ("csrf", hidden(&page, "csrf")),
        ("identifier", identifier.to_owned()),
        ("password", password.to_owned()),
    ];
    let mut answer = browser.post(app.url(&path)).form(&form);
    if let Some(address) = forwarded {
        answer = answer.header("x-forwarded-for", address);
    }
    let answer = answer.send().await.unwrap_or_else(|e| panic!("{e}"));
    let status = answer.status().as_u16();
    if status == 429 {
        let retry = answer.headers()["retry-after"]
            .to_str()
            .unwrap_or("")
            .parse::<i64>();
        assert!(
            retry.is_ok_and(|s| (1..=60).contains(&s)),
            "Retry-After in seconds"
        );
    }
    (status, answer.text().await.unwrap_or_default())
}

#[tokio::test]
async fn passwords_back_off_per_account_whether_or_not_it_exists() {
    for backend in backends() {
        let app = spawn(backend, &[]).await;
        let admin = Admin::new(&app).await;
        let alice = json!({"username": "alice", "password": "correct horse battery"});
        assert_eq!(admin.post("/api/users", alice).await.0, 201);
        let (_, web) = admin
            .post(
                "/api/applications",
                json!({"name": "Web", "type": "Traditional",
                "oidcClientMetadata": {"redirectUris": ["https://app.example.com/callback"]}}),
            )
            .await;
        let web = web["id"].as_str().unwrap_or_default().to_owned();

        for identifier in ["alice", "nobody"] {
            for _ in 0..5 {
                assert_eq!(attempt(&app, &web, identifier, "wrong").await.0, 400);
            }
            let (status, page) = attempt(&app, &web, identifier, "correct horse battery").await;
            assert_eq!(status, 429, "{identifier}: even the right password waits");
            assert!(
                page.contains("Too many attempts. Try again in 1 min."),
                "{page}"
            );
        }
        // Another account from the same address is not held back by alice's failures.
        let bob = json!({"username": "bob", "password": "correct horse battery"});
        assert_eq!(admin.post("/api/users", bob).await.0, 201);
        assert_eq!(
            attempt(&app, &web, "bob", "correct horse battery").await.0,
            303
        );

        app.state.clock.advance(61_000);
        assert_eq!(
            attempt(&app, &web, "ALICE", "correct horse battery")
                .await
                .0,
            303,
            "case-folded key"
        );
        // Success cleared alice's counter: the next failure is an ordinary one.
        assert_eq!(attempt(&app, &web, "alice", "wrong").await.0, 400);

        // Every attempt is in the audit log, filtered and paginated, and no password is.
        let (status, failures, headers) = admin
            .send(
                reqwest::Method::GET,
                "/api/audit-logs?action=sign_in.failure&page_size=3",
                None,
            )
            .await;
        assert_eq!(status, 200);
        assert_eq!(headers["total-number"], "11");
        assert_eq!(failures.as_array().map(Vec::len), Some(3));
        assert_eq!(failures[0]["actorType"], "address");
        let reasons: Vec<&str> = failures
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|f| f["details"]["reason"].as_str())
            .collect();
        assert!(
            reasons
                .iter()
                .all(|r| ["wrong_password", "unknown_user"].contains(r)),
            "{reasons:?}"
        );
        let (_, all) = admin.get("/api/audit-logs?page_size=100").await;
        let text = all.to_string();
        assert!(!text.contains("correct horse battery") && !text.contains("\"wrong\""));
        for action in ["sign_in.throttled", "sign_in.success"] {
            let (_, found) = admin.get(&format!("/api/audit-logs?action={action}")).await;
            assert!(!found.as_array().is_none_or(Vec::is_empty), "{action}");
        }
        let (_, unknown) = admin
            .get("/api/audit-logs?targetId=nobody&action=sign_in.failure")
            .await;
        assert_eq!(unknown[0]["details"]["reason"], "unknown_user");
        assert_eq!(admin.get("/api/audit-logs?from=soon").await.0, 400);
    }
}

pub(crate) async fn client_token(
    app: &TestApp,
    id: &str,
    secret: &str,
    forwarded: Option<&str>,
) -> reqwest::Response {
    let mut request = app
        .http
        .post(app.url("/oidc/token"))
        .basic_auth(id, Some(secret))
        .form(&[("grant_type", "client_credentials")]);
    if let Some(address) = forwarded {
        request = request.header("x-forwarded-for", address);
    }
    request.send().await.unwrap_or_else(|e| panic!("{e}"))
}

#[tokio::test]
async fn client_secrets_back_off_per_client_and_per_address() {
    for backend in backends() {
        let app = spawn(backend, &["127.0.0.1/32"]).await;
        let admin = Admin::new(&app).await;
        let (_, m2m) = admin
            .post(
                "/api/applications",
                json!({"name": "Job", "type": "MachineToMachine"}),
            )
            .await;
        let (id, secret) = (
            m2m["id"].as_str().unwrap_or_default(),
            m2m["secret"].as_str().unwrap_or_default(),
        );
        for _ in 0..5 {
            assert_eq!(client_token(&app, id, "wrong", None).await.status(), 401);
        }
        let blocked = client_token(&app, id, secret, None).await;
        assert_eq!(blocked.status(), 429);
        assert!(blocked.headers().contains_key("retry-after"));
        app.state.clock.advance(61_000);
        assert_eq!(
            client_token(&app, id, secret, None).await.status(),
            400,
            "authenticated; no scope asked"
        );
        assert_eq!(
            client_token(&app, id, "wrong", None).await.status(),
            401,
            "counter cleared"
        );

        // An address behind the trusted proxy spends its own budget on any client ids.
        for n in 0..30 {
            let status = client_token(&app, &format!("guess{n}"), "x", Some("203.0.113.7"))
                .await
                .status();
            assert_eq!(status, 401);
        }
        let from_there = client_token(&app, id, secret, Some("203.0.113.7")).await;
        assert_eq!(from_there.status(), 429, "the address is out of budget");
        let elsewhere = client_token(&app, id, secret, Some("203.0.113.8")).await;
        assert_eq!(elsewhere.status(), 400, "another address is not");
        let (_, throttled) = admin.get("/api/audit-logs?action=client.throttled").await;
        assert_eq!(
            throttled[0]["actorId"], "203.0.113.7",
            "the address behind the proxy"
        );
    }
}
