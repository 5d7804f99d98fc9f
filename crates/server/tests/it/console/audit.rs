//! The console's audit log lists what `GET /api/audit-logs` lists, filtered by actor,
//! action, object and days.

use serde_json::json;

use crate::oidc::authorization_code::browser;
use crate::support::walk::{sign_in_as, walk};
use crate::support::{Admin, Backend, TestApp};

#[tokio::test]
async fn the_audit_log_is_read_and_filtered_in_the_console() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let admin = Admin::new(&app).await;
    super::admin::people(&admin).await;
    let (_, web) = admin
        .post("/api/applications", json!({"name": "Web", "type": "SPA"}))
        .await;
    let id = web["id"].as_str().unwrap_or_default().to_owned();
    let browser = browser();
    let stop = walk(&app, &browser, &app.url("/console/audit")).await;
    let (_, page) = sign_in_as(&app, &browser, stop, "root")
        .await
        .page("/console/audit");
    assert!(page.contains("<code>application.create</code>"), "{page}");
    // The audit writer is asynchronous: the entry came, and it names the application.
    assert!(
        page.contains(&format!("<code>application {id}</code>")),
        "{page}"
    );

    let get = |query: &str| {
        let (browser, url) = (&browser, app.url(&format!("/console/audit?{query}")));
        async move {
            let answer = browser
                .get(url)
                .send()
                .await
                .unwrap_or_else(|e| panic!("{e}"));
            (
                answer.status().as_u16(),
                answer.text().await.unwrap_or_default(),
            )
        }
    };
    let (status, page) = get(&format!("application={id}&action=application.create")).await;
    assert_eq!(status, 200);
    assert_eq!(page.matches("<tr><td>").count(), 1, "{page}");
    let (_, page) = get("action=role.delete").await;
    assert!(page.contains("No entries match."), "{page}");
    let (_, page) = get("to=1999-12-31").await;
    assert!(page.contains("No entries match."), "{page}");
    let (status, page) = get("from=2026-02-30").await;
    assert_eq!(status, 400);
    assert!(page.contains("A date is not a date"), "{page}");
}
