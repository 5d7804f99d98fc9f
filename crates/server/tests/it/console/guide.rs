//! An application's set-up checklist and integration guide follow its type, party and state:
//! a third-party app's guide asks for exactly what its permissions allow and says what is
//! missing before anything fails.

use serde_json::{Value, json};

use crate::oidc::authorization_code::browser;
use crate::support::walk::{sign_in_as, walk};
use crate::support::{Admin, TestApp, backends};

fn id(value: &Value) -> String {
    value["id"].as_str().unwrap_or_default().to_owned()
}

fn code<'a>(html: &'a str, id: &str) -> &'a str {
    let start = format!(r#"<code id="{id}">"#);
    html.split_once(&start)
        .and_then(|(_, rest)| rest.split_once("</code>"))
        .map_or("", |(code, _)| code)
}

#[tokio::test]
async fn the_guide_asks_for_what_the_permissions_allow_and_says_what_is_missing() {
    for backend in backends() {
        let app = TestApp::spawn(backend).await;
        let admin = Admin::new(&app).await;
        super::admin::people(&admin).await;
        let partner = json!({"name": "Partner", "type": "Traditional", "isThirdParty": true});
        let partner = id(&admin.post("/api/applications", partner).await.1);
        let base = format!("/console/applications/{partner}");
        // A link to the guide, followed before signing in to the console, ends on the guide.
        let browser = browser();
        let stop = walk(&app, &browser, &app.url(&format!("{base}/guide?x=1"))).await;
        let (landed, _) = sign_in_as(&app, &browser, stop, "root")
            .await
            .page("/console/");
        assert_eq!(landed, format!("{base}/guide"));
        let page = |path: String| {
            let browser = &browser;
            let app = &app;
            async move { walk(app, browser, &app.url(&path)).await.page(&path).1 }
        };

        let setup = page(format!("{base}/setup")).await;
        // Redirect URIs and permissions to do; the API made its first secret.
        assert_eq!(setup.matches(r#"<li class="to-do">"#).count(), 2, "{setup}");
        assert_eq!(setup.matches(r#"<li class="done">"#).count(), 1, "{setup}");
        assert!(
            setup.contains(r#"<li class="optional">"#),
            "branding: {setup}"
        );
        let guide = page(format!("{base}/guide")).await;
        assert_eq!(guide.matches(r#"class="warning""#).count(), 2, "{guide}");
        assert_eq!(code(&guide, "guide-scopes"), "openid offline_access");
        assert!(!guide.contains("guide-resource"), "{guide}");
        // The test issuer is http: the Node example allows it, and says so.
        assert!(guide.contains("client.allowInsecureRequests"), "{guide}");

        // A redirect URI, `email` and one API scope: the guide asks for exactly those.
        let patch = json!({"oidcClientMetadata": {"redirectUris": ["https://partner.example/cb"]}});
        let path = format!("/api/applications/{partner}");
        assert_eq!(admin.patch(&path, patch).await.0, 200);
        let docs = json!({"name": "Docs", "indicator": "https://docs.example.com"});
        let docs = id(&admin.post("/api/resources", docs).await.1);
        let scopes = format!("/api/resources/{docs}/scopes");
        let read = id(&admin.post(&scopes, json!({"name": "read:docs"})).await.1);
        let _ = admin.post(&scopes, json!({"name": "write:docs"})).await;
        let ceiling = json!({"userScopes": ["email"], "resourceScopes": [read]});
        let path = format!("/api/applications/{partner}/user-consent-scopes");
        assert_eq!(admin.post(&path, ceiling).await.0, 201);
        let guide = page(format!("{base}/guide")).await;
        assert!(!guide.contains(r#"class="warning""#), "{guide}");
        assert_eq!(
            code(&guide, "guide-scopes"),
            "openid email read:docs offline_access"
        );
        assert_eq!(code(&guide, "guide-resource-1"), "https://docs.example.com");
        assert!(
            code(&guide, "snippet-node").contains("resource: &#34;https://docs.example.com&#34;"),
            "{guide}"
        );
        let setup = page(format!("{base}/setup")).await;
        assert_eq!(setup.matches(r#"<li class="done">"#).count(), 3, "{setup}");

        // A first-party single-page app: its origin is a step, its example runs in the page.
        let spa = json!({"name": "Browser app", "type": "SPA"});
        let spa = id(&admin.post("/api/applications", spa).await.1);
        let base = format!("/console/applications/{spa}");
        let setup = page(format!("{base}/setup")).await;
        assert!(setup.contains("#cors_allowed_origins"), "{setup}");
        assert!(!setup.contains("Client secret"), "no secret step: {setup}");
        let guide = page(format!("{base}/guide")).await;
        assert_eq!(guide.matches(r#"class="warning""#).count(), 2, "{guide}");
        assert!(
            code(&guide, "snippet-spa").contains("oidc-client-ts"),
            "{guide}"
        );
        assert_eq!(
            code(&guide, "guide-scopes"),
            "openid profile email offline_access"
        );

        // A machine-to-machine app: no redirect URI, a secret and a role instead.
        let machine = json!({"name": "Cron", "type": "MachineToMachine"});
        let machine = id(&admin.post("/api/applications", machine).await.1);
        let setup = page(format!("/console/applications/{machine}/setup")).await;
        assert!(!setup.contains("#redirect_uris"), "{setup}");
        assert!(setup.contains("/console/roles"), "{setup}");
    }
}

#[tokio::test]
async fn an_api_and_its_scopes_are_created_from_an_empty_permissions_tab() {
    let app = TestApp::spawn(crate::support::Backend::Sqlite).await;
    let admin = Admin::new(&app).await;
    super::admin::people(&admin).await;
    let partner = json!({"name": "Partner", "type": "Traditional", "isThirdParty": true});
    let partner = id(&admin.post("/api/applications", partner).await.1);
    let here = format!("/console/applications/{partner}/permissions");
    let browser = browser();
    let stop = walk(&app, &browser, &app.url(&here)).await;
    let (_, page) = sign_in_as(&app, &browser, stop, "root").await.page(&here);
    assert!(
        page.contains(r#"action="/console/applications/"#) && page.contains("/permissions/api\""),
        "{page}"
    );
    let csrf = crate::oidc::authorization_code::hidden(&page, "csrf");
    let post = |scopes: &str| {
        let form = [
            ("csrf", csrf.clone()),
            ("name", "Docs".to_owned()),
            ("indicator", "https://docs.example.com".to_owned()),
            ("scopes", scopes.to_owned()),
        ];
        let browser = &browser;
        let app = &app;
        let path = format!("{here}/api");
        async move {
            browser
                .post(app.url(&path))
                .form(&form)
                .send()
                .await
                .unwrap_or_else(|e| panic!("{e}"))
        }
    };
    // One bad name: nothing is created, and the page says why.
    let refused = post("read:docs bad\"name").await;
    assert_eq!(refused.status(), 422);
    let (_, listed) = admin.get("/api/resources").await;
    assert_eq!(
        listed.as_array().map(Vec::len),
        Some(1),
        "only the management API: {listed}"
    );
    let created = post("read:docs, write:docs").await;
    assert_eq!(created.status(), 303);
    let (_, page) = walk(&app, &browser, &app.url(&here)).await.page(&here);
    assert!(
        page.contains(r#"<code>read:docs</code>"#) && page.contains(r#"<code>write:docs</code>"#),
        "{page}"
    );
}

#[tokio::test]
async fn branding_says_every_problem_beside_its_field_without_api_paths() {
    let app = TestApp::spawn(crate::support::Backend::Sqlite).await;
    let admin = Admin::new(&app).await;
    super::admin::people(&admin).await;
    let partner = json!({"name": "Partner", "type": "Traditional", "isThirdParty": true});
    let partner = id(&admin.post("/api/applications", partner).await.1);
    let here = format!("/console/applications/{partner}/branding");
    let browser = browser();
    let stop = walk(&app, &browser, &app.url(&here)).await;
    let (_, page) = sign_in_as(&app, &browser, stop, "root").await.page(&here);
    let form = [
        (
            "csrf",
            crate::oidc::authorization_code::hidden(&page, "csrf"),
        ),
        ("display_name", "Partner Docs".to_owned()),
        ("logo_url", "http://partner.example/logo.png".to_owned()),
        ("terms_of_use_url", "ftp://partner.example/terms".to_owned()),
    ];
    let refused = browser.post(app.url(&here)).form(&form).send().await;
    let refused = refused.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(refused.status(), 422);
    let page = refused.text().await.unwrap_or_default();
    assert_eq!(
        page.matches(r#"class="error field-error""#).count(),
        2,
        "{page}"
    );
    assert!(
        !page.contains("branding.logoUrl") && !page.contains("termsOfUseUrl"),
        "{page}"
    );
    assert!(
        page.contains(r#"value="ftp://partner.example/terms""#),
        "kept: {page}"
    );
    let (status, _) = admin
        .get(&format!("/api/applications/{partner}/sign-in-experience"))
        .await;
    assert_eq!(status, 404, "nothing saved");
}
