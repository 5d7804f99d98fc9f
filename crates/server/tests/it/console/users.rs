//! A user's profile is edited on their console page through the management API's update:
//! a refused change keeps what was typed, an empty field clears its value.

use serde_json::json;

use crate::oidc::authorization_code::{browser, hidden};
use crate::support::walk::{sign_in_as, walk};
use crate::support::{Admin, Backend, TestApp};

#[tokio::test]
async fn an_administrator_edits_a_users_name_email_phone_and_username() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let admin = Admin::new(&app).await;
    super::admin::people(&admin).await;
    let (_, found) = admin.get("/api/users?search=plain").await;
    let id = found[0]["id"].as_str().unwrap_or_default().to_owned();
    let here = format!("/console/users/{id}");
    let browser = browser();
    let stop = walk(&app, &browser, &app.url(&here)).await;
    let (_, page) = sign_in_as(&app, &browser, stop, "root").await.page(&here);
    let csrf = hidden(&page, "csrf");
    let post = |email: &str| {
        let form = [
            ("csrf", csrf.clone()),
            ("username", "plain2".to_owned()),
            ("primary_email", email.to_owned()),
            ("primary_phone", "+33123456789".to_owned()),
            ("name", String::new()),
        ];
        let (browser, app, path) = (&browser, &app, format!("{here}/profile"));
        async move {
            let sent = browser.post(app.url(&path)).form(&form).send().await;
            sent.unwrap_or_else(|e| panic!("{e}"))
        }
    };
    let refused = post("not an email").await;
    assert_eq!(refused.status(), 422);
    let page = refused.text().await.unwrap_or_default();
    assert!(page.contains(r#"value="not an email""#), "kept: {page}");
    assert!(
        page.contains(
            r#"<p class="error field-error">This email address does not look right.</p>"#
        ) && !page.contains("primaryEmail"),
        "beside the field, in words: {page}"
    );
    let (_, unchanged) = admin.get(&format!("/api/users/{id}")).await;
    assert_eq!(unchanged["username"], "plain");

    let saved = post("plain@example.com").await;
    assert_eq!(saved.status(), 303);
    let (_, user) = admin.get(&format!("/api/users/{id}")).await;
    assert_eq!(
        (
            &user["username"],
            &user["primaryEmail"],
            &user["primaryPhone"],
            &user["name"]
        ),
        (
            &json!("plain2"),
            &json!("plain@example.com"),
            &json!("+33123456789"),
            &json!(null)
        ),
        "{user}"
    );
}
