//! The shipped `latchkey` binary, driven as the README drives it.

use std::process::{Command, Stdio};
use std::time::Duration;

use crate::support::process::{Process as Server, free_port, latchkey, wait_ready};

#[tokio::test]
async fn the_quick_start_works_on_the_default_sqlite_database() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let port = free_port();
    let child = latchkey(dir.path(), port, &["serve"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| panic!("{e}"));
    let _server = Server(child);
    let http = reqwest::Client::new();
    let base = format!("http://127.0.0.1:{port}");
    wait_ready(&base).await;
    assert!(
        dir.path().join("latchkey-data/latchkey.db").exists(),
        "default SQLite file created"
    );

    let output = latchkey(dir.path(), port, &["bootstrap", "--json"])
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let stdout = String::from_utf8(output.stdout).unwrap_or_default();
    assert_eq!(
        stdout.trim().lines().count(),
        1,
        "exactly one JSON object: {stdout}"
    );
    let credentials: serde_json::Value =
        serde_json::from_str(stdout.trim()).unwrap_or_else(|e| panic!("{e}: {stdout}"));
    let mut fields: Vec<&String> = credentials
        .as_object()
        .map(|o| o.keys().collect())
        .unwrap_or_default();
    fields.sort();
    assert_eq!(
        fields,
        [
            "clientId",
            "clientSecret",
            "issuer",
            "resource",
            "tokenEndpoint"
        ]
    );
    assert_eq!(credentials["issuer"], format!("{base}/oidc"));

    let token = http
        .post(credentials["tokenEndpoint"].as_str().unwrap_or_default())
        .basic_auth(
            credentials["clientId"].as_str().unwrap_or_default(),
            credentials["clientSecret"].as_str(),
        )
        .form(&[
            ("grant_type", "client_credentials"),
            (
                "resource",
                credentials["resource"].as_str().unwrap_or_default(),
            ),
            ("scope", "all"),
        ])
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(token.status(), 200);

    let second = latchkey(dir.path(), port, &["bootstrap", "--json"])
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    let second: serde_json::Value = serde_json::from_slice(&second.stdout).unwrap_or_default();
    assert_ne!(
        second["clientId"], credentials["clientId"],
        "every call creates a new application"
    );

    let rotated = latchkey(
        dir.path(),
        port,
        &["keys", "rotate", "--alg", "EC", "--json"],
    )
    .output()
    .unwrap_or_else(|e| panic!("{e}"));
    assert!(
        rotated.status.success(),
        "{}",
        String::from_utf8_lossy(&rotated.stderr)
    );
    let keys: serde_json::Value = serde_json::from_slice(&rotated.stdout).unwrap_or_default();
    assert_eq!(
        keys.as_array().map(Vec::len),
        Some(5),
        "EC gains a previous key"
    );
    assert!(!String::from_utf8_lossy(&rotated.stdout).contains("private"));

    // Again at once: the previous key still verifies what it signed; refused, with the way
    // past it named.
    let again = ["keys", "rotate", "--alg", "EC", "--json"];
    let refused = latchkey(dir.path(), port, &again)
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert!(!refused.status.success(), "{stderr}");
    assert!(
        stderr.contains("previous ES256 key") && stderr.contains("--force"),
        "{stderr}"
    );
    let forced = latchkey(dir.path(), port, &[&again[..], &["--force"]].concat())
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(
        forced.status.success(),
        "{}",
        String::from_utf8_lossy(&forced.stderr)
    );

    // Rotations from the command line are in the audit log, by the command line.
    let url = format!(
        "sqlite://{}/latchkey-data/latchkey.db",
        dir.path().display()
    );
    let db = latchkey_store::Db::connect(&url)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let filter = latchkey_store::audit::AuditFilter {
        action: Some("key.rotate".into()),
        ..Default::default()
    };
    let page = latchkey_store::Page {
        page: 1,
        page_size: 10,
    };
    let (entries, _) = db
        .list_audit(&filter, page)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let forced: Vec<_> = entries
        .iter()
        .map(|e| {
            let details: serde_json::Value = serde_json::from_str(&e.details).unwrap_or_default();
            (e.actor_type.as_str(), details["forced"].as_bool())
        })
        .collect();
    assert_eq!(
        forced,
        [("command_line", Some(true)), ("command_line", Some(false))]
    );
}

#[test]
fn invalid_configuration_stops_start_up_with_one_line_naming_the_setting() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let cases = [
        ("LATCHKEY_PUBLIC_URL", "not a url"),
        ("LATCHKEY_LISTEN", "localhost"),
        ("LATCHKEY_DATABASE_URL", "mysql://db/latchkey"),
        ("LATCHKEY_SECRET_KEY", "too-short"),
    ];
    for (name, value) in cases {
        let output = latchkey(dir.path(), free_port(), &["serve"])
            .env(name, value)
            .output()
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(output.status.code(), Some(2), "{name}");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(stderr.trim().lines().count(), 1, "{stderr}");
        assert!(stderr.contains(name), "{stderr}");
    }
}

#[test]
fn migrate_prepares_the_database_and_exits() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let output = latchkey(dir.path(), free_port(), &["migrate"])
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(dir.path().join("latchkey-data/latchkey.db").exists());
}

#[tokio::test]
async fn users_create_makes_the_first_administrator_from_a_password_on_stdin() {
    use std::io::Write;
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let create = |args: &[&str], stdin: &str| {
        let mut child = latchkey(dir.path(), free_port(), args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("{e}"));
        if let Some(mut input) = child.stdin.take() {
            let _ = input.write_all(stdin.as_bytes());
        }
        child.wait_with_output().unwrap_or_else(|e| panic!("{e}"))
    };
    let args = [
        "users",
        "create",
        "--username",
        "root",
        "--email",
        "root@example.com",
        "--admin",
        "--password-stdin",
    ];
    let output = create(&args, "correct horse battery staple\n");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let user: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap_or_default();
    assert_eq!(
        (user["username"].as_str(), user["hasPassword"].as_bool()),
        (Some("root"), Some(true))
    );
    assert!(!String::from_utf8_lossy(&output.stdout).contains("correct horse"));

    let url = format!(
        "sqlite://{}/latchkey-data/latchkey.db",
        dir.path().display()
    );
    let db = latchkey_store::Db::connect(&url)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let id = user["id"].as_str().unwrap_or_default();
    let roles = db
        .find_roles_of(latchkey_store::roles::Holder::User(id))
        .await
        .unwrap_or_default();
    assert_eq!(
        roles.iter().map(|r| r.id.as_str()).collect::<Vec<_>>(),
        [latchkey_core::resource::ADMIN_ROLE_ID]
    );
    let stored = db
        .find_user(id)
        .await
        .ok()
        .flatten()
        .and_then(|u| u.password_hash)
        .unwrap_or_default();
    assert!(latchkey_core::user::verify_password(
        "correct horse battery staple",
        &stored
    ));
    db.close().await;

    let again = create(&args, "another long password\n");
    assert!(!again.status.success());
    assert!(String::from_utf8_lossy(&again.stderr).contains("user.identifier_exists"));
    let short = create(
        &["users", "create", "--username", "bob", "--password-stdin"],
        "short\n",
    );
    assert!(String::from_utf8_lossy(&short.stderr).contains("password"));
    let no_stdin_flag = create(&["users", "create", "--username", "bob"], "");
    assert_eq!(
        no_stdin_flag.status.code(),
        Some(2),
        "passwords never come from the command line"
    );
}

#[tokio::test]
async fn json_logs_carry_the_request_id_returned_to_the_client() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let port = free_port();
    let log =
        std::fs::File::create(dir.path().join("stderr.log")).unwrap_or_else(|e| panic!("{e}"));
    let child = latchkey(dir.path(), port, &["serve"])
        .env("LATCHKEY_LOG_FORMAT", "json")
        .env("LATCHKEY_LOG", "latchkey=debug")
        .stdout(Stdio::null())
        .stderr(log)
        .spawn()
        .unwrap_or_else(|e| panic!("{e}"));
    let server = Server(child);
    let http = reqwest::Client::new();
    let base = format!("http://127.0.0.1:{port}");
    let mut id = None;
    for _ in 0..100 {
        if let Ok(r) = http.get(format!("{base}/ready")).send().await
            && r.status() == 200
        {
            id = r
                .headers()
                .get("x-request-id")
                .map(|v| v.to_str().unwrap_or("").to_owned());
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let id = id.unwrap_or_else(|| panic!("no ready answer with a request id"));
    tokio::time::sleep(Duration::from_millis(200)).await;
    drop(server);
    let text = std::fs::read_to_string(dir.path().join("stderr.log")).unwrap_or_default();
    let lines: Vec<serde_json::Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}")))
        .collect();
    let done = lines
        .iter()
        .find(|l| l["span"]["request_id"] == id.as_str());
    let done = done.unwrap_or_else(|| panic!("no log line for request {id}:\n{text}"));
    assert_eq!(done["status"], 200);
    assert_eq!(done["span"]["path"], "/ready");
}

#[tokio::test]
async fn metrics_are_served_on_their_own_listener_only() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let (port, metrics_port) = (free_port(), free_port());
    let child = latchkey(dir.path(), port, &["serve"])
        .env(
            "LATCHKEY_METRICS_LISTEN",
            format!("127.0.0.1:{metrics_port}"),
        )
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| panic!("{e}"));
    let _server = Server(child);
    let http = reqwest::Client::new();
    let base = format!("http://127.0.0.1:{port}");
    wait_ready(&base).await;
    let jwks = http.get(format!("{base}/oidc/jwks")).send().await;
    assert_eq!(jwks.map(|r| r.status().as_u16()).ok(), Some(200));
    let text = http
        .get(format!("http://127.0.0.1:{metrics_port}/metrics"))
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"))
        .text()
        .await
        .unwrap_or_default();
    assert!(
        text.contains("latchkey_http_requests_total{route=\"/oidc/jwks\",status=\"200\"} 1"),
        "{text}"
    );
    assert!(text.contains("latchkey_db_pool_connections{state=\"open\"}"));
    assert!(text.contains("latchkey_sign_in_failures_total 0"));
    let public = http
        .get(format!("{base}/metrics"))
        .send()
        .await
        .map(|r| r.status().as_u16());
    assert_eq!(public.ok(), Some(404), "never on the public port");
}

#[tokio::test]
async fn backup_writes_a_consistent_copy_while_the_server_runs() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let port = free_port();
    let child = latchkey(dir.path(), port, &["serve"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| panic!("{e}"));
    let _server = Server(child);
    wait_ready(&format!("http://127.0.0.1:{port}")).await;
    let bootstrap = latchkey(dir.path(), port, &["bootstrap", "--json"]).output();
    assert!(bootstrap.is_ok_and(|o| o.status.success()));
    let copy = dir.path().join("backup.db");
    let to = copy.to_string_lossy().into_owned();
    let backup = latchkey(dir.path(), port, &["backup", "--to", &to])
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(
        backup.status.success(),
        "{}",
        String::from_utf8_lossy(&backup.stderr)
    );
    let db = latchkey_store::Db::connect(&format!("sqlite://{to}"))
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(db.integrity_check().await.ok().as_deref(), Some("ok"));
    let filter = latchkey_store::applications::ApplicationFilter::default();
    let page = latchkey_store::Page {
        page: 1,
        page_size: 10,
    };
    let (apps, _) = db
        .list_applications(&filter, page)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(apps.len(), 1, "the bootstrap application is in the copy");
    let again = latchkey(dir.path(), port, &["backup", "--to", &to])
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(
        !again.status.success(),
        "an existing file is never overwritten"
    );
}

#[tokio::test]
async fn sigterm_drains_requests_in_flight_then_exits_cleanly() {
    use std::io::Write;
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let port = free_port();
    let mut create = latchkey(
        dir.path(),
        port,
        &["users", "create", "--username", "alice", "--password-stdin"],
    )
    .stdin(Stdio::piped())
    .stdout(Stdio::null())
    .spawn()
    .unwrap_or_else(|e| panic!("{e}"));
    if let Some(mut input) = create.stdin.take() {
        let _ = input.write_all(b"correct horse battery\n");
    }
    assert!(create.wait().is_ok_and(|s| s.success()));
    let child = latchkey(dir.path(), port, &["serve"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| panic!("{e}"));
    let pid = child.id().to_string();
    let mut server = Server(child);
    let http = reqwest::Client::new();
    let base = format!("http://127.0.0.1:{port}");
    wait_ready(&base).await;
    let creds = latchkey(dir.path(), port, &["bootstrap", "--json"]).output();
    let creds: serde_json::Value =
        serde_json::from_slice(&creds.map(|o| o.stdout).unwrap_or_default()).unwrap_or_default();
    let form = [
        ("grant_type", "client_credentials"),
        ("resource", creds["resource"].as_str().unwrap_or_default()),
        ("scope", "all"),
    ];
    let token: serde_json::Value = http
        .post(format!("{base}/oidc/token"))
        .basic_auth(
            creds["clientId"].as_str().unwrap_or_default(),
            creds["clientSecret"].as_str(),
        )
        .form(&form)
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"))
        .json()
        .await
        .unwrap_or_default();
    let app: serde_json::Value = http
        .post(format!("{base}/api/applications"))
        .bearer_auth(token["access_token"].as_str().unwrap_or_default())
        .json(&serde_json::json!({"name": "Web", "type": "Traditional", "oidcClientMetadata": {"redirectUris": ["https://app.example.com/cb"]}}))
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"))
        .json()
        .await
        .unwrap_or_default();
    let auth = format!(
        "{base}/oidc/auth?client_id={}&redirect_uri=https%3A%2F%2Fapp.example.com%2Fcb&response_type=code&scope=openid",
        app["id"].as_str().unwrap_or_default()
    );
    // Eight sign-in forms ready to post, each in its own browser.
    let mut ready = Vec::new();
    for _ in 0..8 {
        let browser = crate::oidc::authorization_code::browser();
        let to_page = browser
            .get(&auth)
            .send()
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        let path = to_page.headers()["location"]
            .to_str()
            .unwrap_or_default()
            .to_owned();
        let page = browser
            .get(format!("{base}{path}"))
            .send()
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        let csrf =
            crate::oidc::authorization_code::hidden(&page.text().await.unwrap_or_default(), "csrf");
        ready.push((browser, format!("{base}{path}"), csrf));
    }
    // Posted together they queue on the bounded password-hashing pool, so they are still
    // running when the signal arrives.
    let mut in_flight = Vec::new();
    for (browser, url, csrf) in ready {
        in_flight.push(tokio::spawn(async move {
            let fields = [
                ("csrf", csrf),
                ("identifier", "alice".to_owned()),
                ("password", "correct horse battery".to_owned()),
            ];
            let answer = browser.post(url).form(&fields).send().await;
            (
                answer.map(|r| r.status().as_u16()),
                std::time::Instant::now(),
            )
        }));
    }
    tokio::time::sleep(Duration::from_millis(5)).await;
    let signalled = std::time::Instant::now();
    let term = Command::new("kill").args(["-TERM", &pid]).status();
    assert!(term.is_ok_and(|s| s.success()));
    let mut finished_after_signal = 0;
    for request in in_flight {
        let (status, done) = request.await.unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            status.ok(),
            Some(303),
            "every request in flight is answered"
        );
        finished_after_signal += usize::from(done > signalled);
    }
    assert!(
        finished_after_signal > 0,
        "some requests were still running at the signal"
    );
    let exited = server.0.wait().map(|s| s.success());
    assert_eq!(exited.ok(), Some(true), "a clean exit after draining");
    assert!(
        http.get(format!("{base}/ready")).send().await.is_err(),
        "no longer listening"
    );
}
