//! Every console form the management API can refuse says why beside the field concerned, in
//! the console's words (never an API field such as `accessTokenTtl`), all of its own checks at
//! once, and keeps what was typed.

use serde_json::json;

use crate::oidc::authorization_code::{browser, hidden};
use crate::support::walk::{sign_in_as, walk};
use crate::support::{Admin, Backend, TestApp};

/// The refused page's body, after checking that it is a refusal.
async fn refused(sent: reqwest::Response) -> String {
    assert_eq!(sent.status(), 422);
    let page = sent.text().await.unwrap_or_default();
    assert!(page.contains(r#"role="alert""#), "{page}");
    page
}

fn beside(page: &str, message: &str) -> bool {
    page.contains(&format!(r#"<p class="error field-error">{message}</p>"#))
}

#[tokio::test]
async fn refused_console_forms_say_why_beside_each_field_and_keep_what_was_typed() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let admin = Admin::new(&app).await;
    super::admin::people(&admin).await;
    let api = json!({"name": "Docs", "indicator": "https://docs.example.com"});
    let (_, docs) = admin.post("/api/resources", api).await;
    let docs = docs["id"].as_str().unwrap_or_default().to_owned();
    let role = json!({"name": "Readers", "description": ""});
    assert_eq!(admin.post("/api/roles", role).await.0, 201);
    let partner = json!({"name": "Partner", "type": "Traditional", "isThirdParty": true});
    let (_, partner) = admin.post("/api/applications", partner).await;
    let partner = partner["id"].as_str().unwrap_or_default().to_owned();
    let secret = json!({"name": "ci"});
    let path = format!("/api/applications/{partner}/secrets");
    assert_eq!(admin.post(&path, secret).await.0, 201);

    let browser = browser();
    let stop = walk(&app, &browser, &app.url("/console/applications")).await;
    let (_, page) = sign_in_as(&app, &browser, stop, "root")
        .await
        .page("/console/");
    let csrf = hidden(&page, "csrf");
    let post = |path: &str, fields: &[(&str, &str)]| {
        let mut form = vec![("csrf".to_owned(), csrf.clone())];
        form.extend(
            fields
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned())),
        );
        let request = browser.post(app.url(path)).form(&form);
        async move { request.send().await.unwrap_or_else(|e| panic!("{e}")) }
    };

    // A new application with neither a type nor a name: both said, nothing created.
    let page = refused(
        post(
            "/console/applications",
            &[("name", " "), ("party", "third")],
        )
        .await,
    )
    .await;
    assert!(beside(&page, "Choose one of the types offered."), "{page}");
    assert!(
        beside(&page, "Enter a name: 1 to 256 characters, on one line."),
        "{page}"
    );
    let (_, listed) = admin.get("/api/applications?isThirdParty=true").await;
    assert_eq!(listed.as_array().map(Vec::len), Some(1), "{listed}");

    // An API: a bad identifier, then one already taken; the name typed stays.
    let fields = [
        ("name", "Billing"),
        ("indicator", "billing"),
        ("access_token_ttl", "3600"),
    ];
    let page = refused(post("/console/resources", &fields).await).await;
    assert!(
        beside(
            &page,
            "An absolute URI without a # part, such as https://api.example.com."
        ),
        "{page}"
    );
    assert!(
        page.contains(r#"value="Billing""#) && !page.contains("indicator must"),
        "{page}"
    );
    let fields = [
        ("name", "Billing"),
        ("indicator", "https://docs.example.com"),
        ("access_token_ttl", "5"),
    ];
    let page = refused(post("/console/resources", &fields).await).await;
    assert!(
        beside(&page, "A number of seconds between 60 and 86400 (a day)."),
        "{page}"
    );
    assert!(!page.contains("accessTokenTtl"), "{page}");
    let fields = [
        ("name", "Billing"),
        ("indicator", "https://docs.example.com"),
        ("access_token_ttl", "3600"),
    ];
    let page = refused(post("/console/resources", &fields).await).await;
    assert!(
        beside(&page, "Another API already has this identifier."),
        "{page}"
    );

    // A scope with two words, on the API's page: beside the scope form's name, whose
    // description is kept.
    let fields = [
        ("name", "read docs"),
        ("description", "Read your documents"),
        ("description_fr", ""),
    ];
    let page = refused(post(&format!("/console/resources/{docs}/scopes"), &fields).await).await;
    let scope_form = page.split(r#"id="scope-name""#).nth(1).unwrap_or_default();
    assert!(
        beside(
            scope_form,
            "One word: letters, digits and signs such as : or _, without spaces or quotes."
        ),
        "{page}"
    );
    assert!(page.contains(r#"value="Read your documents""#), "{page}");

    // A role whose name is taken: the other fields stay as typed.
    let fields = [
        ("name", "Readers"),
        ("description", "again"),
        ("type", "MachineToMachine"),
    ];
    let page = refused(post("/console/roles", &fields).await).await;
    assert!(
        beside(&page, "Another role already has this name."),
        "{page}"
    );
    assert!(
        page.contains(r#"value="again""#) && page.contains(r#"value="MachineToMachine" selected"#),
        "{page}"
    );

    // A secret whose name is taken.
    let path = format!("/console/applications/{partner}/secrets");
    let page = refused(post(&path, &[("name", "ci"), ("expiry", "never")]).await).await;
    assert!(
        beside(
            &page,
            "This application already has a secret with this name."
        ),
        "{page}"
    );
    assert!(
        page.contains(r#"id="secret-name" name="name" required maxlength="64" value="ci""#),
        "{page}"
    );

    // An API created from an application's empty Permissions tab: every problem at once.
    // (The tab offers it while no API but the management API exists: remove Docs first.)
    assert_eq!(admin.delete(&format!("/api/resources/{docs}")).await, 204);
    let path = format!("/console/applications/{partner}/permissions/api");
    let fields = [
        ("name", ""),
        ("indicator", "docs"),
        ("scopes", "read:docs \"write\""),
    ];
    let page = refused(post(&path, &fields).await).await;
    assert_eq!(
        page.matches(r#"class="error field-error""#).count(),
        3,
        "{page}"
    );
    assert!(page.contains(r#"value="docs""#), "{page}");
    let (_, resources) = admin.get("/api/resources").await;
    assert_eq!(resources.as_array().map(Vec::len), Some(1), "{resources}");
}
