//! Hostile use of the hosted pages: forms without their CSRF token, interactions replayed
//! from another browser, planted session cookies, consent forms carrying extra fields, and
//! logout requests aimed at unregistered addresses.

use serde_json::json;

use crate::oidc::authorization_code::{browser, hidden};
use crate::oidc::third_party::{PARTNER_CALLBACK, id, setup};
use crate::support::walk::{Stop, param, sign_in_if_asked, submit, walk};
use crate::support::{Admin, TestApp, backends};

fn auth(app: &TestApp, client: &str, scope: &str) -> String {
    format!(
        "{}/oidc/auth?client_id={client}&redirect_uri=https%3A%2F%2Fpartner.example%2Fcallback&response_type=code&scope={scope}&state=st",
        app.address
    )
}

#[tokio::test]
async fn sign_in_forms_and_sessions_resist_forgery() {
    for backend in backends() {
        let app = TestApp::spawn(backend).await;
        let admin = Admin::new(&app).await;
        let (_, partner) = setup(&admin, "Traditional", PARTNER_CALLBACK).await;
        let victim = browser();
        let stop = walk(&app, &victim, &auth(&app, &id(&partner), "openid")).await;
        let (path, page) = stop.page("/sign-in/");
        let credentials = |csrf: &str| {
            vec![
                ("csrf", csrf.to_owned()),
                ("identifier", "alice".to_owned()),
                ("password", "correct horse battery".to_owned()),
            ]
        };
        // A sign-in form without its token is refused.
        let forged = victim
            .post(app.url(&path))
            .form(&credentials(""))
            .send()
            .await;
        assert_eq!(forged.map(|r| r.status().as_u16()).ok(), Some(400));
        // The interaction is bound to its browser: another browser with the right token fails.
        let attacker = browser();
        let stolen = attacker
            .post(app.url(&path))
            .form(&credentials(&hidden(&page, "csrf")))
            .send()
            .await;
        assert_eq!(stolen.map(|r| r.status().as_u16()).ok(), Some(400));
        // ... and cannot even open the page.
        let peek = attacker
            .get(app.url(&path))
            .send()
            .await
            .map(|r| r.status().as_u16());
        assert_eq!(peek.ok(), Some(400));
        // No session fixation: a cookie planted before sign-in is never signed in.
        let planted = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap_or_else(|e| panic!("{e}"));
        let fixed = "latchkey_session=planted-by-attacker";
        let check = planted
            .get(app.url("/account/apps"))
            .header("cookie", fixed)
            .send()
            .await;
        assert_eq!(
            check.map(|r| r.status().as_u16()).ok(),
            Some(303),
            "planted cookie is no session"
        );
        let signed = victim
            .post(app.url(&path))
            .form(&credentials(&hidden(&page, "csrf")))
            .send()
            .await;
        let signed = signed.unwrap_or_else(|e| panic!("{e}"));
        let cookie = signed
            .headers()
            .get_all("set-cookie")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .find(|c| c.starts_with("latchkey_session="))
            .unwrap_or_default()
            .to_owned();
        assert!(
            cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"),
            "{cookie}"
        );
        assert!(!cookie.contains("planted-by-attacker"));
    }
}

#[tokio::test]
async fn consent_is_computed_on_the_server_and_forms_need_their_token() {
    for backend in backends() {
        let app = TestApp::spawn(backend).await;
        let admin = Admin::new(&app).await;
        let (_, partner) = setup(&admin, "Traditional", PARTNER_CALLBACK).await;
        let browser = browser();
        let stop = walk(&app, &browser, &auth(&app, &id(&partner), "openid+email")).await;
        let (path, page) = sign_in_if_asked(&app, &browser, stop)
            .await
            .page("/consent/");
        // The consent form without its CSRF token records nothing.
        let forged = [
            ("csrf", "x".to_owned()),
            ("user", hidden(&page, "user")),
            ("decision", "authorize".to_owned()),
        ];
        let refused = browser.post(app.url(&path)).form(&forged).send().await;
        assert_eq!(refused.map(|r| r.status().as_u16()).ok(), Some(400));
        // What is granted is recomputed on the server: extra fields asking for more are ignored.
        let greedy = [
            ("csrf", hidden(&page, "csrf")),
            ("user", hidden(&page, "user")),
            ("decision", "authorize".to_owned()),
            ("scope", "openid email phone address roles".to_owned()),
            ("user_scope", "phone".to_owned()),
        ];
        let back = submit(&app, &browser, &path, &greedy).await.client();
        let code = param(&back, "code").unwrap_or_default();
        let secret = partner["secret"].as_str().unwrap_or_default();
        let form = [
            ("grant_type", "authorization_code"),
            ("code", code.as_str()),
            ("redirect_uri", PARTNER_CALLBACK),
        ];
        let tokens: serde_json::Value = app
            .token(&form, Some((&id(&partner), secret)))
            .await
            .json()
            .await
            .unwrap_or_default();
        assert_eq!(tokens["scope"], "openid email", "{tokens}");
        // Deny-by-default: a third-party app asking prompt=none for something new gets consent_required.
        let silent = walk(
            &app,
            &browser,
            &format!("{}&prompt=none", auth(&app, &id(&partner), "openid+phone")),
        )
        .await;
        assert_eq!(
            param(&silent.client(), "error").as_deref(),
            Some("consent_required")
        );
    }
}

#[tokio::test]
async fn logout_never_redirects_to_an_unregistered_address() {
    for backend in backends() {
        let app = TestApp::spawn(backend).await;
        let admin = Admin::new(&app).await;
        let (_, web) = admin
            .post("/api/applications", json!({"name": "Web", "type": "Traditional",
                "oidcClientMetadata": {"redirectUris": ["https://app.example.com/cb"], "postLogoutRedirectUris": ["https://app.example.com/bye"]}}))
            .await;
        let browser = browser();
        // RP-Initiated Logout §3: an unregistered post_logout_redirect_uri is never followed.
        let evil = format!(
            "{}/oidc/session/end?client_id={}&post_logout_redirect_uri=https%3A%2F%2Fevil.com%2F",
            app.address,
            id(&web)
        );
        let stop = walk(&app, &browser, &evil).await;
        assert!(!matches!(stop, Stop::Client(_)), "{stop:?}");
        // Without a valid id_token_hint the user is asked to confirm; no silent logout.
        let fine = format!(
            "{}/oidc/session/end?client_id={}&post_logout_redirect_uri=https%3A%2F%2Fapp.example.com%2Fbye",
            app.address,
            id(&web)
        );
        let (_, page) = walk(&app, &browser, &fine).await.page("/oidc/session/end");
        assert!(page.contains("csrf"), "a confirmation form");
        // The confirmation form needs its token (double-submit cookie).
        let forged = browser
            .post(app.url("/oidc/session/end/confirm"))
            .form(&[("csrf", "forged")])
            .send()
            .await
            .map(|r| r.status().as_u16());
        assert_eq!(forged.ok(), Some(400));
    }
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
        let (_, web) = admin
            .post(
                "/api/applications",
                json!({"name": "Web", "type": "Traditional",
                "oidcClientMetadata": {"redirectUris": ["https://partner.example/callback"]}}),
            )
            .await;
        let browser = browser();
        let stop = walk(&app, &browser, &auth(&app, &id(&web), "openid")).await;
        let (path, page) = stop.page("/sign-in/");
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
        let (_, web) = admin
            .post(
                "/api/applications",
                json!({"name": "Web", "type": "Traditional",
                "oidcClientMetadata": {"redirectUris": ["https://partner.example/callback"]}}),
            )
            .await;
        for typed in ["alice\r\n", "alice\n", "\u{0}alice", "alice@example.com\r"] {
            let browser = browser();
            let stop = walk(&app, &browser, &auth(&app, &id(&web), "openid")).await;
            let (path, page) = stop.page("/sign-in/");
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
