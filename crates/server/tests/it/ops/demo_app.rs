//! The README's browser walk-through: `examples/demo_app.py` signs alice in.

use std::process::{Command, Stdio};
use std::time::Duration;

use serde_json::json;

use crate::support::{Admin, Backend, TestApp};

const DEMO: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../examples/demo_app.py");

struct Child(std::process::Child);

impl Drop for Child {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[tokio::test]
async fn the_demo_app_signs_a_person_in_through_the_hosted_page() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let admin = Admin::new(&app).await;
    admin
        .post(
            "/api/users",
            json!({"username": "alice", "password": "a long password"}),
        )
        .await;
    let (_, demo) = admin
        .post("/api/applications", json!({"name": "Demo app", "type": "SPA", "oidcClientMetadata": {"redirectUris": ["http://localhost:5173/callback"]}}))
        .await;
    let child = Command::new("python3")
        .args([DEMO, demo["id"].as_str().unwrap_or_default(), &app.issuer])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| panic!("{e}"));
    let _demo = Child(child);

    // A browser that follows redirects and keeps cookies, across both sites.
    let browser = reqwest::Client::builder()
        .cookie_store(true)
        .build()
        .unwrap_or_else(|e| panic!("{e}"));
    let mut page = None;
    for _ in 0..50 {
        if let Ok(response) = browser.get("http://localhost:5173/login").send().await {
            page = Some(response);
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let page = page.unwrap_or_else(|| panic!("the demo app did not start"));
    let sign_in_url = page.url().clone();
    assert!(sign_in_url.path().starts_with("/sign-in/"), "{sign_in_url}");
    let html = page.text().await.unwrap_or_default();
    let csrf = html
        .split(r#"name="csrf" value=""#)
        .nth(1)
        .and_then(|r| r.split('"').next())
        .unwrap_or_default();
    let form = [
        ("csrf", csrf),
        ("identifier", "alice"),
        ("password", "a long password"),
    ];
    let done = browser
        .post(sign_in_url)
        .form(&form)
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        done.url().as_str().split('?').next(),
        Some("http://localhost:5173/callback")
    );
    let text = done.text().await.unwrap_or_default();
    assert!(
        text.contains("Signed in")
            && text.contains("&quot;preferred_username&quot;: &quot;alice&quot;"),
        "{text}"
    );
}
