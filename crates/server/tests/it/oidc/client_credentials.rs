//! `grant_type=client_credentials` (RFC 6749 §4.4, RFC 8707, RFC 9068) and the token
//! endpoint's errors (RFC 6749 §5.2).

use latchkey_core::client::{Application, ApplicationType, ClientSecret};

use crate::support::{Backend, Options, TestApp, backends, verify_access_token};

fn application(app_type: ApplicationType) -> Application {
    Application {
        dynamic: None,
        id: latchkey_core::random::id(),
        name: "Test app".into(),
        description: None,
        app_type,
        is_third_party: false,
        redirect_uris: vec!["https://app.example.com/callback".into()],
        post_logout_redirect_uris: vec![],
        cors_allowed_origins: vec![],
        settings: Default::default(),
        created_at: 0,
    }
}

/// An application with one secret (expiring at `expires_at`, when given) and `roles`.
async fn create(
    app: &TestApp,
    app_type: ApplicationType,
    expires_at: Option<i64>,
    roles: &[&str],
) -> (String, String) {
    let application = application(app_type);
    let (value, secret) = ClientSecret::generate("Default secret", 0, expires_at);
    app.state
        .db
        .insert_application(&application, &[secret], roles)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    (application.id, value)
}

async fn error_of(response: reqwest::Response) -> (u16, String) {
    let status = response.status().as_u16();
    assert_eq!(response.headers()["cache-control"], "no-store");
    let body: serde_json::Value = response.json().await.unwrap_or_default();
    assert!(body["error_description"].is_string());
    (
        status,
        body["error"].as_str().unwrap_or_default().to_owned(),
    )
}

#[tokio::test]
async fn token_responses_are_never_cached_and_echo_the_granted_scope() {
    for backend in backends() {
        let app = TestApp::spawn(backend).await;
        let c = app.bootstrap().await;
        let form = [
            ("grant_type", "client_credentials"),
            ("resource", c.resource.as_str()),
        ];
        let response = app
            .token(&form, Some((&c.client_id, &c.client_secret)))
            .await;
        assert_eq!(response.status(), 200);
        assert_eq!(response.headers()["cache-control"], "no-store");
        let body: serde_json::Value = response.json().await.unwrap_or_default();
        assert_eq!(body["token_type"], "Bearer");
        assert_eq!(
            body["scope"], "all",
            "without a scope parameter the client gets what it is allowed"
        );
        let claims = verify_access_token(
            &app,
            body["access_token"].as_str().unwrap_or_default(),
            &c.resource,
        )
        .await;
        assert_eq!(claims["iss"], app.issuer.as_str());
    }
}

#[tokio::test]
async fn failed_client_authentication_is_401_invalid_client_with_a_challenge() {
    for backend in backends() {
        let app = TestApp::spawn(backend).await;
        let c = app.bootstrap().await;
        let (expired_id, expired_secret) = create(
            &app,
            ApplicationType::MachineToMachine,
            Some(1),
            &[latchkey_core::resource::MANAGEMENT_ROLE_ID],
        )
        .await;
        let form = [
            ("grant_type", "client_credentials"),
            ("resource", c.resource.as_str()),
        ];
        for (id, secret) in [
            (c.client_id.as_str(), "wrong-secret"),
            ("no-such-client", c.client_secret.as_str()),
            (expired_id.as_str(), expired_secret.as_str()),
        ] {
            let response = app.token(&form, Some((id, secret))).await;
            assert!(
                response.headers()["www-authenticate"]
                    .to_str()
                    .unwrap_or("")
                    .starts_with("Basic")
            );
            assert_eq!(
                error_of(response).await,
                (401, "invalid_client".into()),
                "{id}"
            );
        }
        let post = [
            ("grant_type", "client_credentials"),
            ("client_id", c.client_id.as_str()),
            ("client_secret", "nope"),
        ];
        assert_eq!(
            error_of(app.token(&post, None).await).await,
            (401, "invalid_client".into())
        );
        let anonymous = [("grant_type", "client_credentials")];
        assert_eq!(
            error_of(app.token(&anonymous, None).await).await,
            (401, "invalid_client".into())
        );
    }
}

#[tokio::test]
async fn malformed_requests_are_invalid_request() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let c = app.bootstrap().await;
    let basic = Some((c.client_id.as_str(), c.client_secret.as_str()));
    let both = [
        ("grant_type", "client_credentials"),
        ("client_secret", c.client_secret.as_str()),
    ];
    assert_eq!(
        error_of(app.token(&both, basic).await).await,
        (400, "invalid_request".into())
    );
    let missing = [("resource", c.resource.as_str())];
    assert_eq!(
        error_of(app.token(&missing, basic).await).await,
        (400, "invalid_request".into())
    );
    let repeated = [
        ("grant_type", "client_credentials"),
        ("grant_type", "client_credentials"),
    ];
    assert_eq!(
        error_of(app.token(&repeated, basic).await).await,
        (400, "invalid_request".into())
    );

    let json = app
        .http
        .post(app.url("/oidc/token"))
        .basic_auth(&c.client_id, Some(&c.client_secret))
        .json(&serde_json::json!({"grant_type": "client_credentials"}))
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(error_of(json).await, (400, "invalid_request".into()));

    let garbage = app
        .http
        .post(app.url("/oidc/token"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(vec![0xff, 0xfe, b'=', 0x00, b'%', b'Z'])
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(error_of(garbage).await.0, 400);
}

#[tokio::test]
async fn unknown_and_unavailable_grants_are_unsupported() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let c = app.bootstrap().await;
    let basic = Some((c.client_id.as_str(), c.client_secret.as_str()));
    for grant in [
        "password",
        "implicit",
        "urn:ietf:params:oauth:grant-type:saml2-bearer",
    ] {
        let form = [("grant_type", grant), ("resource", c.resource.as_str())];
        assert_eq!(
            error_of(app.token(&form, basic).await).await,
            (400, "unsupported_grant_type".into()),
            "{grant}"
        );
    }
    // Known, but not for a machine-to-machine application.
    let form = [
        ("grant_type", "urn:ietf:params:oauth:grant-type:device_code"),
        ("device_code", "x"),
    ];
    assert_eq!(
        error_of(app.token(&form, basic).await).await,
        (400, "unauthorized_client".into())
    );
}

#[tokio::test]
async fn machines_may_not_use_the_grants_of_apps_that_sign_users_in() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let c = app.bootstrap().await;
    let basic = Some((c.client_id.as_str(), c.client_secret.as_str()));
    for grant in ["authorization_code", "refresh_token"] {
        let form = [("grant_type", grant), ("code", "x"), ("refresh_token", "x")];
        assert_eq!(
            error_of(app.token(&form, basic).await).await,
            (400, "unauthorized_client".into()),
            "{grant}"
        );
    }
}

#[tokio::test]
async fn resources_must_be_known_single_and_absolute() {
    for backend in backends() {
        let app = TestApp::spawn(backend).await;
        let c = app.bootstrap().await;
        let basic = Some((c.client_id.as_str(), c.client_secret.as_str()));
        for form in [
            vec![("grant_type", "client_credentials")],
            vec![
                ("grant_type", "client_credentials"),
                ("resource", "https://unknown.example.com/api"),
            ],
            vec![
                ("grant_type", "client_credentials"),
                ("resource", "not-a-uri"),
            ],
            vec![
                ("grant_type", "client_credentials"),
                ("resource", c.resource.as_str()),
                ("resource", "https://b.example"),
            ],
        ] {
            assert_eq!(
                error_of(app.token(&form, basic).await).await,
                (400, "invalid_target".into()),
                "{form:?}"
            );
        }
    }
}

#[tokio::test]
async fn scopes_must_exist_and_be_allowed() {
    for backend in backends() {
        let app = TestApp::spawn(backend).await;
        let c = app.bootstrap().await;
        let unknown = [
            ("grant_type", "client_credentials"),
            ("resource", c.resource.as_str()),
            ("scope", "all delete"),
        ];
        let basic = Some((c.client_id.as_str(), c.client_secret.as_str()));
        assert_eq!(
            error_of(app.token(&unknown, basic).await).await,
            (400, "invalid_scope".into())
        );
        let malformed = [
            ("grant_type", "client_credentials"),
            ("resource", c.resource.as_str()),
            ("scope", "a\"b"),
        ];
        assert_eq!(
            error_of(app.token(&malformed, basic).await).await,
            (400, "invalid_scope".into())
        );

        let (id, secret) = create(&app, ApplicationType::MachineToMachine, None, &[]).await;
        let all = [
            ("grant_type", "client_credentials"),
            ("resource", c.resource.as_str()),
            ("scope", "all"),
        ];
        let response = app.token(&all, Some((&id, &secret))).await;
        assert_eq!(
            error_of(response).await,
            (400, "invalid_scope".into()),
            "a machine without the role gets nothing"
        );
    }
}

#[tokio::test]
async fn only_machine_to_machine_apps_may_use_client_credentials() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let c = app.bootstrap().await;
    let (id, secret) = create(&app, ApplicationType::Traditional, None, &[]).await;
    // Answered before anything the grant would check: with a resource, without one, with
    // an unknown one or an unknown scope.
    for form in [
        vec![("resource", c.resource.as_str())],
        vec![],
        vec![("resource", "https://unknown.example.com")],
        vec![("resource", c.resource.as_str()), ("scope", "nope")],
    ] {
        let form = [vec![("grant_type", "client_credentials")], form].concat();
        assert_eq!(
            error_of(app.token(&form, Some((&id, &secret))).await).await,
            (400, "unauthorized_client".into()),
            "{form:?}"
        );
    }
}

#[tokio::test]
async fn access_tokens_can_be_signed_with_rs256() {
    let options = Options {
        access_token_alg: latchkey_core::jwt::Algorithm::RS256,
        ..Options::default()
    };
    let app = TestApp::spawn_with(Backend::Sqlite, options)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let c = app.bootstrap().await;
    let form = [
        ("grant_type", "client_credentials"),
        ("resource", c.resource.as_str()),
    ];
    let body: serde_json::Value = app
        .token(&form, Some((&c.client_id, &c.client_secret)))
        .await
        .json()
        .await
        .unwrap_or_default();
    let token = body["access_token"].as_str().unwrap_or_default();
    let header = jsonwebtoken::decode_header(token).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(header.alg, jsonwebtoken::Algorithm::RS256);
    verify_access_token(&app, token, &c.resource).await;
}

#[tokio::test]
async fn a_secret_records_when_it_was_last_used() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let c = app.bootstrap().await;
    let form = [
        ("grant_type", "client_credentials"),
        ("resource", c.resource.as_str()),
    ];
    assert_eq!(
        app.token(&form, Some((&c.client_id, &c.client_secret)))
            .await
            .status(),
        200
    );
    // Recorded in the background, so that the request never waits for it.
    let mut recorded = false;
    for _ in 0..100 {
        let secrets = app
            .state
            .db
            .find_secrets(&c.client_id)
            .await
            .unwrap_or_default();
        recorded = secrets[0].last_used_at.is_some();
        if recorded {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    assert!(recorded, "the secret's last use is recorded");
}
