use super::*;
use crate::client::ApplicationType;

const CHALLENGE: &str = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";

fn app(app_type: ApplicationType) -> Application {
    Application {
        dynamic: None,
        id: "client".into(),
        name: "App".into(),
        description: None,
        app_type,
        is_third_party: false,
        redirect_uris: vec!["https://app.example.com/cb".into()],
        post_logout_redirect_uris: vec![],
        cors_allowed_origins: vec![],
        settings: Default::default(),
        created_at: 0,
    }
}

fn run(query: &str, app_type: ApplicationType) -> Result<AuthorizationRequest, AuthorizeError> {
    let params = Params::parse(query.as_bytes()).map_err(AuthorizeError::Untrusted)?;
    let app = app(app_type);
    let redirect_uri = check_client(&params, Some(&app))?;
    parse(&params, &app, redirect_uri)
}

const BASE: &str = "client_id=client&redirect_uri=https%3A%2F%2Fapp.example.com%2Fcb&response_type=code&scope=openid+profile&state=s1";

fn redirected_code(
    result: Result<AuthorizationRequest, AuthorizeError>,
) -> Option<(&'static str, Option<String>)> {
    match result {
        Err(AuthorizeError::Redirect { error, state, .. }) => Some((error.code.as_str(), state)),
        _ => None,
    }
}

#[test]
fn a_valid_request_is_parsed() {
    let request = run(
        &format!(
            "{BASE}&nonce=n&max_age=300&prompt=login&resource=https%3A%2F%2Fapi.example.com&unknown=ignored"
        ),
        ApplicationType::Traditional,
    );
    let request = request.unwrap_or_else(|e| panic!("{e:?}"));
    assert_eq!(request.scope.to_string(), "openid profile");
    assert_eq!(
        (request.nonce.as_deref(), request.max_age),
        (Some("n"), Some(300))
    );
    assert!(request.prompt.login);
    assert_eq!(request.resources, ["https://api.example.com"]);
    assert_eq!(request.response_mode, ResponseMode::Query);
}

#[test]
fn client_and_redirect_errors_never_redirect() {
    for query in [
        "redirect_uri=https%3A%2F%2Fapp.example.com%2Fcb&response_type=code&scope=openid",
        "client_id=other&redirect_uri=https%3A%2F%2Fapp.example.com%2Fcb&response_type=code&scope=openid",
        "client_id=client&response_type=code&scope=openid",
        "client_id=client&redirect_uri=https%3A%2F%2Fevil.example.com%2Fcb&response_type=code&scope=openid",
        "client_id=client&redirect_uri=https%3A%2F%2Fapp.example.com%2Fcb%2F&response_type=token",
        "client_id=client&client_id=client&redirect_uri=https%3A%2F%2Fapp.example.com%2Fcb",
    ] {
        assert!(
            matches!(
                run(query, ApplicationType::Traditional),
                Err(AuthorizeError::Untrusted(_))
            ),
            "{query}"
        );
    }
    assert!(matches!(
        run(BASE, ApplicationType::MachineToMachine),
        Err(AuthorizeError::Untrusted(_))
    ));
}

/// RFC 6749: without `openid` the request is plain OAuth 2.0 (an MCP client's), not refused.
#[test]
fn a_request_without_openid_is_plain_oauth() {
    let query = BASE.replace("scope=openid+profile", "scope=offline_access+read%3Adocs");
    let request = run(&query, ApplicationType::Traditional);
    let scope = request.map(|r| r.scope.to_string()).ok();
    assert_eq!(scope.as_deref(), Some("offline_access read:docs"));
    let without_scope = run(
        &BASE.replace("&scope=openid+profile", ""),
        ApplicationType::Traditional,
    );
    assert!(without_scope.is_ok_and(|r| r.scope.is_empty()));
}

#[test]
fn later_errors_go_back_to_the_client_with_state() {
    let cases = [
        ("response_type=token", "unsupported_response_type"),
        ("scope=openid+a%5Cb", "invalid_scope"),
        ("prompt=none+login", "invalid_request"),
        ("prompt=select_account", "invalid_request"),
        ("max_age=-1", "invalid_request"),
        ("code_challenge_method=S256", "invalid_request"),
        (
            "code_challenge=abc&code_challenge_method=S256",
            "invalid_request",
        ),
        (
            "code_challenge=E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM&code_challenge_method=plain",
            "invalid_request",
        ),
        ("resource=not-absolute", "invalid_target"),
        ("request=eyJ", "request_not_supported"),
        ("request_uri=https%3A%2F%2Fx", "request_uri_not_supported"),
        ("response_mode=fragment", "invalid_request"),
    ];
    for (extra, code) in cases {
        let base = BASE
            .replace("&response_type=code", "")
            .replace("&scope=openid+profile", "");
        let defaults: Vec<&str> = ["response_type=code", "scope=openid"]
            .into_iter()
            .filter(|d| !extra.starts_with(d.split('=').next().unwrap_or("")))
            .collect();
        let query = format!("{base}&{}&{extra}", defaults.join("&"));
        assert_eq!(
            redirected_code(run(&query, ApplicationType::Traditional)),
            Some((code, Some("s1".into()))),
            "{query}"
        );
    }
}

#[test]
fn public_clients_must_use_pkce() {
    assert_eq!(
        redirected_code(run(BASE, ApplicationType::Spa)).map(|c| c.0),
        Some("invalid_request")
    );
    let with = format!("{BASE}&code_challenge={CHALLENGE}&code_challenge_method=S256");
    assert_eq!(
        run(&with, ApplicationType::Native)
            .ok()
            .and_then(|r| r.code_challenge)
            .as_deref(),
        Some(CHALLENGE)
    );
    assert!(run(BASE, ApplicationType::Traditional).is_ok_and(|r| r.code_challenge.is_none()));
}

#[test]
fn form_post_is_a_response_mode() {
    let request = run(
        &format!("{BASE}&response_mode=form_post"),
        ApplicationType::Traditional,
    );
    assert_eq!(
        request.map(|r| r.response_mode).ok(),
        Some(ResponseMode::FormPost)
    );
}

#[test]
fn overlong_state_is_refused() {
    let query = format!("{BASE}&nonce={}", "n".repeat(MAX_STATE_LEN + 1));
    assert_eq!(
        redirected_code(run(&query, ApplicationType::Traditional)).map(|c| c.0),
        Some("invalid_request")
    );
}
