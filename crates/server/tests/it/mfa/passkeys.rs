//! Passkeys end to end with a software authenticator: registered on the security page (a
//! discoverable credential, user verification required), signing in with no username, used as
//! the second factor after a password, removed; a wrong origin, a wrong RP ID and a counter
//! that goes back are refused.

use serde_json::Value;

use super::authenticator::Authenticator;
use super::{
    account_browser, amr_and_acr, auth_url, client, get_text, location, password_step, post,
    set_up, to_client,
};
use crate::oidc::authorization_code::{browser, hidden};
use crate::support::{Admin, Options, TestApp, backends};

async fn options_of(b: &reqwest::Client, url: &str, csrf: &str) -> (String, Value) {
    let answer = post(b, url, &[("csrf", csrf.to_owned())]).await;
    assert_eq!(answer.status(), 200, "{url}");
    let json: Value = answer.json().await.unwrap_or_default();
    let ceremony = json["ceremony"].as_str().unwrap_or_default().to_owned();
    (ceremony, json["publicKey"].clone())
}

/// Register `key` for the browser's user; the security page after.
async fn register(app: &TestApp, b: &reqwest::Client, key: &mut Authenticator) -> String {
    let page = get_text(b, &app.url("/account/security")).await;
    let csrf = hidden(&page, "csrf");
    let (ceremony, public_key) =
        options_of(b, &app.url("/account/security/passkeys/options"), &csrf).await;
    let selection = &public_key["authenticatorSelection"];
    assert_eq!(selection["residentKey"], "required", "discoverable");
    assert_eq!(selection["userVerification"], "required");
    let form = [
        ("csrf", csrf),
        ("ceremony", ceremony),
        ("credential", key.register(&public_key)),
        ("name", "Laptop".to_owned()),
    ];
    let added = post(b, &app.url("/account/security/passkeys"), &form).await;
    assert_eq!(location(&added), "/account/security?done=added");
    get_text(b, &app.url("/account/security")).await
}

/// Sign in on `sign_in` (a sign-in page's path) with `key`: the response.
async fn passkey_sign_in(
    app: &TestApp,
    b: &reqwest::Client,
    sign_in: &str,
    key: &mut Authenticator,
) -> reqwest::Response {
    let page = get_text(b, &app.url(sign_in)).await;
    assert!(
        page.contains(r#"autocomplete="username webauthn""#),
        "autofill"
    );
    let csrf = hidden(&page, "csrf");
    let (ceremony, public_key) =
        options_of(b, &app.url(&format!("{sign_in}/passkey/options")), &csrf).await;
    assert_eq!(
        public_key["allowCredentials"]
            .as_array()
            .map(Vec::len)
            .unwrap_or(0),
        0,
        "username-less"
    );
    let form = [
        ("csrf", csrf),
        ("ceremony", ceremony),
        ("credential", key.assert(&public_key)),
    ];
    post(b, &app.url(&format!("{sign_in}/passkey")), &form).await
}

async fn sign_in_page(b: &reqwest::Client, url: &str) -> String {
    location(&b.get(url).send().await.unwrap_or_else(|e| panic!("{e}")))
}

#[tokio::test]
async fn a_passkey_signs_in_without_a_username_and_its_counter_and_origin_are_checked() {
    for backend in backends() {
        let options = Options {
            localhost: true,
            ..Options::default()
        };
        let app = super::spawn(backend, options).await;
        let admin = Admin::new(&app).await;
        let web = set_up(&admin, false).await;
        let rp = client(&app, &web).await;
        let mut key = Authenticator::new(&app.address);
        let page = register(&app, &account_browser(&app).await, &mut key).await;
        assert!(page.contains(r#"value="Laptop""#), "named");

        let b = browser();
        let (url, nonce) = auth_url(&rp, None);
        let sign_in = sign_in_page(&b, &url).await;
        let signed = passkey_sign_in(&app, &b, &sign_in, &mut key).await;
        let back = to_client(&app, &b, &signed).await;
        let (amr, acr) = amr_and_acr(&app, &rp, &back, &nonce).await;
        assert_eq!(amr, ["hwk", "user", "mfa"], "{backend:?}");
        assert_eq!(acr, "urn:latchkey:acr:mfa");

        // A copy of the key, its counter behind: refused.
        let b = browser();
        let (url, _) = auth_url(&rp, None);
        let sign_in = sign_in_page(&b, &url).await;
        let counter = key.counter;
        key.counter = 0;
        let cloned = passkey_sign_in(&app, &b, &sign_in, &mut key).await;
        assert_eq!(cloned.status(), 400, "counter went back");
        key.counter = counter;
        // Another site's origin, or another RP ID: refused.
        key.origin = "http://evil.example".into();
        let phished = passkey_sign_in(&app, &b, &sign_in, &mut key).await;
        assert_eq!(phished.status(), 400, "wrong origin");
        key.origin = app.address.clone();
        key.rp_id = "example.com".into();
        let wrong_rp = passkey_sign_in(&app, &b, &sign_in, &mut key).await;
        assert_eq!(wrong_rp.status(), 400, "wrong RP ID");
        key.rp_id = "localhost".into();
        let fine = passkey_sign_in(&app, &b, &sign_in, &mut key).await;
        to_client(&app, &b, &fine).await;
    }
}

#[tokio::test]
async fn a_passkey_is_the_second_factor_after_a_password_until_removed() {
    for backend in backends() {
        let options = Options {
            localhost: true,
            ..Options::default()
        };
        let app = super::spawn(backend, options).await;
        let admin = Admin::new(&app).await;
        let web = set_up(&admin, false).await;
        let rp = client(&app, &web).await;
        let account = account_browser(&app).await;
        let mut key = Authenticator::new(&app.address);
        let page = register(&app, &account, &mut key).await;

        // The password alone cannot add a second factor of its choosing.
        let intruder = browser();
        let (url, _) = auth_url(&rp, None);
        let step = password_step(&app, &intruder, &url).await;
        let factor = get_text(&intruder, &app.url(&step)).await;
        assert!(!factor.contains(r#"name="secret""#), "no enrolment offered");
        let theirs = latchkey_core::totp::new_secret();
        let now = app.state.clock.now_ms();
        let form = [
            ("csrf", hidden(&factor, "csrf")),
            ("secret", latchkey_core::totp::base32(&theirs)),
            ("code", latchkey_core::totp::code_at(&theirs, now)),
        ];
        let forged = post(&intruder, &app.url(&format!("{step}/totp")), &form).await;
        assert_eq!(forged.status(), 200, "the page again, nothing enrolled");
        let (_, users) = admin.get("/api/users?search=alice").await;
        let alice = users[0]["id"].as_str().unwrap_or_default().to_owned();
        let factors = app
            .state
            .db
            .list_verifications(&alice)
            .await
            .unwrap_or_default();
        assert_eq!(factors.len(), 1, "still only the passkey");
        let home = intruder
            .get(app.url("/account"))
            .send()
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        assert!(location(&home).starts_with("/sign-in/"), "no session");

        let b = browser();
        let (url, nonce) = auth_url(&rp, None);
        let step = password_step(&app, &b, &url).await;
        let factor = get_text(&b, &app.url(&step)).await;
        let csrf = hidden(&factor, "csrf");
        let (ceremony, public_key) =
            options_of(&b, &app.url(&format!("{step}/passkey/options")), &csrf).await;
        assert_eq!(
            public_key["allowCredentials"].as_array().map(Vec::len),
            Some(1)
        );
        let form = [
            ("csrf", csrf),
            ("ceremony", ceremony),
            ("credential", key.assert(&public_key)),
        ];
        let proved = post(&b, &app.url(&format!("{step}/passkey")), &form).await;
        let back = to_client(&app, &b, &proved).await;
        let (amr, _) = amr_and_acr(&app, &rp, &back, &nonce).await;
        assert_eq!(amr, ["pwd", "hwk", "user", "mfa"]);

        // Removed on the security page: it signs nobody in any more.
        let id = page
            .split("/account/security/")
            .nth(1)
            .and_then(|rest| rest.split('/').next())
            .unwrap_or_default()
            .to_owned();
        let form = [("csrf", hidden(&page, "csrf"))];
        let removed = post(
            &account,
            &app.url(&format!("/account/security/{id}/remove")),
            &form,
        )
        .await;
        assert_eq!(location(&removed), "/account/security?done=removed");
        let b = browser();
        let (url, _) = auth_url(&rp, None);
        let sign_in = sign_in_page(&b, &url).await;
        assert_eq!(
            passkey_sign_in(&app, &b, &sign_in, &mut key).await.status(),
            400
        );
    }
}

#[tokio::test]
async fn an_account_can_be_created_with_a_passkey_and_no_password() {
    for backend in backends() {
        let options = Options {
            localhost: true,
            ..Options::default()
        };
        let app = super::spawn(backend, options).await;
        let admin = Admin::new(&app).await;
        let web = set_up(&admin, false).await;
        let rp = client(&app, &web).await;
        let b = browser();
        let (url, nonce) = auth_url(&rp, None);
        let sign_up = sign_in_page(&b, &url)
            .await
            .replace("/sign-in/", "/sign-up/");
        let page = get_text(&b, &app.url(&sign_up)).await;
        let csrf = hidden(&page, "csrf");
        let options = format!("{sign_up}/passkey/options");
        let taken = post(
            &b,
            &app.url(&options),
            &[("csrf", csrf.clone()), ("username", "alice".into())],
        )
        .await;
        assert_eq!(taken.status(), 400, "alice exists");
        let started = post(
            &b,
            &app.url(&options),
            &[("csrf", csrf.clone()), ("username", "carol".into())],
        )
        .await;
        assert_eq!(started.status(), 200);
        let started: Value = started.json().await.unwrap_or_default();
        let mut key = Authenticator::new(&app.address);
        let form = [
            ("csrf", csrf),
            (
                "ceremony",
                started["ceremony"].as_str().unwrap_or_default().to_owned(),
            ),
            ("credential", key.register(&started["publicKey"])),
        ];
        let created = post(&b, &app.url(&format!("{sign_up}/passkey")), &form).await;
        let back = to_client(&app, &b, &created).await;
        let (amr, _) = amr_and_acr(&app, &rp, &back, &nonce).await;
        assert_eq!(amr, ["hwk", "user", "mfa"]);
        let (_, users) = admin.get("/api/users?search=carol").await;
        assert_eq!(users[0]["hasPassword"], false, "{users}");

        // Carol comes back with the key and no username.
        let b = browser();
        let (url, _) = auth_url(&rp, None);
        let sign_in = sign_in_page(&b, &url).await;
        let signed = passkey_sign_in(&app, &b, &sign_in, &mut key).await;
        to_client(&app, &b, &signed).await;
    }
}

#[tokio::test]
async fn one_address_starts_a_bounded_number_of_passkey_ceremonies() {
    for backend in backends() {
        let options = Options {
            localhost: true,
            ..Options::default()
        };
        let app = super::spawn(backend, options).await;
        let admin = Admin::new(&app).await;
        let web = set_up(&admin, false).await;
        let rp = client(&app, &web).await;
        let b = browser();
        let (url, _) = auth_url(&rp, None);
        let sign_in = sign_in_page(&b, &url).await;
        let page = get_text(&b, &app.url(&sign_in)).await;
        let form = [("csrf", hidden(&page, "csrf"))];
        let options = app.url(&format!("{sign_in}/passkey/options"));
        let limit = latchkey_core::throttle::PASSKEY_CEREMONIES_PER_ADDRESS.free;
        for _ in 0..limit {
            assert_eq!(post(&b, &options, &form).await.status(), 200);
        }
        let refused = post(&b, &options, &form).await;
        assert_eq!(refused.status(), 429, "{backend:?}");
        assert!(refused.headers().contains_key("retry-after"));
    }
}
