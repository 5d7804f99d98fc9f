//! Identifiers typed by people: NFKC-normalised and case-folded, so look-alikes are one
//! account or refused; control characters are never stored nor taken for an account.

use serde_json::json;

use crate::oidc::authorization_code::{browser, hidden};
use crate::support::walk::{param, submit, walk};
use crate::support::{Admin, Authorize, TestApp, backends};

/// The sign-in page of a web application's request, in a new browser.
async fn at_sign_in(app: &TestApp, client: &str) -> (reqwest::Client, String, String) {
    let browser = browser();
    let stop = walk(app, &browser, &Authorize::new(client).url(app)).await;
    let (path, page) = stop.page("/sign-in/");
    (browser, path, page)
}

#[tokio::test]
async fn look_alike_identifiers_are_one_account() {
    for backend in backends() {
        let app = TestApp::spawn(backend).await;
        let admin = Admin::new(&app).await;
        // Input limits: identifiers are NFKC-normalised, so full-width letters are the plain ones.
        let (status, user) = admin
            .post("/api/users", json!({"username": "ａｌｉｃｅ", "primaryEmail": "ﬁona@example.com", "password": "correct horse battery"}))
            .await;
        assert_eq!((status, user["username"].as_str()), (201, Some("alice")));
        assert_eq!(user["primaryEmail"], "fiona@example.com");
        // ... and case-folded: another case of the same name is a conflict, on every database.
        let twin = admin.post("/api/users", json!({"username": "ALICE"})).await;
        assert_eq!(twin.0, 409);
        // A Cyrillic look-alike in an email address is refused rather than stored as another account.
        let cyrillic = admin
            .post("/api/users", json!({"primaryEmail": "fiоna@example.com"}))
            .await;
        assert_eq!(cyrillic.0, 422);
        // Signing in with the full-width form reaches the same account.
        let web = admin.client("Web", "Traditional").await;
        let (browser, path, page) = at_sign_in(&app, &web.id).await;
        let form = [
            ("csrf", hidden(&page, "csrf")),
            ("identifier", "ＡＬＩＣＥ".to_owned()),
            ("password", "correct horse battery".to_owned()),
        ];
        let back = submit(&app, &browser, &path, &form).await.client();
        assert!(param(&back, "code").is_some(), "{back}");
    }
}

#[tokio::test]
async fn identifiers_with_control_characters_are_refused() {
    for backend in backends() {
        let app = TestApp::spawn(backend).await;
        let admin = Admin::new(&app).await;
        let alice = json!({"username": "alice", "primaryEmail": "alice@example.com", "password": "correct horse battery"});
        assert_eq!(admin.post("/api/users", alice).await.0, 201);
        // Never stored: at either end too, where trimming would once have hidden them.
        for field in ["username", "primaryEmail"] {
            for value in ["bob\r\n", "\tbob", "b\u{0}ob", "bob\u{85}"] {
                let value = match field {
                    "username" => value.to_owned(),
                    _ => format!("{value}@example.com"),
                };
                let (status, _) = admin.post("/api/users", json!({ field: value })).await;
                assert_eq!(status, 422, "{field} {value:?}");
            }
        }
        // Never taken for the account they end in.
        let web = admin.client("Web", "Traditional").await;
        for typed in ["alice\r\n", "alice\n", "\u{0}alice", "alice@example.com\r"] {
            let (browser, path, page) = at_sign_in(&app, &web.id).await;
            let form = [
                ("csrf", hidden(&page, "csrf")),
                ("identifier", typed.to_owned()),
                ("password", "correct horse battery".to_owned()),
            ];
            let answer = browser.post(app.url(&path)).form(&form).send().await;
            let status = answer.map(|a| a.status().as_u16()).unwrap_or_default();
            assert_eq!(status, 400, "{typed:?}");
        }
    }
}
