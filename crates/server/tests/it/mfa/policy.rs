//! When a second factor is asked of a user who signed in with a password only: an application's
//! `requireMfa`, a request's `acr_values`, `LATCHKEY_MFA=required`; an unenrolled user enrolls
//! an authenticator app on the way. And an administrator's removal of a lost factor.

use latchkey_core::mfa::Policy;
use latchkey_core::totp;

use super::{
    account_browser, amr_and_acr, auth_url, client, codes_in, enrol_totp, get_text, give_password,
    location, password_step, post, redirect_of, set_up, spawn,
};
use crate::oidc::authorization_code::{browser, hidden, sign_in};
use crate::support::{Admin, Options, TestApp, backends};

/// Enroll on the second step the walk reached (`path`): the codes page, then the client.
async fn enrol_on_the_way(app: &TestApp, b: &reqwest::Client, path: &str) -> url::Url {
    let page = get_text(b, &app.url(path)).await;
    assert!(page.contains("<svg"), "a QR code drawn by the server");
    let secret = hidden(&page, "secret");
    let key = totp::decode_base32(&secret).unwrap_or_default();
    let form = [
        ("csrf", hidden(&page, "csrf")),
        ("secret", secret),
        ("code", totp::code_at(&key, app.state.clock.now_ms())),
    ];
    let shown = post(b, &app.url(&format!("{path}/totp")), &form).await;
    assert_eq!(shown.status(), 200);
    let page = shown.text().await.unwrap_or_default();
    assert_eq!(codes_in(&page).len(), 10);
    let next = page
        .split("class=\"button\" href=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .unwrap_or_default()
        .to_owned();
    match crate::support::walk::walk(app, b, &app.url(&next)).await {
        crate::support::walk::Stop::Client(url) => url,
        other => panic!("expected the client, got {other:?}"),
    }
}

#[tokio::test]
async fn an_application_that_requires_it_asks_for_a_second_factor_only_there() {
    for backend in backends() {
        let app = TestApp::spawn(backend).await;
        let admin = Admin::new(&app).await;
        let plain = set_up(&admin, false).await;
        let (_, strict) = admin
            .post(
                "/api/applications",
                serde_json::json!({"name": "Payroll", "type": "Traditional",
                "oidcClientMetadata": {"redirectUris": [super::CALLBACK]},
                "customClientMetadata": {"requireMfa": true}}),
            )
            .await;
        assert_eq!(strict["customClientMetadata"]["requireMfa"], true);
        let text = |v: &serde_json::Value| v.as_str().unwrap_or_default().to_owned();
        let strict = (text(&strict["id"]), text(&strict["secret"]));
        let (plain_rp, strict_rp) = (client(&app, &plain).await, client(&app, &strict).await);

        let b = browser();
        let (url, nonce) = auth_url(&plain_rp, None);
        let back = sign_in(&app, &b, &url, "alice", "correct horse battery").await;
        let (amr, acr) = amr_and_acr(&app, &plain_rp, &back, &nonce).await;
        assert_eq!(
            (amr, acr.as_str()),
            (vec!["pwd".to_owned()], "urn:latchkey:acr:1fa")
        );

        // The same session, at the strict application: enroll, then in.
        let (url, nonce) = auth_url(&strict_rp, None);
        let asked = b.get(&url).send().await.unwrap_or_else(|e| panic!("{e}"));
        let step = location(&asked);
        assert!(step.starts_with("/second-factor/"), "{step}");
        let back = enrol_on_the_way(&app, &b, &step).await;
        let (amr, _) = amr_and_acr(&app, &strict_rp, &back, &nonce).await;
        assert_eq!(amr, ["pwd", "otp", "mfa"]);
    }
}

#[tokio::test]
async fn acr_values_ask_for_a_second_factor_and_prompt_none_says_it_is_needed() {
    for backend in backends() {
        let app = TestApp::spawn(backend).await;
        let admin = Admin::new(&app).await;
        let web = set_up(&admin, false).await;
        let rp = client(&app, &web).await;
        let b = browser();
        let (url, _) = auth_url(&rp, None);
        sign_in(&app, &b, &url, "alice", "correct horse battery").await;
        let (url, _) = auth_url(&rp, Some("urn:latchkey:acr:mfa"));
        let silent = format!("{url}&prompt=none");
        let refused = b
            .get(&silent)
            .send()
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        let back = url::Url::parse(&location(&refused)).unwrap_or_else(|e| panic!("{e}"));
        let error = back
            .query_pairs()
            .find(|(k, _)| k == "error")
            .map(|(_, v)| v.into_owned());
        assert_eq!(error.as_deref(), Some("interaction_required"));
        let (url, nonce) = auth_url(&rp, Some("urn:latchkey:acr:mfa"));
        let asked = b.get(&url).send().await.unwrap_or_else(|e| panic!("{e}"));
        let back = enrol_on_the_way(&app, &b, &location(&asked)).await;
        let (_, acr) = amr_and_acr(&app, &rp, &back, &nonce).await;
        assert_eq!(acr, "urn:latchkey:acr:mfa");
    }
}

#[tokio::test]
async fn under_a_required_policy_an_unenrolled_user_enrolls_at_sign_in() {
    for backend in backends() {
        let options = Options {
            mfa: Policy::Required,
            ..Options::default()
        };
        let app = spawn(backend, options).await;
        let admin = Admin::new(&app).await;
        let web = set_up(&admin, false).await;
        let rp = client(&app, &web).await;
        let b = browser();
        let (url, nonce) = auth_url(&rp, None);
        let sign_in_path = redirect_of(&app, &b, &url).await;
        let resume = give_password(&app, &b, &sign_in_path).await;
        let step = redirect_of(&app, &b, &resume).await;
        // The account pages ask for the second factor too.
        let home = b
            .get(app.url("/account"))
            .send()
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        assert!(
            location(&home).starts_with("/second-factor/"),
            "account pages too"
        );
        let back = enrol_on_the_way(&app, &b, &step).await;
        let (amr, _) = amr_and_acr(&app, &rp, &back, &nonce).await;
        assert_eq!(amr, ["pwd", "otp", "mfa"]);
        // From now on the password alone never signs alice in.
        let other = browser();
        let (url, _) = auth_url(&rp, None);
        password_step(&app, &other, &url).await;
    }
}

#[tokio::test]
async fn an_administrator_removes_a_lost_factor_and_the_recovery_codes_go_with_it() {
    for backend in backends() {
        let app = TestApp::spawn(backend).await;
        let admin = Admin::new(&app).await;
        let web = set_up(&admin, false).await;
        let rp = client(&app, &web).await;
        enrol_totp(&app, &account_browser(&app).await).await;
        let (_, users) = admin.get("/api/users?search=alice").await;
        let alice = users[0]["id"].as_str().unwrap_or_default().to_owned();
        let path = format!("/api/users/{alice}/mfa-verifications");
        let (status, listed) = admin.get(&path).await;
        assert_eq!(status, 200);
        let kinds: Vec<_> = listed
            .as_array()
            .map(|l| {
                l.iter()
                    .map(|f| f["type"].as_str().unwrap_or_default().to_owned())
                    .collect()
            })
            .unwrap_or_default();
        assert_eq!(kinds, ["Totp", "BackupCode"]);
        assert_eq!(listed[1]["remainCodes"], 10);
        assert!(!listed.to_string().contains("plain:"), "never a secret");
        let totp_id = listed[0]["id"].as_str().unwrap_or_default().to_owned();
        assert_eq!(admin.delete(&format!("{path}/{totp_id}")).await, 204);
        assert_eq!(admin.delete(&format!("{path}/{totp_id}")).await, 404);
        let (_, left) = admin.get(&path).await;
        assert_eq!(
            left,
            serde_json::json!([]),
            "codes stand in for nothing now"
        );
        let audit = app.state.db.find_recent_audit(20).await.unwrap_or_default();
        assert!(audit.iter().any(|(a, _, _)| a == "user.mfa.remove"));
        // Alice signs in with her password alone again.
        let b = browser();
        let (url, _) = auth_url(&rp, None);
        let back = sign_in(&app, &b, &url, "alice", "correct horse battery").await;
        assert!(back.as_str().starts_with(super::CALLBACK));
    }
}

#[tokio::test]
async fn an_old_session_signs_in_again_before_enrolling_on_the_way() {
    for backend in backends() {
        let options = Options {
            fixed_clock: true,
            ..Options::default()
        };
        let app = spawn(backend, options).await;
        let admin = Admin::new(&app).await;
        let web = set_up(&admin, false).await;
        let rp = client(&app, &web).await;
        let b = browser();
        let (url, _) = auth_url(&rp, None);
        sign_in(&app, &b, &url, "alice", "correct horse battery").await;
        // Eleven minutes on, a stolen cookie must not be enough to enroll someone's app.
        app.state.clock.advance(11 * 60 * 1000);
        let (url, nonce) = auth_url(&rp, Some("urn:latchkey:acr:mfa"));
        let step = redirect_of(&app, &b, &url).await;
        let sign_in_path = redirect_of(&app, &b, &step).await;
        assert!(sign_in_path.starts_with("/sign-in/"), "{sign_in_path}");
        let resume = give_password(&app, &b, &sign_in_path).await;
        let step = redirect_of(&app, &b, &resume).await;
        let back = enrol_on_the_way(&app, &b, &step).await;
        let (amr, _) = amr_and_acr(&app, &rp, &back, &nonce).await;
        assert_eq!(amr, ["pwd", "otp", "mfa"]);
    }
}
