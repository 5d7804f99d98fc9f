//! Who consents, and seeing and revoking grants: "Not you?" switches the user of a consent
//! page; the user revokes on `/account/apps`, an admin through `/api/users/{id}/grants`.
//! Revoking ends the refresh tokens at once and the next authorization asks for consent
//! again. First-party applications never ask.

use serde_json::{Value, json};

use crate::oidc::authorization_code::{browser, hidden};
use crate::oidc::third_party::{DOCS, PARTNER_CALLBACK, id, setup};
use crate::support::walk::{Stop, answer, param, sign_in_as, sign_in_if_asked, submit, walk};
use crate::support::{Admin, Authorize, TestApp, backends};

fn authorize_url(app: &TestApp, client_id: &str, extra: &str) -> String {
    Authorize::new(client_id)
        .set("redirect_uri", "https://partner.example/callback")
        .set("state", "s1")
        .set("scope", "openid email offline_access read:docs")
        .set("resource", "https://docs.example.com")
        .query(extra)
        .url(app)
}

/// Consent through the page and redeem the code; returns the refresh token.
async fn consent_and_redeem(app: &TestApp, browser: &reqwest::Client, partner: &Value) -> String {
    let url = authorize_url(app, &id(partner), "");
    let stop = sign_in_if_asked(app, browser, walk(app, browser, &url).await).await;
    let back = answer(app, browser, stop.page("/consent/"), "authorize")
        .await
        .client();
    let code = param(&back, "code").unwrap_or_default();
    let form = [
        ("grant_type", "authorization_code"),
        ("code", code.as_str()),
        ("redirect_uri", PARTNER_CALLBACK),
    ];
    let secret = partner["secret"].as_str().unwrap_or_default();
    let tokens: Value = app
        .token(&form, Some((&id(partner), secret)))
        .await
        .json()
        .await
        .unwrap_or_default();
    tokens["refresh_token"]
        .as_str()
        .unwrap_or_else(|| panic!("no refresh token: {tokens}"))
        .to_owned()
}

/// The refresh token's status at the token endpoint.
async fn refresh_status(app: &TestApp, partner: &Value, refresh: &str) -> (u16, Value) {
    let form = [("grant_type", "refresh_token"), ("refresh_token", refresh)];
    let secret = partner["secret"].as_str().unwrap_or_default();
    let response = app.token(&form, Some((&id(partner), secret))).await;
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or_default())
}

#[tokio::test]
async fn a_user_removes_a_third_party_app_on_the_account_page() {
    for backend in backends() {
        let app = TestApp::spawn(backend).await;
        let admin = Admin::new(&app).await;
        let (_, partner) = setup(&admin, "Traditional", PARTNER_CALLBACK).await;

        // Signed out, the account page signs the user in first and comes back.
        let browser = browser();
        let stop = walk(&app, &browser, &app.url("/account/apps")).await;
        let (_, html) = sign_in_if_asked(&app, &browser, stop)
            .await
            .page("/account/apps");
        assert!(
            html.contains("You have not allowed any third-party app."),
            "{html}"
        );

        let refresh = consent_and_redeem(&app, &browser, &partner).await;
        let account = app.url("/account/apps");
        let (_, html) = walk(&app, &browser, &account).await.page("/account/apps");
        for shown in [
            "Partner Docs",
            "Your email address",
            "Docs: read:docs",
            "Stays signed in",
            "Remove access",
        ] {
            assert!(html.contains(shown), "{shown}:\n{html}");
        }
        let action = html
            .split(r#"action=""#)
            .nth(1)
            .and_then(|rest| rest.split('"').next())
            .unwrap_or_default()
            .to_owned();
        assert!(
            action.starts_with("/account/apps/") && action.ends_with("/remove"),
            "{action}"
        );

        // Without the form's CSRF token nothing is removed.
        let forged = browser
            .post(app.url(&action))
            .form(&[("csrf", "forged")])
            .send()
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(forged.status(), 400);
        let (_, html) = walk(&app, &browser, &account).await.page("/account/apps");
        assert!(html.contains("Partner Docs"), "still granted");

        // The button asks first, on a page naming the app; nothing is removed yet.
        let form = [("csrf", hidden(&html, "csrf"))];
        let asked = browser
            .post(app.url(&action))
            .form(&form)
            .send()
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(asked.status(), 200);
        let asked = asked.text().await.unwrap_or_default();
        assert!(
            asked.contains("Remove access: Partner Docs") && asked.contains(r#"name="confirmed""#),
            "{asked}"
        );
        let (_, html) = walk(&app, &browser, &account).await.page("/account/apps");
        assert!(html.contains("Partner Docs"), "still granted");
        let form = [
            ("csrf", hidden(&html, "csrf")),
            ("confirmed", "1".to_owned()),
        ];
        let (_, after) = submit(&app, &browser, &action, &form)
            .await
            .page("/account/apps");
        assert!(
            after.contains("You have not allowed any third-party app.")
                && after.contains("Access removed."),
            "{after}"
        );

        let (status, body) = refresh_status(&app, &partner, &refresh).await;
        assert_eq!(
            (status, body["error"].as_str()),
            (400, Some("invalid_grant"))
        );
        let url = authorize_url(&app, &id(&partner), "");
        walk(&app, &browser, &url).await.page("/consent/");
        let audit = app.state.db.find_recent_audit(50).await.unwrap_or_default();
        assert!(audit.iter().any(|(a, _, _)| a == "consent.revoke"));
    }
}

#[tokio::test]
async fn an_admin_lists_and_revokes_a_users_grants() {
    for backend in backends() {
        let app = TestApp::spawn(backend).await;
        let admin = Admin::new(&app).await;
        let (alice, partner) = setup(&admin, "Traditional", PARTNER_CALLBACK).await;
        let browser = browser();
        let refresh = consent_and_redeem(&app, &browser, &partner).await;

        // A first-party application never shows a consent page, even with prompt=consent.
        let (_, web) = admin
            .post(
                "/api/applications",
                json!({"name": "Web", "type": "Traditional",
                "oidcClientMetadata": {"redirectUris": [PARTNER_CALLBACK]}}),
            )
            .await;
        let url = authorize_url(&app, &id(&web), "&prompt=consent");
        let back = walk(&app, &browser, &url).await.client();
        assert!(param(&back, "code").is_some(), "{back}");

        let path = format!("/api/users/{alice}/grants");
        let (status, third) = admin.get(&format!("{path}?appType=thirdParty")).await;
        assert_eq!(status, 200, "{third}");
        let grants = third.as_array().cloned().unwrap_or_default();
        assert_eq!(grants.len(), 1, "{third}");
        let grant = &grants[0];
        assert_eq!(
            grant["application"],
            json!({"id": id(&partner), "name": "Partner"})
        );
        assert_eq!(grant["userScopes"], json!(["email", "offline_access"]));
        assert_eq!(grant["resourceScopes"][0]["resource"]["indicator"], DOCS);
        assert_eq!(grant["resourceScopes"][0]["scopes"][0]["name"], "read:docs");
        assert!(grant["createdAt"].is_i64() && grant["lastUsedAt"].is_i64());
        let (_, first) = admin.get(&format!("{path}?appType=firstParty")).await;
        assert_eq!(first[0]["application"]["id"], json!(id(&web)), "{first}");
        let (_, all) = admin.get(&path).await;
        assert_eq!(all.as_array().map(Vec::len), Some(2));
        assert_eq!(admin.get(&format!("{path}?appType=other")).await.0, 400);
        assert_eq!(admin.get("/api/users/nobody/grants").await.0, 404);

        assert_eq!(admin.delete(&format!("{path}/{}", id(grant))).await, 204);
        assert_eq!(admin.delete(&format!("{path}/{}", id(grant))).await, 404);
        let (status, body) = refresh_status(&app, &partner, &refresh).await;
        assert_eq!(
            (status, body["error"].as_str()),
            (400, Some("invalid_grant"))
        );
        let (_, third) = admin.get(&format!("{path}?appType=thirdParty")).await;
        assert_eq!(third, json!([]));
        let url = authorize_url(&app, &id(&partner), "");
        let stop = walk(&app, &browser, &url).await;
        assert!(
            matches!(&stop, Stop::Page(p, _) if p.starts_with("/consent/")),
            "{stop:?}"
        );
    }
}

#[tokio::test]
async fn not_you_signs_in_someone_else_and_the_page_follows() {
    for backend in backends() {
        let app = TestApp::spawn(backend).await;
        let admin = Admin::new(&app).await;
        let (alice, partner) = setup(&admin, "Traditional", PARTNER_CALLBACK).await;
        let bob = json!({"username": "bob", "name": "Bob", "password": "correct horse battery"});
        assert_eq!(admin.post("/api/users", bob).await.0, 201);
        let browser = browser();
        let url = authorize_url(&app, &id(&partner), "");
        let stop = sign_in_if_asked(&app, &browser, walk(&app, &browser, &url).await).await;
        let (consent_path, html) = stop.page("/consent/");
        assert!(html.contains("<strong>Alice</strong>"));
        let switch = consent_path.replace("/consent/", "/sign-in/");
        assert!(
            html.contains(&format!(r#"href="{switch}""#)),
            "Not you? link"
        );

        // Alice's page, answered after Bob signed in on the same interaction, is void.
        let stale = [
            ("csrf", hidden(&html, "csrf")),
            ("user", alice),
            ("decision", "authorize".into()),
        ];
        let stop = walk(&app, &browser, &app.url(&switch)).await;
        let (_, bobs) = sign_in_as(&app, &browser, stop, "bob")
            .await
            .page("/consent/");
        assert!(bobs.contains("<strong>Bob</strong>"), "{bobs}");
        let (_, again) = submit(&app, &browser, &consent_path, &stale)
            .await
            .page("/consent/");
        assert!(again.contains("<strong>Bob</strong>"), "shown again to Bob");

        let back = answer(&app, &browser, (consent_path, again), "authorize")
            .await
            .client();
        assert!(param(&back, "code").is_some());
        let users = admin.get("/api/users?search=bob").await.1;
        let bob_id = id(&users[0]);
        let (_, bob_grants) = admin.get(&format!("/api/users/{bob_id}/grants")).await;
        assert_eq!(
            bob_grants.as_array().map(Vec::len),
            Some(1),
            "Bob consented"
        );
    }
}
