use super::*;
use crate::client::{ApplicationType, TokenSettings};

fn params(body: &str) -> Params {
    Params::parse(body.as_bytes()).unwrap_or_else(|e| panic!("{e:?}"))
}

const TYPE: &str = "subject_token_type=urn%3Aietf%3Aparams%3Aoauth%3Atoken-type%3Aaccess_token";

#[test]
fn a_request_names_one_access_token_and_one_api() {
    let ok = params(&format!(
        "subject_token=t&{TYPE}&resource=https%3A%2F%2Fapi.example.com&scope=read"
    ));
    let request = parse(&ok).unwrap_or_else(|e| panic!("{e:?}"));
    assert_eq!(request.resource, "https://api.example.com");
    assert_eq!(request.scope.map(|s| s.to_string()), Some("read".into()));
    for bad in [
        format!("{TYPE}&resource=https%3A%2F%2Fapi.example.com"),
        "subject_token=t&resource=https%3A%2F%2Fapi.example.com".to_owned(),
        format!("subject_token=t&{TYPE}"),
        format!(
            "subject_token=t&{TYPE}&resource=https%3A%2F%2Fa.example&resource=https%3A%2F%2Fb.example"
        ),
        format!("subject_token=t&{TYPE}&resource=https%3A%2F%2Fa.example&actor_token=x"),
        format!(
            "subject_token=t&{TYPE}&resource=https%3A%2F%2Fa.example&requested_token_type=urn%3Aietf%3Aparams%3Aoauth%3Atoken-type%3Aid_token"
        ),
    ] {
        assert_eq!(
            parse(&params(&bad)).map_err(|e| e.code),
            Err(ErrorCode::InvalidRequest),
            "{bad}"
        );
    }
}

#[test]
fn scopes_never_widen() {
    let held = Scopes::parse("read write admin").unwrap_or_else(|e| panic!("{e:?}"));
    let consented = Scopes::parse("read").unwrap_or_else(|e| panic!("{e:?}"));
    let asked = Scopes::parse("read write").unwrap_or_else(|e| panic!("{e:?}"));
    let narrow = |r: Option<&Scopes>, c: Option<&Scopes>| scope(r, &held, c).map(|s| s.to_string());
    assert_eq!(narrow(None, None), Ok("read write admin".into()));
    assert_eq!(narrow(Some(&asked), None), Ok("read write".into()));
    assert_eq!(narrow(Some(&asked), Some(&consented)), Ok("read".into()));
    assert_eq!(narrow(None, Some(&consented)), Ok("read".into()));
    let outside = Scopes::parse("delete").unwrap_or_else(|e| panic!("{e:?}"));
    assert_eq!(
        scope(Some(&outside), &held, None).map_err(|e| e.code),
        Err(ErrorCode::InvalidScope)
    );
    let nothing = Scopes::parse("").unwrap_or_else(|e| panic!("{e:?}"));
    assert_eq!(
        scope(None, &held, Some(&nothing)).map_err(|e| e.code),
        Err(ErrorCode::InvalidScope),
        "consented to nothing on this API"
    );
}

#[test]
fn the_new_token_names_who_acts_nested_and_lives_briefly() {
    let claims = json!({"iss": "https://id.example/oidc", "sub": "alice", "client_id": "agent",
        "exp": 2_000, "act": {"sub": "first-service"}});
    let subject = subject_of_jwt(&claims, "https://id.example/oidc", 1_000_000)
        .unwrap_or_else(|e| panic!("{e:?}"));
    assert_eq!(
        subject_of_jwt(&claims, "https://other.example/oidc", 1_000_000)
            .map(|_| ())
            .map_err(|e| e.code),
        Err(ErrorCode::InvalidGrant)
    );
    assert!(
        subject_of_jwt(&claims, "https://id.example/oidc", 2_000_000).is_err(),
        "expired"
    );
    let machine = json!({"iss": "https://id.example/oidc", "sub": "robot", "client_id": "robot", "exp": 2_000});
    assert!(
        subject_of_jwt(&machine, "https://id.example/oidc", 1_000_000).is_err(),
        "no user"
    );
    let app = Application {
        id: "mcp-server".into(),
        name: "MCP server".into(),
        description: None,
        app_type: ApplicationType::Traditional,
        is_third_party: false,
        redirect_uris: vec![],
        post_logout_redirect_uris: vec![],
        cors_allowed_origins: vec![],
        settings: TokenSettings::default(),
        created_at: 0,
        dynamic: None,
    };
    let mut api = Resource {
        id: "r".into(),
        name: "Calendar".into(),
        indicator: "https://calendar.example.com".into(),
        access_token_ttl: 3600,
        is_management: false,
        created_at: 0,
    };
    let read = Scopes::parse("read").unwrap_or_else(|e| panic!("{e:?}"));
    let made = claims_for(&app, &subject, &api, &read);
    let made = made.unwrap_or_else(|e| panic!("{e:?}"));
    assert_eq!(
        made.act,
        Some(json!({"sub": "mcp-server", "act": {"sub": "first-service"}}))
    );
    assert_eq!(
        (made.sub.as_str(), made.exp - made.iat),
        ("alice", EXCHANGED_TOKEN_SECS)
    );
    assert_eq!(made.subject_client_id.as_deref(), Some("agent"));
    // Exchanged again: still bounded by the agent's consent.
    let again = serde_json::to_value(&made).unwrap_or_default();
    let again = subject_of_jwt(&again, "https://id.example/oidc", 1_000_000);
    assert_eq!(
        again.map(|s| s.consented_client_id).ok().as_deref(),
        Some("agent")
    );
    // A subject about to expire: the new token ends with it.
    let mut ending = subject.clone();
    ending.expires_at = 1_000_000 + 60_000;
    let short = claims_for(&app, &ending, &api, &read).unwrap_or_else(|e| panic!("{e:?}"));
    assert_eq!(short.exp - short.iat, 60);
    api.is_management = true;
    assert_eq!(
        claims_for(&app, &subject, &api, &read).map_err(|e| e.code),
        Err(ErrorCode::InvalidTarget)
    );
}

fn claims_for(
    app: &Application,
    subject: &Subject,
    api: &Resource,
    scope: &Scopes,
) -> Result<AccessTokenClaims, OAuthError> {
    claims(
        app,
        subject,
        (api, scope),
        "https://id.example/oidc",
        1_000_000,
    )
}
