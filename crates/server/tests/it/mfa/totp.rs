//! An authenticator app after the password: enrolled on the security page, asked for at every
//! sign-in, each code once, wrong codes throttled; recovery codes once each; the ID token says
//! how the user signed in (`amr`, `acr`) to a real RP library.

use latchkey_core::totp;

use super::{
    account_browser, amr_and_acr, auth_url, client, enrol_totp, password_step, set_up, to_client,
    type_code,
};
use crate::oidc::authorization_code::browser;
use crate::support::{Admin, Options, TestApp, backends};

async fn fixed(backend: crate::support::Backend) -> TestApp {
    let options = Options {
        fixed_clock: true,
        ..Options::default()
    };
    TestApp::spawn_with(backend, options)
        .await
        .unwrap_or_else(|e| panic!("{e:#}"))
}

#[tokio::test]
async fn an_enrolled_app_is_asked_after_the_password_and_each_code_acts_once() {
    for backend in backends() {
        let app = fixed(backend).await;
        let admin = Admin::new(&app).await;
        let web = set_up(&admin, false).await;
        let rp = client(&app, &web).await;
        let (key, codes) = enrol_totp(&app, &account_browser(&app).await).await;
        assert_eq!(codes.len(), 10, "recovery codes shown once");

        let b = browser();
        let (url, nonce) = auth_url(&rp, None);
        let step = password_step(&app, &b, &url).await;
        let wrong = type_code(&app, &b, &step, "000000").await;
        assert_eq!(wrong.status(), 400);
        // The enrolment's own code was spent confirming it.
        let now = app.state.clock.now_ms();
        let reused = type_code(&app, &b, &step, &totp::code_at(&key, now)).await;
        assert_eq!(reused.status(), 400, "a code acts once ({backend:?})");
        app.state.clock.advance(30_000);
        let code = totp::code_at(&key, app.state.clock.now_ms());
        let right = type_code(&app, &b, &step, &code).await;
        let back = to_client(&app, &b, &right).await;
        let (amr, acr) = amr_and_acr(&app, &rp, &back, &nonce).await;
        assert_eq!(amr, ["pwd", "otp", "mfa"]);
        assert_eq!(acr, "urn:latchkey:acr:mfa");

        // The same code in another browser: refused, as a replay.
        let other = browser();
        let (url, _) = auth_url(&rp, None);
        let step = password_step(&app, &other, &url).await;
        assert_eq!(type_code(&app, &other, &step, &code).await.status(), 400);
        // A recovery code (typed loosely) works once.
        let loose = codes[0].to_lowercase().replace('-', " ");
        let rescued = type_code(&app, &other, &step, &loose).await;
        to_client(&app, &other, &rescued).await;
        let third = browser();
        let (url, _) = auth_url(&rp, None);
        let step = password_step(&app, &third, &url).await;
        assert_eq!(
            type_code(&app, &third, &step, &codes[0]).await.status(),
            400
        );
    }
}

#[tokio::test]
async fn wrong_codes_are_throttled_like_passwords() {
    for backend in backends() {
        let app = fixed(backend).await;
        let admin = Admin::new(&app).await;
        let web = set_up(&admin, false).await;
        let rp = client(&app, &web).await;
        let (key, _) = enrol_totp(&app, &account_browser(&app).await).await;
        app.state.clock.advance(30_000);
        let b = browser();
        let (url, _) = auth_url(&rp, None);
        let step = password_step(&app, &b, &url).await;
        for _ in 0..5 {
            assert_eq!(type_code(&app, &b, &step, "123456").await.status(), 400);
        }
        let code = totp::code_at(&key, app.state.clock.now_ms());
        let refused = type_code(&app, &b, &step, &code).await;
        assert_eq!(refused.status(), 429, "even the right code waits");
        let audit = app.state.db.find_recent_audit(50).await.unwrap_or_default();
        let failures = audit
            .iter()
            .filter(|(a, _, _)| a == "sign_in.second_factor_failure")
            .count();
        assert_eq!(failures, 5);
    }
}

#[tokio::test]
async fn guesses_spread_over_many_addresses_are_refused_too() {
    for backend in backends() {
        let options = Options {
            fixed_clock: true,
            trusted_proxies: vec!["127.0.0.1/32".parse().unwrap_or_else(|e| panic!("{e}"))],
            ..Options::default()
        };
        let app = super::spawn(backend, options).await;
        let admin = Admin::new(&app).await;
        let web = set_up(&admin, false).await;
        let rp = client(&app, &web).await;
        let (key, _) = enrol_totp(&app, &account_browser(&app).await).await;
        app.state.clock.advance(30_000);
        for round in 0..11u8 {
            let from = format!("203.0.113.{round}");
            let b = reqwest::Client::builder()
                .cookie_store(true)
                .redirect(reqwest::redirect::Policy::none())
                .default_headers(
                    [(
                        reqwest::header::HeaderName::from_static("x-forwarded-for"),
                        reqwest::header::HeaderValue::from_str(&from)
                            .unwrap_or_else(|e| panic!("{e}")),
                    )]
                    .into_iter()
                    .collect(),
                )
                .build()
                .unwrap_or_else(|e| panic!("{e}"));
            let (url, _) = auth_url(&rp, None);
            let step = password_step(&app, &b, &url).await;
            let code = match round {
                10 => totp::code_at(&key, app.state.clock.now_ms()),
                _ => "123456".to_owned(),
            };
            let status = type_code(&app, &b, &step, &code).await.status();
            let expected = if round < 10 { 400 } else { 429 };
            assert_eq!(status, expected, "round {round} from {from}");
        }
    }
}
