//! The admin console signs administrators in through Latchkey's own code flow (PKCE, state,
//! iss), refuses everyone else, and drives the same operations as the management API.

use serde_json::json;

use crate::oidc::authorization_code::{browser, hidden};
use crate::support::walk::{Stop, sign_in_as, submit, walk};
use crate::support::{Admin, TestApp, backends};

/// A user holding the built-in administrator role, and one without it.
pub async fn people(admin: &Admin<'_>) {
    let (_, root) = admin
        .post(
            "/api/users",
            json!({"username": "root", "name": "Root", "password": "correct horse battery"}),
        )
        .await;
    let roles = json!({"roleIds": ["latchkey-admin"]});
    let path = format!(
        "/api/users/{}/roles",
        root["id"].as_str().unwrap_or_default()
    );
    assert_eq!(admin.post(&path, roles).await.0, 201);
    let plain = json!({"username": "plain", "password": "correct horse battery"});
    assert_eq!(admin.post("/api/users", plain).await.0, 201);
}

#[tokio::test]
async fn an_administrator_signs_in_and_creates_an_application() {
    for backend in backends() {
        let app = TestApp::spawn(backend).await;
        let admin = Admin::new(&app).await;
        people(&admin).await;
        let browser = browser();
        let stop = walk(&app, &browser, &app.url("/console/applications")).await;
        let (path, html) = sign_in_as(&app, &browser, stop, "root")
            .await
            .page("/console/");
        assert_eq!(path, "/console/applications");
        assert!(
            html.contains("My applications") && !html.contains("Latchkey console"),
            "{html}"
        );

        // Create a third-party Traditional application from its tab: the form offers no
        // machine-to-machine type, and the answer is a redirect to the set-up checklist,
        // which shows the secret.
        let (_, form) = walk(
            &app,
            &browser,
            &app.url("/console/applications/new?party=third"),
        )
        .await
        .page("/console/applications/new");
        assert!(
            !form.contains(r#"value="MachineToMachine""#) && form.contains("?tab=third-party"),
            "{form}"
        );
        let fields = [
            ("csrf", hidden(&form, "csrf")),
            ("submission", hidden(&form, "submission")),
            ("party", "third".to_owned()),
            ("type", "Traditional".to_owned()),
            ("name", "Partner".to_owned()),
            ("description", String::new()),
        ];
        let (path, created) = submit(&app, &browser, "/console/applications", &fields)
            .await
            .page("/console/applications/");
        assert!(path.ends_with("/setup"), "{path}");
        assert!(
            created.contains("ten minutes") && created.contains(r#"<li class="to-do">"#),
            "{created}"
        );
        let secret = between(&created, r#"<code id="new-secret">"#, "</code>");
        assert!(secret.len() >= 32, "{created}");
        // A reload shows the same secret and creates nothing; the same form submitted again
        // (a double click, the back button) lands on the same application.
        let (_, reloaded) = walk(&app, &browser, &app.url(&path)).await.page(&path);
        assert_eq!(
            between(&reloaded, r#"<code id="new-secret">"#, "</code>"),
            secret
        );
        let (again, _) = submit(&app, &browser, "/console/applications", &fields)
            .await
            .page("/console/applications/");
        assert_eq!(again, path);
        // The credentials page shows the same secret, with the issuer.
        let endpoints = path.replace("/setup", "/endpoints");
        let (_, credentials) = walk(&app, &browser, &app.url(&endpoints))
            .await
            .page(&endpoints);
        assert_eq!(
            between(&credentials, r#"<code id="new-secret">"#, "</code>"),
            secret
        );
        assert!(credentials.contains(&app.issuer), "{credentials}");
        let (_, listed) = admin.get("/api/applications?isThirdParty=true").await;
        assert_eq!(listed.as_array().map(Vec::len), Some(1), "{listed}");
        assert_eq!(listed[0]["name"], "Partner");
        let id = listed[0]["id"].as_str().unwrap_or_default().to_owned();
        let (_, secrets) = admin.get(&format!("/api/applications/{id}/secrets")).await;
        assert_eq!(secrets.as_array().map(Vec::len), Some(1), "{secrets}");
        // Another console session (a new sign-in) cannot open the kept secret.
        let other = crate::oidc::authorization_code::browser();
        let stop = walk(&app, &other, &app.url("/console/applications")).await;
        let _ = sign_in_as(&app, &other, stop, "root").await;
        let (_, elsewhere) = walk(&app, &other, &app.url(&path)).await.page(&path);
        assert!(!elsewhere.contains("new-secret"), "{elsewhere}");

        // Settings: the API's validation, inline; then a valid change.
        let settings = app.url(&format!("/console/applications/{id}"));
        let (_, page) = walk(&app, &browser, &settings).await.page("/console/");
        let mut change = vec![
            ("csrf", hidden(&page, "csrf")),
            ("name", "Partner".to_owned()),
            ("redirect_uris", "javascript:alert(1)".to_owned()),
            (
                "cors_allowed_origins",
                "https://partner.example/path".to_owned(),
            ),
            ("id_token_ttl", "3600".to_owned()),
            ("refresh_token_ttl_in_days", "900".to_owned()),
        ];
        let refused = browser
            .post(&settings)
            .form(&change)
            .send()
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(refused.status(), 422);
        // Every problem at once, each beside its field, with no API field path; what was
        // typed is still there.
        let page = refused.text().await.unwrap_or_default();
        assert_eq!(page.matches(r#"aria-invalid="true""#).count(), 3, "{page}");
        assert_eq!(
            page.matches(r#"class="error field-error""#).count(),
            3,
            "{page}"
        );
        assert!(
            page.contains("A number of days between 1 and 90."),
            "{page}"
        );
        assert!(
            !page.contains("oidcClientMetadata") && !page.contains("customClientMetadata"),
            "{page}"
        );
        assert!(
            page.contains("https://partner.example/path</textarea>"),
            "{page}"
        );
        change[3].1 = String::new();
        change[5].1 = "14".to_owned();
        change[2].1 = "https://partner.example/callback".to_owned();
        let (_, saved) = submit(
            &app,
            &browser,
            &format!("/console/applications/{id}"),
            &change,
        )
        .await
        .page("/console/");
        assert!(saved.contains("Saved."), "{saved}");
        let (_, stored) = admin.get(&format!("/api/applications/{id}")).await;
        assert_eq!(
            stored["oidcClientMetadata"]["redirectUris"],
            json!(["https://partner.example/callback"])
        );

        // A form without the console's CSRF token changes nothing, and says so.
        let forged = [("csrf", "forged".to_owned()), ("name", "Evil".to_owned())];
        let response = browser
            .post(&settings)
            .form(&forged)
            .send()
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(response.status(), 403);
        let page = response.text().await.unwrap_or_default();
        assert!(page.contains("This form has expired"), "{page}");
        assert_eq!(
            admin.get(&format!("/api/applications/{id}")).await.1["name"],
            "Partner"
        );
        // The same for a form of repeated fields, and for a button with nothing but its token.
        let scopes = app.url(&format!("/console/applications/{id}/permissions"));
        let fields = [("csrf", "forged"), ("user_scope", "email")];
        let refused = browser.post(&scopes).form(&fields).send().await;
        assert_eq!(refused.map(|r| r.status().as_u16()).ok(), Some(403));
        let delete = app.url(&format!("/console/applications/{id}/delete"));
        let refused = browser.post(&delete).form(&[("csrf", "")]).send().await;
        assert_eq!(refused.map(|r| r.status().as_u16()).ok(), Some(403));
        assert_eq!(admin.get(&format!("/api/applications/{id}")).await.0, 200);
        // French for a French browser.
        let french = browser
            .get(app.url("/console/applications?tab=third-party"))
            .header("accept-language", "fr-FR,fr;q=0.9")
            .send()
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        let french = french.text().await.unwrap_or_default();
        assert!(french.contains("Applications tierces") && french.contains("Partner"));

        // Signing out ends the console's grant and goes on to RP-initiated logout.
        let csrf = hidden(&saved, "csrf");
        let out = browser
            .post(app.url("/console/sign-out"))
            .form(&[("csrf", csrf)])
            .send()
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(out.status(), 303);
        assert!(
            out.headers()["location"]
                .to_str()
                .unwrap_or("")
                .starts_with("/oidc/session/end")
        );
        let after = browser
            .get(app.url("/console/applications"))
            .send()
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            after.headers()["location"],
            "/console/sign-in?next=%2Fconsole%2Fapplications"
        );

        let audit = app.state.db.find_recent_audit(20).await.unwrap_or_default();
        assert!(
            audit
                .iter()
                .any(|(a, t, _)| a == "application.update" && t.as_deref() == Some(id.as_str()))
        );
    }
}

#[tokio::test]
async fn someone_who_is_not_an_administrator_is_refused() {
    for backend in backends() {
        let app = TestApp::spawn(backend).await;
        let admin = Admin::new(&app).await;
        people(&admin).await;
        let browser = browser();
        let stop = walk(&app, &browser, &app.url("/console")).await;
        let stop = sign_in_as(&app, &browser, stop, "plain").await;
        let crate::support::walk::Stop::Status(403, body) = stop else {
            panic!("expected 403, got {stop:?}");
        };
        assert!(body.contains("Not an administrator"), "{body}");
        let again = browser
            .get(app.url("/console/applications"))
            .send()
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(again.status(), 303, "no console session was created");
        // The console's application is built in: the API cannot change or delete it.
        assert_eq!(
            admin.delete("/api/applications/latchkey-console").await,
            422
        );
    }
}

/// A console page that fails is the localized error page with the status the management API
/// would answer, never a JSON document.
#[tokio::test]
async fn a_missing_object_is_the_404_error_page() {
    for backend in backends() {
        let app = TestApp::spawn(backend).await;
        let admin = Admin::new(&app).await;
        people(&admin).await;
        let browser = browser();
        let stop = walk(&app, &browser, &app.url("/console/applications")).await;
        sign_in_as(&app, &browser, stop, "root")
            .await
            .page("/console/");
        for path in [
            "/console/applications/nope",
            "/console/applications/nope/endpoints",
            "/console/users/nope",
            "/console/roles/nope",
            "/console/resources/nope",
        ] {
            match walk(&app, &browser, &app.url(path)).await {
                Stop::Status(404, html) => {
                    assert!(
                        html.contains("<html") && html.contains("not found"),
                        "{path}: {html}"
                    );
                }
                other => panic!("{path}: {other:?}"),
            }
        }
    }
}

/// The text of `html` between `start` and the next `end`.
fn between<'a>(html: &'a str, start: &str, end: &str) -> &'a str {
    let from = html.find(start).map_or(html.len(), |i| i + start.len());
    let rest = &html[from..];
    &rest[..rest.find(end).unwrap_or(0)]
}
