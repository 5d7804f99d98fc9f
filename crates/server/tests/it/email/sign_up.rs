//! Sign-up with an address: the account exists only once the code sent there is typed back
//! (and then the ID token of a real relying-party library says `email_verified: true`); an
//! address that has an account gets the same answer, and its owner a warning instead.

use openidconnect::core::{CoreAuthenticationFlow, CoreClient, CoreProviderMetadata};
use openidconnect::{
    AuthorizationCode, ClientId, ClientSecret, CsrfToken, IssuerUrl, Nonce, RedirectUrl, Scope,
    TokenResponse,
};
use serde_json::json;

use super::{app_with, challenge_of, get, post, without_nonce};
use crate::oidc::authorization_code::{browser, hidden};
use crate::support::mail::MailServer;
use crate::support::walk::{Stop, param, walk};
use crate::support::{Admin, CALLBACK, PASSWORD, TestApp, backends};

/// The sign-up page of a new authorization request in `browser`: its path and CSRF token.
async fn sign_up_page(
    app: &TestApp,
    browser: &reqwest::Client,
    auth_url: &str,
) -> (String, String) {
    let (path, _) = walk(app, browser, auth_url).await.page("/sign-in/");
    let path = path.replace("/sign-in/", "/sign-up/");
    let (status, page) = get(app, browser, &path).await;
    assert_eq!(status, 200, "{page}");
    let csrf = hidden(&page, "csrf");
    (path, csrf)
}

#[tokio::test]
async fn an_account_exists_once_its_address_is_proven() {
    for backend in backends() {
        let mail = MailServer::starttls().await;
        let app = app_with(backend, &mail, false).await;
        let admin = Admin::new(&app).await;
        let web = admin.client("Web", "Traditional").await;
        let issuer = IssuerUrl::new(app.issuer.clone()).unwrap_or_else(|e| panic!("{e}"));
        let metadata = CoreProviderMetadata::discover_async(issuer, &app.http).await;
        let metadata = metadata.unwrap_or_else(|e| panic!("{e:?}"));
        let client = CoreClient::from_provider_metadata(
            metadata,
            ClientId::new(web.id.clone()),
            Some(ClientSecret::new(web.secret.clone())),
        )
        .set_redirect_uri(RedirectUrl::new(CALLBACK.into()).unwrap_or_else(|e| panic!("{e}")));
        let (auth_url, _, nonce) = client
            .authorize_url(
                CoreAuthenticationFlow::AuthorizationCode,
                CsrfToken::new_random,
                Nonce::new_random,
            )
            .add_scope(Scope::new("email".into()))
            .url();
        let browser = browser();
        let (path, csrf) = sign_up_page(&app, &browser, auth_url.as_str()).await;
        let form = [
            ("csrf", csrf.as_str()),
            ("username", "erin"),
            ("email", "erin@example.com"),
            ("password", PASSWORD),
        ];
        let (status, page, _) = post(&app, &browser, &path, &form).await;
        assert_eq!(status, 200, "{page}");
        assert!(
            page.contains("We sent a 6-digit code to erin@example.com"),
            "{page}"
        );
        let (_, users) = admin.get("/api/users?search=erin").await;
        assert_eq!(users, json!([]), "no account before the code");

        let message = mail.last_to("erin@example.com", 1).await;
        assert_eq!(message.subject, "Your Latchkey code");
        let code = message
            .code()
            .unwrap_or_else(|| panic!("no code in {message:?}"));
        assert!(message.html.contains(&code), "an HTML part too");
        let challenge = challenge_of(&page);
        let action = format!("{path}/code");
        let wrong = if code == "000000" { "111111" } else { "000000" };
        let typed = [
            ("csrf", csrf.as_str()),
            ("challenge", &challenge),
            ("code", wrong),
        ];
        let (status, page, _) = post(&app, &browser, &action, &typed).await;
        assert_eq!(status, 400);
        assert!(page.contains("This code is not right"), "{page}");

        let typed = [
            ("csrf", csrf.as_str()),
            ("challenge", &challenge),
            ("code", &code),
        ];
        let (status, _, location) = post(&app, &browser, &action, &typed).await;
        assert_eq!(status, 303);
        let resume = location.unwrap_or_default();
        let back = walk(&app, &browser, &app.url(&resume)).await.client();
        let code = param(&back, "code").unwrap_or_default();
        let tokens = client
            .exchange_code(AuthorizationCode::new(code))
            .unwrap_or_else(|e| panic!("{e}"))
            .request_async(&app.http)
            .await
            .unwrap_or_else(|e| panic!("{e:?}"));
        let id_token = tokens.id_token().unwrap_or_else(|| panic!("no ID token"));
        let claims = id_token.claims(&client.id_token_verifier(), &nonce);
        let claims = claims.unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(claims.email().map(|e| e.as_str()), Some("erin@example.com"));
        assert_eq!(claims.email_verified(), Some(true), "{backend:?}");

        // The same code again: the sign-up is over, and nothing more is created.
        let (status, _, _) = post(&app, &browser, &action, &typed).await;
        assert_ne!(status, 303);
        let (_, users) = admin.get("/api/users?search=erin").await;
        assert_eq!(users.as_array().map(Vec::len), Some(1));
        assert_eq!(users[0]["primaryEmailVerified"], true);
    }
}

#[tokio::test]
async fn a_taken_address_gets_the_same_answer_and_its_owner_a_warning() {
    for backend in backends() {
        let mail = MailServer::plain().await;
        let app = app_with(backend, &mail, false).await;
        let admin = Admin::new(&app).await;
        let alice =
            json!({"username": "alice", "primaryEmail": "alice@example.com", "password": PASSWORD});
        assert_eq!(admin.post("/api/users", alice).await.0, 201);
        let web = admin.client("Web", "Traditional").await;
        let auth_url = crate::support::Authorize::new(&web.id).url(&app);

        let mut pages = Vec::new();
        for (username, address) in [
            ("mallory", "alice@example.com"),
            ("frank", "frank@example.com"),
        ] {
            let browser = browser();
            let (path, csrf) = sign_up_page(&app, &browser, &auth_url).await;
            let form = [
                ("csrf", csrf.as_str()),
                ("username", username),
                ("email", address),
                ("password", PASSWORD),
            ];
            let (status, page, _) = post(&app, &browser, &path, &form).await;
            assert_eq!(status, 200, "{page}");
            let challenge = challenge_of(&page);
            // Five wrong codes spend either challenge alike.
            let action = format!("{path}/code");
            let mut answers = Vec::new();
            for _ in 0..6 {
                let typed = [
                    ("csrf", csrf.as_str()),
                    ("challenge", &challenge),
                    ("code", "999999"),
                ];
                let (status, page, _) = post(&app, &browser, &action, &typed).await;
                answers.push((status, page.contains("tried too often")));
            }
            let normalized = without_nonce(&page)
                .replace(&challenge, "CHALLENGE")
                .replace(&csrf, "CSRF")
                .replace(&path, "PATH")
                .replace(address, "ADDRESS");
            pages.push((normalized, answers));
        }
        assert_eq!(
            pages[0], pages[1],
            "the same answer whether or not the address has an account"
        );
        let messages = mail.wait_for(2).await;
        let warning = messages.iter().find(|m| m.to == ["alice@example.com"]);
        let warning = warning.unwrap_or_else(|| panic!("{messages:?}"));
        assert!(warning.subject.contains("tried to sign up"), "{warning:?}");
        assert_eq!(warning.code(), None, "no code to the owner");
        assert!(
            warning.link().is_some_and(|l| l.ends_with("/recover")),
            "{warning:?}"
        );
        let (_, users) = admin.get("/api/users?search=mallory").await;
        assert_eq!(users, json!([]));
    }
}

#[tokio::test]
async fn without_waiting_the_account_is_made_at_once_and_proven_later() {
    for backend in backends() {
        let mail = MailServer::plain().await;
        let mut config = mail.config();
        config.verify_sign_up = false;
        let options = crate::support::Options {
            mail: Some(config),
            ..Default::default()
        };
        let app = TestApp::spawn_with(backend, options)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        let admin = Admin::new(&app).await;
        let web = admin.client("Web", "Traditional").await;
        let browser = browser();
        let auth_url = crate::support::Authorize::new(&web.id).url(&app);
        let (path, csrf) = sign_up_page(&app, &browser, &auth_url).await;
        let form = [
            ("csrf", csrf.as_str()),
            ("username", "gina"),
            ("email", "gina@example.com"),
            ("password", PASSWORD),
        ];
        let (status, _, location) = post(&app, &browser, &path, &form).await;
        assert_eq!(status, 303, "signed in at once");
        let stop = walk(&app, &browser, &app.url(&location.unwrap_or_default())).await;
        assert!(matches!(stop, Stop::Client(_)), "{stop:?}");
        let (_, users) = admin.get("/api/users?search=gina").await;
        assert_eq!(users[0]["primaryEmailVerified"], false);
        let message = mail.last_to("gina@example.com", 1).await;
        let code = message.code().unwrap_or_default();

        // From the account page, the code proves the address.
        let (_, page) = get(&app, &browser, "/account/email").await;
        assert!(page.contains("Not verified"), "{page}");
        let csrf = hidden(&page, "csrf");
        let (status, page, _) =
            post(&app, &browser, "/account/email/verify", &[("csrf", &csrf)]).await;
        assert_eq!(status, 200, "{page}");
        let second = mail
            .last_to("gina@example.com", 2)
            .await
            .code()
            .unwrap_or_default();
        let challenge = challenge_of(&page);
        // Each code opens its own challenge only.
        if second != code {
            let typed = [
                ("csrf", csrf.as_str()),
                ("challenge", &challenge),
                ("code", &code),
            ];
            let (status, _, _) = post(&app, &browser, "/account/email/code", &typed).await;
            assert_eq!(status, 400);
        }
        let typed = [
            ("csrf", csrf.as_str()),
            ("challenge", &challenge),
            ("code", &second),
        ];
        let (status, _, location) = post(&app, &browser, "/account/email/code", &typed).await;
        assert_eq!(
            (status, location.as_deref()),
            (303, Some("/account/email?proven=1"))
        );
        let (_, users) = admin.get("/api/users?search=gina").await;
        assert_eq!(users[0]["primaryEmailVerified"], true);
        let audit = app.state.db.find_recent_audit(20).await.unwrap_or_default();
        assert!(audit.iter().any(|(a, _, _)| a == "user.email.verify"));
    }
}
