//! The same happy path driven by Authlib (Python), a second relying party from another
//! ecosystem. CI installs Authlib; elsewhere the test says it was skipped, and under
//! `CI=true` a missing Authlib is a failure.

use serde_json::json;

use crate::support::{Admin, Backend, TestApp};

const SCRIPT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/rp/authlib_flow.py");

#[tokio::test]
async fn authlib_completes_the_code_flow() {
    let available = std::process::Command::new("python3")
        .args(["-c", "import authlib, requests"])
        .status()
        .is_ok_and(|s| s.success());
    if !available {
        assert!(
            std::env::var("CI").is_err(),
            "CI must install Authlib (python3 -m pip install authlib requests)"
        );
        eprintln!("skipped: Authlib is not installed (python3 -m pip install authlib requests)");
        return;
    }
    let app = TestApp::spawn(Backend::Sqlite).await;
    let admin = Admin::new(&app).await;
    admin
        .post(
            "/api/users",
            json!({"username": "alice", "password": "correct horse battery"}),
        )
        .await;
    let (_, web) = admin
        .post("/api/applications", json!({"name": "Python app", "type": "Traditional", "oidcClientMetadata": {"redirectUris": ["https://app.example.com/callback"]}}))
        .await;
    let id = web["id"].as_str().unwrap_or_default().to_owned();
    let secret = web["secret"].as_str().unwrap_or_default().to_owned();
    let issuer = app.issuer.clone();
    let output = tokio::task::spawn_blocking(move || {
        std::process::Command::new("python3")
            .arg(SCRIPT)
            .args([
                issuer.as_str(),
                &id,
                &secret,
                "https://app.example.com/callback",
                "alice",
                "correct horse battery",
            ])
            .env("AUTHLIB_INSECURE_TRANSPORT", "1")
            .output()
    })
    .await
    .unwrap_or_else(|e| panic!("{e}"))
    .unwrap_or_else(|e| panic!("{e}"));
    assert!(
        output.status.success(),
        "Authlib failed:\n{}\n{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    let result: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap_or_default();
    assert_eq!(result["preferred_username"], "alice");
}
