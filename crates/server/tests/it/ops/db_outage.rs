//! The database goes away and comes back: requests fail with 503 and a clear message, no
//! token is issued without being stored, and service resumes by itself. PostgreSQL behind a
//! TCP relay the test cuts and restores; runs when `LATCHKEY_TEST_POSTGRES_URL` is set.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinHandle;

use crate::support::{Admin, Backend, Options, TestApp};

/// A TCP relay to PostgreSQL on a fixed local port, that can be cut and restored.
struct Relay {
    port: u16,
    tasks: Arc<Mutex<Vec<JoinHandle<()>>>>,
}

impl Relay {
    async fn open(port: u16, upstream: String) -> Self {
        let listener = TcpListener::bind(("127.0.0.1", port))
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        let port = listener.local_addr().map(|a| a.port()).unwrap_or(port);
        let tasks: Arc<Mutex<Vec<JoinHandle<()>>>> = Arc::default();
        let inner = tasks.clone();
        let accept = tokio::spawn(async move {
            while let Ok((mut client, _)) = listener.accept().await {
                let upstream = upstream.clone();
                let relay = tokio::spawn(async move {
                    if let Ok(mut server) = TcpStream::connect(upstream).await {
                        let _ = tokio::io::copy_bidirectional(&mut client, &mut server).await;
                    }
                });
                inner.lock().unwrap_or_else(|e| e.into_inner()).push(relay);
            }
        });
        tasks.lock().unwrap_or_else(|e| e.into_inner()).push(accept);
        Self { port, tasks }
    }

    /// Drop every connection and stop listening: the database is gone.
    fn cut(&self) {
        for task in self
            .tasks
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .drain(..)
        {
            task.abort();
        }
    }
}

#[tokio::test]
async fn an_outage_is_503_and_service_resumes_by_itself() {
    let Ok(base) = std::env::var("LATCHKEY_TEST_POSTGRES_URL") else {
        return;
    };
    let url = latchkey_store::testing::fresh_postgres_schema(&base).await;
    let parsed = url::Url::parse(&url).unwrap_or_else(|e| panic!("{e}"));
    let upstream = format!(
        "{}:{}",
        parsed.host_str().unwrap_or("127.0.0.1"),
        parsed.port().unwrap_or(5432)
    );
    let relay = Relay::open(0, upstream.clone()).await;
    let mut relayed = parsed.clone();
    let _ = relayed.set_host(Some("127.0.0.1"));
    let _ = relayed.set_port(Some(relay.port));
    let options = Options {
        database_url: Some(relayed.to_string()),
        ..Options::default()
    };
    let app = TestApp::spawn_with(Backend::Postgres, options)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let admin = Admin::new(&app).await;
    let creds = admin.credentials.clone();
    let form = [
        ("grant_type", "client_credentials"),
        ("resource", creds.resource.as_str()),
        ("scope", "all"),
    ];
    let basic = Some((creds.client_id.as_str(), creds.client_secret.as_str()));
    assert_eq!(app.token(&form, basic).await.status(), 200);

    // The node's copies of the client and the API serve until its next poll fails, or at
    // most `TRUSTED_FOR` after the last one that succeeded; then no token without the database.
    relay.cut();
    let started = Instant::now();
    let down = loop {
        let answer = app.token(&form, basic).await;
        if answer.status() != 200 || started.elapsed() > Duration::from_secs(10) {
            break answer;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    assert_eq!(down.status(), 503, "no token without the database");
    let body: serde_json::Value = down.json().await.unwrap_or_default();
    assert_eq!(body["error"], "temporarily_unavailable");
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "{:?}",
        started.elapsed()
    );
    let health = app
        .http
        .get(app.url("/health"))
        .send()
        .await
        .map(|r| r.status().as_u16());
    assert_eq!(health.ok(), Some(503));

    let _back = Relay::open(relay.port, upstream).await;
    let mut resumed = false;
    for _ in 0..50 {
        if app.token(&form, basic).await.status() == 200 {
            resumed = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    assert!(resumed, "service resumes once the database is back");
}

#[tokio::test]
async fn a_store_failure_after_the_redirect_uri_is_validated_goes_back_to_the_client() {
    for backend in crate::support::backends() {
        let app = TestApp::spawn(backend).await;
        let admin = Admin::new(&app).await;
        let web = serde_json::json!({"name": "Web", "type": "Traditional",
            "oidcClientMetadata": {"redirectUris": ["https://app.example.com/cb"]}});
        let (status, created) = admin.post("/api/applications", web).await;
        assert_eq!(status, 201);
        let authorize = app.url(&format!(
            "/oidc/auth?response_type=code&client_id={}\
             &redirect_uri=https%3A%2F%2Fapp.example.com%2Fcb&scope=openid&state=s1",
            created["id"].as_str().unwrap_or_default()
        ));
        // Parking the request for the sign-in page is the first write; it now fails.
        latchkey_store::testing::break_table(&app.database_url, "interactions").await;
        let failed = app.http.get(&authorize).send().await;
        let location = failed
            .ok()
            .and_then(|r| Some(r.headers().get("location")?.to_str().ok()?.to_owned()))
            .unwrap_or_default();
        assert!(
            location.starts_with("https://app.example.com/cb?error=server_error"),
            "{backend:?}: {location}"
        );
        assert!(location.contains("state=s1"), "{location}");
        assert!(location.contains("correlation"), "{location}");
    }
}

#[tokio::test]
async fn a_store_failure_on_a_page_shows_the_error_page_with_a_correlation_id() {
    for backend in crate::support::backends() {
        let app = TestApp::spawn(backend).await;
        let admin = Admin::new(&app).await;
        let web = serde_json::json!({"name": "Web", "type": "Traditional",
            "oidcClientMetadata": {"redirectUris": ["https://app.example.com/cb"]}});
        let (_, created) = admin.post("/api/applications", web).await;
        let authorize = app.url(&format!(
            "/oidc/auth?response_type=code&client_id={}\
             &redirect_uri=https%3A%2F%2Fapp.example.com%2Fcb&scope=openid&state=s1",
            created["id"].as_str().unwrap_or_default()
        ));
        let parked = app.http.get(&authorize).send().await;
        let parked = parked.unwrap_or_else(|e| panic!("{e}"));
        let header = |name: &str| {
            let value = parked.headers().get(name).and_then(|v| v.to_str().ok());
            value.unwrap_or_default().to_owned()
        };
        let (page, cookie) = (header("location"), header("set-cookie"));
        let cookie = cookie.split(';').next().unwrap_or_default().to_owned();
        assert!(page.starts_with("/sign-in/"), "{page}");

        latchkey_store::testing::break_table(&app.database_url, "interactions").await;
        let shown = app
            .http
            .get(app.url(&page))
            .header("cookie", cookie)
            .send()
            .await;
        let shown = shown.unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(shown.status(), 500, "{backend:?}");
        let html = shown
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok());
        assert!(html.is_some_and(|t| t.starts_with("text/html")), "{html:?}");
        let body = shown.text().await.unwrap_or_default();
        assert!(body.contains("correlation id"), "{body}");
    }
}
