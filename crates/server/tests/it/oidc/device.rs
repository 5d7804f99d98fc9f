//! The device authorization grant (RFC 8628): the `openidconnect` crate's device flow polls
//! while a browser types the user code at `/device`, signs in and confirms; and, with a
//! clock the test moves, every answer a poll can get: pending, slow_down, access_denied,
//! expired_token, a second redemption, wrong user codes throttled.

use std::time::Duration;

use openidconnect::core::{CoreClient, CoreDeviceAuthorizationResponse, CoreProviderMetadata};
use openidconnect::{
    ClientId, DeviceAuthorizationUrl, IssuerUrl, OAuth2TokenResponse, Scope, TokenResponse,
};
use serde_json::json;

use crate::oidc::authorization_code::browser;
use crate::support::walk::{Stop, answer, sign_in_if_asked, submit, walk};
use crate::support::{Admin, Backend, TestApp, backends};

/// Type `user_code` at `/device` and follow where it leads.
async fn enter(app: &TestApp, browser: &reqwest::Client, user_code: &str) -> Stop {
    let (_, page) = walk(
        app,
        browser,
        &app.url(&format!("/device?user_code={user_code}")),
    )
    .await
    .page("/device");
    assert!(page.contains(&format!(r#"value="{user_code}""#)), "{page}");
    submit(
        app,
        browser,
        "/device",
        &[("user_code", user_code.to_owned())],
    )
    .await
}

/// Enter the code, sign in as alice if asked, and answer the confirmation page with `decision`.
async fn decide(
    app: &TestApp,
    browser: &reqwest::Client,
    user_code: &str,
    decision: &str,
) -> String {
    let stop = sign_in_if_asked(app, browser, enter(app, browser, user_code).await).await;
    let confirm = stop.page("/consent/");
    assert!(
        confirm.1.contains("Never enter a code someone sent you"),
        "RFC 8628 §5.4: {}",
        confirm.1
    );
    answer(app, browser, confirm, decision)
        .await
        .page("/oidc/auth/resume/")
        .1
}

#[tokio::test]
async fn a_device_signs_in_with_the_openidconnect_crate_while_a_browser_approves() {
    for backend in backends() {
        let app = TestApp::spawn(backend).await;
        let admin = Admin::new(&app).await;
        admin.alice().await;
        let tv = admin.client("TV", "Native").await;
        let issuer = IssuerUrl::new(app.issuer.clone()).unwrap_or_else(|e| panic!("{e}"));
        let metadata = CoreProviderMetadata::discover_async(issuer, &app.http)
            .await
            .unwrap_or_else(|e| panic!("{e:?}"));
        let discovery = app.get_json("/oidc/.well-known/openid-configuration").await;
        let endpoint = discovery["device_authorization_endpoint"]
            .as_str()
            .unwrap_or_default();
        assert_eq!(endpoint, format!("{}/device/auth", app.issuer));
        let grants = discovery["grant_types_supported"].to_string();
        assert!(
            grants.contains("urn:ietf:params:oauth:grant-type:device_code"),
            "{grants}"
        );
        let client =
            CoreClient::from_provider_metadata(metadata, ClientId::new(tv.id.clone()), None)
                .set_device_authorization_url(
                    DeviceAuthorizationUrl::new(endpoint.to_owned())
                        .unwrap_or_else(|e| panic!("{e}")),
                );
        let details: CoreDeviceAuthorizationResponse = client
            .exchange_device_code()
            .add_scope(Scope::new("offline_access".into()))
            .request_async(&app.http)
            .await
            .unwrap_or_else(|e| panic!("{e:?}"));
        let shown = details.user_code().secret().clone();
        assert_eq!((shown.len(), &shown[4..5]), (9, "-"), "{shown}");
        assert_eq!(details.verification_uri().as_str(), app.url("/device"),);
        assert_eq!(details.interval(), Duration::from_secs(5));

        // The device polls (really sleeping its interval) while the browser approves.
        let polling = {
            let (client, http) = (client.clone(), app.http.clone());
            tokio::spawn(async move {
                client
                    .exchange_device_access_token(&details)
                    .unwrap_or_else(|e| panic!("{e:?}"))
                    .request_async(&http, tokio::time::sleep, Some(Duration::from_secs(60)))
                    .await
            })
        };
        let browser = browser();
        // Typed as a person might: lower case, without the dash.
        let typed = shown.to_lowercase().replace('-', "");
        let done = decide(&app, &browser, &typed, "authorize").await;
        assert!(done.contains("Device connected"), "{done}");
        let tokens = polling.await.unwrap_or_else(|e| panic!("{e}"));
        let tokens = tokens.unwrap_or_else(|e| panic!("{e:?}"));
        assert!(tokens.refresh_token().is_some());
        let id_token = tokens.id_token().unwrap_or_else(|| panic!("no ID token"));
        let verifier = client.id_token_verifier();
        let claims = id_token
            .claims(&verifier, |_: Option<&openidconnect::Nonce>| Ok(()))
            .unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(claims.audiences()[0].as_str(), tv.id);
        // The code is spent: the same user code is no longer accepted.
        let again = submit_code(&app, &browser, &typed).await;
        assert!(
            again.contains("This code is not valid or has expired"),
            "{again}"
        );
    }
}

/// Post a code at `/device` and return the page (which must not redirect).
async fn submit_code(app: &TestApp, browser: &reqwest::Client, code: &str) -> String {
    let sent = browser
        .post(app.url("/device"))
        .form(&[("user_code", code)])
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    sent.text().await.unwrap_or_default()
}

/// A device authorization for `client_id`: (device_code, user_code).
async fn ask(app: &TestApp, client_id: &str, scope: &str) -> (String, String) {
    let form = [("client_id", client_id), ("scope", scope)];
    let (status, body) = app.post_form("/oidc/device/auth", &form, None).await;
    assert_eq!(status, 200, "{body}");
    let text = |name: &str| body[name].as_str().unwrap_or_default().to_owned();
    (text("device_code"), text("user_code"))
}

async fn poll(app: &TestApp, client_id: &str, device_code: &str) -> (u16, serde_json::Value) {
    let form = [
        ("grant_type", "urn:ietf:params:oauth:grant-type:device_code"),
        ("client_id", client_id),
        ("device_code", device_code),
    ];
    app.post_form("/oidc/token", &form, None).await
}

#[tokio::test]
async fn every_poll_answer_follows_rfc_8628() {
    for backend in backends() {
        poll_answers(backend).await;
    }
}

async fn poll_answers(backend: Backend) {
    let app = TestApp::spawn_with_fixed_clock(backend).await;
    let admin = Admin::new(&app).await;
    admin.alice().await;
    let tv = admin.client("TV", "Native").await;
    let (device_code, user_code) = ask(&app, &tv.id, "openid").await;

    let error = |code: &str| {
        let (app, id, code) = (&app, tv.id.clone(), code.to_owned());
        async move { poll(app, &id, &code).await.1["error"].clone() }
    };
    assert_eq!(error(&device_code).await, "authorization_pending");
    // Faster than the interval: slow down, and the interval grows by five seconds for this
    // and every later poll.
    app.state.clock.advance(2_000);
    assert_eq!(error(&device_code).await, "slow_down");
    app.state.clock.advance(5_000);
    assert_eq!(error(&device_code).await, "slow_down", "10 s now");
    app.state.clock.advance(15_000);
    assert_eq!(error(&device_code).await, "authorization_pending");
    app.state.clock.advance(10_000);
    assert_eq!(error(&device_code).await, "slow_down", "15 s now");

    // Cancel on the confirmation page: access_denied.
    let browser = browser();
    let done = decide(&app, &browser, &user_code, "cancel").await;
    assert!(done.contains("Device not connected"), "{done}");
    app.state.clock.advance(20_000);
    assert_eq!(
        poll(&app, &tv.id, &device_code).await.1["error"],
        "access_denied"
    );

    // Approved, redeemed once; the second redemption is refused.
    let (device_code, user_code) = ask(&app, &tv.id, "openid").await;
    let done = decide(&app, &browser, &user_code, "authorize").await;
    assert!(done.contains("Device connected"), "{done}");
    let (status, tokens) = poll(&app, &tv.id, &device_code).await;
    assert_eq!(status, 200, "{tokens}");
    assert!(
        tokens["id_token"].is_string() && tokens["refresh_token"].is_null(),
        "{tokens}"
    );
    app.state.clock.advance(5_000);
    assert_eq!(
        poll(&app, &tv.id, &device_code).await.1["error"],
        "invalid_grant"
    );
    // Another client cannot poll with it.
    let other = admin.client("Other", "Native").await;
    assert_eq!(
        poll(&app, &other.id, &device_code).await.1["error"],
        "invalid_grant"
    );

    // Ten minutes without a decision: expired.
    let (device_code, _) = ask(&app, &tv.id, "openid").await;
    app.state.clock.advance(600_000);
    assert_eq!(
        poll(&app, &tv.id, &device_code).await.1["error"],
        "expired_token"
    );
    let (_, audit) = admin.get("/api/audit-logs?action=device.expire").await;
    assert_eq!(audit.as_array().map(Vec::len), Some(1), "{audit}");

    // Approved after the code expired (the page was left open): nothing is recorded, and the
    // user reads that the device could not be connected.
    let (device_code, user_code) = ask(&app, &tv.id, "openid").await;
    let stop = sign_in_if_asked(&app, &browser, enter(&app, &browser, &user_code).await).await;
    let confirm = stop.page("/consent/");
    app.state.clock.advance(601_000);
    let (path, html) = confirm;
    let form = [
        (
            "csrf",
            crate::oidc::authorization_code::hidden(&html, "csrf"),
        ),
        (
            "user",
            crate::oidc::authorization_code::hidden(&html, "user"),
        ),
        ("decision", "authorize".to_owned()),
    ];
    match submit(&app, &browser, &path, &form).await {
        Stop::Status(400, page) => assert!(page.contains("could not be connected"), "{page}"),
        other => panic!("expected the failure page, got {other:?}"),
    }
    let late = poll(&app, &tv.id, &device_code).await.1["error"].clone();
    assert_eq!(late, "expired_token");
    let (_, grants) = admin.get("/api/users?search=alice").await;
    let alice = grants[0]["id"].as_str().unwrap_or_default();
    let (_, grants) = admin.get(&format!("/api/users/{alice}/grants")).await;
    let approved = grants.as_array().map(Vec::len);
    assert_eq!(approved, Some(1), "only the earlier approval: {grants}");
}

#[tokio::test]
async fn only_applications_allowed_the_device_flow_may_ask_and_scopes_are_checked_first() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let admin = Admin::new(&app).await;
    let web = admin.client("Web", "Traditional").await;
    let form = [
        ("client_id", web.id.as_str()),
        ("client_secret", web.secret.as_str()),
    ];
    let (status, body) = app.post_form("/oidc/device/auth", &form, None).await;
    assert_eq!(
        (status, &body["error"]),
        (400, &json!("unauthorized_client")),
        "{body}"
    );
    // Turned on for the web app (a server-side helper with its secret), it may.
    let on = json!({"customClientMetadata": {"deviceFlow": true}});
    let (status, _) = admin
        .patch(&format!("/api/applications/{}", web.id), on)
        .await;
    assert_eq!(status, 200);
    let (status, body) = app.post_form("/oidc/device/auth", &form, None).await;
    assert_eq!(status, 200, "{body}");
    // Without its secret, never.
    let (status, _) = app.post_form("/oidc/device/auth", &form[..1], None).await;
    assert_eq!(status, 401);
    // A scope of an API that does not exist fails before anyone types a code.
    let tv = admin.client("TV", "Native").await;
    let form = [
        ("client_id", tv.id.as_str()),
        ("resource", "https://nowhere.example.com"),
    ];
    let (status, body) = app.post_form("/oidc/device/auth", &form, None).await;
    assert_eq!(
        (status, &body["error"]),
        (400, &json!("invalid_target")),
        "{body}"
    );
    // Machine-to-machine applications cannot have it.
    let robot = json!({"name": "Robot", "type": "MachineToMachine",
        "customClientMetadata": {"deviceFlow": true}});
    let (status, body) = admin.post("/api/applications", robot).await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(body["field"], "customClientMetadata.deviceFlow");
}

#[tokio::test]
async fn wrong_user_codes_are_counted_against_the_address() {
    for backend in backends() {
        wrong_codes(backend).await;
    }
}

async fn wrong_codes(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let browser = browser();
    for _ in 0..10 {
        let page = submit_code(&app, &browser, "BCDF-GHJK").await;
        assert!(
            page.contains("This code is not valid or has expired"),
            "{page}"
        );
    }
    let page = submit_code(&app, &browser, "BCDF-GHJK").await;
    assert!(page.contains("Too many attempts"), "{page}");
    let page = submit_code(&app, &browser, "not a code").await;
    assert!(page.contains("Too many attempts"), "{page}");
}

#[tokio::test]
async fn a_third_party_device_app_gets_its_consent_page_at_device() {
    for backend in backends() {
        let app = TestApp::spawn(backend).await;
        let admin = Admin::new(&app).await;
        admin.alice().await;
        let partner = json!({"name": "Partner TV", "type": "Native", "isThirdParty": true,
            "oidcClientMetadata": {"redirectUris": ["com.partner.tv:/callback"]}});
        let (status, partner) = admin.post("/api/applications", partner).await;
        assert_eq!(status, 201, "{partner}");
        let id = partner["id"].as_str().unwrap_or_default();
        let ceiling = json!({"userScopes": ["profile"]});
        let path = format!("/api/applications/{id}/user-consent-scopes");
        assert_eq!(admin.post(&path, ceiling).await.0, 201);
        // Outside the ceiling: refused before a code is handed out.
        let form = [("client_id", id), ("scope", "openid email")];
        let (status, body) = app.post_form("/oidc/device/auth", &form, None).await;
        assert_eq!(
            (status, &body["error"]),
            (400, &json!("invalid_scope")),
            "{body}"
        );

        let (device_code, user_code) = ask(&app, id, "openid profile").await;
        let browser = browser();
        let stop = sign_in_if_asked(&app, &browser, enter(&app, &browser, &user_code).await).await;
        let consent = stop.page("/consent/");
        assert!(
            consent.1.contains("Allow access") && consent.1.contains("Never enter a code"),
            "{}",
            consent.1
        );
        let done = answer(&app, &browser, consent, "authorize").await;
        assert!(
            done.page("/oidc/auth/resume/")
                .1
                .contains("Device connected")
        );
        let (status, tokens) = poll(&app, id, &device_code).await;
        assert_eq!(status, 200, "{tokens}");
        assert_eq!(tokens["scope"], "openid profile");
        let (_, grants) = admin.get("/api/users?search=alice").await;
        let alice = grants[0]["id"].as_str().unwrap_or_default();
        let (_, grants) = admin.get(&format!("/api/users/{alice}/grants")).await;
        assert_eq!(grants.as_array().map(Vec::len), Some(1), "{grants}");
    }
}

#[tokio::test]
async fn a_self_registered_agent_uses_the_device_grant_when_the_policy_allows_it() {
    use crate::agents::{MCP, put_policy, setup};
    let app = TestApp::spawn(Backend::Sqlite).await;
    let admin = Admin::new(&app).await;
    setup(&admin).await;
    let mut policy = admin.get("/api/configs/dynamic-clients").await.1;
    assert_eq!(policy["deviceFlow"], false, "off by default: {policy}");
    policy["dcr"] = json!({"mode": "open"});
    put_policy(&admin, policy.clone()).await;
    let register = |grant_types: serde_json::Value| {
        let body = json!({"client_name": "Server agent", "token_endpoint_auth_method": "none",
            "redirect_uris": ["http://localhost:8787/callback"], "grant_types": grant_types});
        let request = app.http.post(app.url("/oidc/reg")).json(&body);
        async move {
            let response = request.send().await.unwrap_or_else(|e| panic!("{e}"));
            assert_eq!(response.status(), 201);
            let body: serde_json::Value = response.json().await.unwrap_or_default();
            body
        }
    };
    let device_grant = "urn:ietf:params:oauth:grant-type:device_code";
    let agent = register(json!(["authorization_code", device_grant])).await;
    assert_eq!(
        agent["grant_types"],
        json!(["authorization_code", device_grant])
    );
    let agent = agent["client_id"].as_str().unwrap_or_default().to_owned();
    let plain = register(json!(["authorization_code"])).await;
    let plain = plain["client_id"].as_str().unwrap_or_default().to_owned();
    let form = |id: &str| {
        let fields = [
            ("client_id", id.to_owned()),
            ("scope", "mcp:tools".to_owned()),
            ("resource", MCP.to_owned()),
        ];
        let request = app.http.post(app.url("/oidc/device/auth")).form(&fields);
        async move {
            let response = request.send().await.unwrap_or_else(|e| panic!("{e}"));
            let status = response.status().as_u16();
            (
                status,
                response
                    .json::<serde_json::Value>()
                    .await
                    .unwrap_or_default(),
            )
        }
    };
    let (status, body) = form(&agent).await;
    assert_eq!(
        (status, &body["error"]),
        (400, &json!("unauthorized_client")),
        "{body}"
    );
    policy["deviceFlow"] = json!(true);
    put_policy(&admin, policy).await;
    let (status, body) = form(&plain).await;
    assert_eq!(
        (status, &body["error"]),
        (400, &json!("unauthorized_client")),
        "{body}"
    );
    let (status, body) = form(&agent).await;
    assert_eq!(status, 200, "{body}");
    let text = |name: &str| body[name].as_str().unwrap_or_default().to_owned();
    let (device_code, user_code) = (text("device_code"), text("user_code"));

    let browser = browser();
    let stop = sign_in_if_asked(&app, &browser, enter(&app, &browser, &user_code).await).await;
    let consent = stop.page("/consent/");
    assert!(consent.1.contains("Unverified"), "{}", consent.1);
    let done = answer(&app, &browser, consent, "authorize").await;
    assert!(
        done.page("/oidc/auth/resume/")
            .1
            .contains("Device connected")
    );
    let (status, tokens) = poll(&app, &agent, &device_code).await;
    assert_eq!(status, 200, "{tokens}");
    let claims = crate::support::verify_access_token(
        &app,
        tokens["access_token"].as_str().unwrap_or_default(),
        MCP,
    )
    .await;
    assert_eq!(claims["scope"], "mcp:tools");
}

#[tokio::test]
async fn an_address_asks_for_at_most_thirty_device_codes_before_waiting() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let admin = Admin::new(&app).await;
    let tv = admin.client("TV", "Native").await;
    for _ in 0..30 {
        ask(&app, &tv.id, "openid").await;
    }
    let form = [("client_id", tv.id.as_str()), ("scope", "openid")];
    let response = app
        .http
        .post(app.url("/oidc/device/auth"))
        .form(&form)
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(response.status(), 429);
    assert!(response.headers().contains_key("retry-after"));
}
