//! `kill -9` in the middle of sign-ins, code redemptions and refresh rotations, on SQLite and
//! PostgreSQL: after a restart everything acknowledged is still there, nothing consumed works
//! again, and SQLite's integrity check is clean.

use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::{Value, json};

use crate::oidc::authorization_code::{browser, hidden};
use crate::support::process::{Process, free_port, latchkey, serve};
use crate::support::{Backend, backends, fresh_database};

const CALLBACK: &str = "https://app.example.com/callback";

fn command(dir: &Path, database: &str, port: u16) -> Command {
    let mut command = latchkey(dir, port, &[]);
    command.env("LATCHKEY_DATABASE_URL", database);
    command
}

async fn start(dir: &Path, database: &str, port: u16) -> Process {
    serve(
        command(dir, database, port),
        &format!("http://127.0.0.1:{port}"),
    )
    .await
}

struct Site {
    base: String,
    client: (String, String),
}

impl Site {
    fn auth(&self, scope: &str) -> String {
        format!(
            "{}/oidc/auth?client_id={}&redirect_uri=https%3A%2F%2Fapp.example.com%2Fcallback&response_type=code&scope={scope}",
            self.base, self.client.0
        )
    }

    async fn token(&self, fields: &[(&str, &str)]) -> Option<(u16, Value)> {
        let response = reqwest::Client::new()
            .post(format!("{}/oidc/token", self.base))
            .basic_auth(&self.client.0, Some(&self.client.1))
            .form(fields)
            .send()
            .await
            .ok()?;
        let status = response.status().as_u16();
        Some((status, response.json().await.ok()?))
    }

    /// A full sign-in in a fresh browser; `Some(browser)` once the server acknowledged it.
    async fn sign_in(&self) -> Option<reqwest::Client> {
        let browser = browser();
        let to_page = browser.get(self.auth("openid")).send().await.ok()?;
        let path = to_page.headers().get("location")?.to_str().ok()?.to_owned();
        let page = browser
            .get(format!("{}{path}", self.base))
            .send()
            .await
            .ok()?
            .text()
            .await
            .ok()?;
        let fields = [
            ("csrf", hidden(&page, "csrf")),
            ("identifier", "alice".into()),
            ("password", "correct horse battery".into()),
        ];
        let posted = browser
            .post(format!("{}{path}", self.base))
            .form(&fields)
            .send()
            .await
            .ok()?;
        (posted.status() == 303).then_some(browser)
    }

    /// A code from a signed-in browser, without a form.
    async fn code(&self, browser: &reqwest::Client, scope: &str) -> Option<String> {
        let response = browser.get(self.auth(scope)).send().await.ok()?;
        let location = response
            .headers()
            .get("location")?
            .to_str()
            .ok()?
            .to_owned();
        let url = url::Url::parse(&location).ok()?;
        url.query_pairs()
            .find(|(n, _)| n == "code")
            .map(|(_, v)| v.into_owned())
    }

    async fn refresh_token(&self, browser: &reqwest::Client) -> String {
        let code = self
            .code(browser, "openid+offline_access")
            .await
            .unwrap_or_default();
        let fields = [
            ("grant_type", "authorization_code"),
            ("code", code.as_str()),
            ("redirect_uri", CALLBACK),
        ];
        let (_, tokens) = self
            .token(&fields)
            .await
            .unwrap_or_else(|| panic!("no tokens"));
        tokens["refresh_token"]
            .as_str()
            .unwrap_or_default()
            .to_owned()
    }
}

#[derive(Default)]
struct Acknowledged {
    sessions: Vec<reqwest::Client>,
    consumed_codes: Vec<String>,
    rotated_away: Vec<String>,
}

async fn crash_and_restart(backend: Backend) {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let database = fresh_database(backend, &dir).await;
    let port = free_port();
    let node = start(dir.path(), &database, port).await;
    let password = command(dir.path(), &database, port)
        .args(["users", "create", "--username", "alice", "--password-stdin"])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .and_then(|mut child| {
            use std::io::Write;
            child
                .stdin
                .take()
                .map(|mut s| s.write_all(b"correct horse battery\n"));
            child.wait()
        });
    assert!(password.is_ok_and(|s| s.success()));
    let creds = command(dir.path(), &database, port)
        .args(["bootstrap", "--json"])
        .output();
    let creds: Value =
        serde_json::from_slice(&creds.map(|o| o.stdout).unwrap_or_default()).unwrap_or_default();
    let base = format!("http://127.0.0.1:{port}");
    let admin = Site {
        base: base.clone(),
        client: (
            creds["clientId"].as_str().unwrap_or_default().into(),
            creds["clientSecret"].as_str().unwrap_or_default().into(),
        ),
    };
    let resource = creds["resource"].as_str().unwrap_or_default().to_owned();
    let (_, token) = admin
        .token(&[
            ("grant_type", "client_credentials"),
            ("resource", &resource),
            ("scope", "all"),
        ])
        .await
        .unwrap_or_default();
    let app = json!({"name": "Web", "type": "Traditional", "oidcClientMetadata": {"redirectUris": [CALLBACK]},
        "customClientMetadata": {"rotateRefreshToken": true}});
    let made = reqwest::Client::new()
        .post(format!("{base}/api/applications"))
        .bearer_auth(token["access_token"].as_str().unwrap_or_default())
        .json(&app)
        .send()
        .await;
    let web: Value = made
        .unwrap_or_else(|e| panic!("{e}"))
        .json()
        .await
        .unwrap_or_default();
    let site = Arc::new(Site {
        base,
        client: (
            web["id"].as_str().unwrap_or_default().into(),
            web["secret"].as_str().unwrap_or_default().into(),
        ),
    });

    // Acknowledged before the load, untouched during it: must all survive.
    let browser = site
        .sign_in()
        .await
        .unwrap_or_else(|| panic!("first sign-in"));
    let mut quiet = Vec::new();
    for _ in 0..3 {
        quiet.push(site.refresh_token(&browser).await);
    }
    let mut codes = Vec::new();
    for _ in 0..40 {
        codes.push(site.code(&browser, "openid").await.unwrap_or_default());
    }
    let chain = site.refresh_token(&browser).await;

    // The load: sign-ins, code redemptions and refresh rotations, until the process dies.
    let seen = Arc::new(Mutex::new(Acknowledged::default()));
    let mut workers = Vec::new();
    let (s, k) = (site.clone(), seen.clone());
    workers.push(tokio::spawn(async move {
        while let Some(b) = s.sign_in().await {
            k.lock().unwrap_or_else(|e| e.into_inner()).sessions.push(b);
        }
    }));
    let (s, k) = (site.clone(), seen.clone());
    workers.push(tokio::spawn(async move {
        for code in codes {
            let fields = [
                ("grant_type", "authorization_code"),
                ("code", code.as_str()),
                ("redirect_uri", CALLBACK),
            ];
            match s.token(&fields).await {
                Some((200, _)) => k
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .consumed_codes
                    .push(code),
                Some(_) => {}
                None => break,
            }
        }
    }));
    let (s, k) = (site.clone(), seen.clone());
    workers.push(tokio::spawn(async move {
        let mut current = chain;
        loop {
            let fields = [
                ("grant_type", "refresh_token"),
                ("refresh_token", current.as_str()),
            ];
            match s.token(&fields).await {
                Some((200, body)) => {
                    let next = body["refresh_token"]
                        .as_str()
                        .unwrap_or_default()
                        .to_owned();
                    k.lock()
                        .unwrap_or_else(|e| e.into_inner())
                        .rotated_away
                        .push(std::mem::replace(&mut current, next));
                }
                _ => break,
            }
        }
    }));
    tokio::time::sleep(Duration::from_millis(700)).await;
    drop(node); // SIGKILL: no graceful shutdown, no chance to flush anything.
    for worker in workers {
        let _ = worker.await;
    }

    let _node = start(dir.path(), &database, port).await;
    let seen = std::mem::take(&mut *seen.lock().unwrap_or_else(|e| e.into_inner()));
    assert!(
        !seen.consumed_codes.is_empty() && !seen.rotated_away.is_empty(),
        "the load ran"
    );
    for refresh in &quiet {
        let fields = [
            ("grant_type", "refresh_token"),
            ("refresh_token", refresh.as_str()),
        ];
        assert_eq!(
            site.token(&fields).await.map(|r| r.0),
            Some(200),
            "{backend:?}: acknowledged refresh token lost"
        );
    }
    for code in &seen.consumed_codes {
        let fields = [
            ("grant_type", "authorization_code"),
            ("code", code.as_str()),
            ("redirect_uri", CALLBACK),
        ];
        assert_eq!(
            site.token(&fields).await.map(|r| r.0),
            Some(400),
            "{backend:?}: a consumed code worked again"
        );
    }
    for old in &seen.rotated_away {
        let fields = [
            ("grant_type", "refresh_token"),
            ("refresh_token", old.as_str()),
        ];
        assert_eq!(
            site.token(&fields).await.map(|r| r.0),
            Some(400),
            "{backend:?}: a rotated token worked again"
        );
    }
    for session in &seen.sessions {
        assert!(
            site.code(session, "openid").await.is_some(),
            "{backend:?}: an acknowledged session was lost"
        );
    }
    if backend == Backend::Sqlite {
        let db = latchkey_store::Db::connect(&database)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(db.integrity_check().await.ok().as_deref(), Some("ok"));
    }
}

#[tokio::test]
async fn nothing_acknowledged_is_lost_and_nothing_consumed_returns_after_kill_9() {
    for backend in backends() {
        crash_and_restart(backend).await;
    }
}
