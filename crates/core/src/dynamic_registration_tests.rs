use super::*;

fn parsed(body: Value) -> Result<Request, OAuthError> {
    parse(body.to_string().as_bytes())
}

fn cursor() -> Value {
    json!({
        "client_name": "Cursor",
        "redirect_uris": [
            "cursor://anysphere.cursor-mcp/oauth/callback",
            "https://www.cursor.com/agents/mcp/oauth/callback",
            "http://localhost:8787/callback"
        ],
        "token_endpoint_auth_method": "none",
        "grant_types": ["authorization_code", "refresh_token"],
        "response_types": ["code"]
    })
}

#[test]
fn a_public_agent_with_three_kinds_of_redirect_is_registered_as_a_native_client() {
    let request = parsed(cursor()).unwrap_or_else(|e| panic!("{e:?}"));
    assert!(request.is_public());
    let app = request.application("c1".into(), 5_000);
    assert_eq!(app.app_type, ApplicationType::Native);
    assert!(app.is_third_party);
    assert_eq!(app.redirect_uris.len(), 3);
    assert_eq!(
        app.cors_allowed_origins,
        ["https://www.cursor.com", "http://localhost:8787"]
    );
    let answer = request.response(&app, None);
    assert_eq!(answer["client_id"], "c1");
    assert_eq!(answer["client_id_issued_at"], 5);
    assert_eq!(answer["token_endpoint_auth_method"], "none");
    assert!(answer.get("client_secret").is_none());
}

#[test]
fn the_default_method_is_a_secret_and_a_secret_is_answered_once() {
    let body = json!({"client_name": "Server", "redirect_uris": ["https://s.example/cb"]});
    let request = parsed(body).unwrap_or_else(|e| panic!("{e:?}"));
    assert!(!request.is_public());
    let app = request.application("c2".into(), 0);
    assert_eq!(app.app_type, ApplicationType::Traditional);
    let answer = request.response(&app, Some("s3cret"));
    assert_eq!(answer["client_secret"], "s3cret");
    assert_eq!(answer["client_secret_expires_at"], 0);
}

#[test]
fn each_redirect_uri_is_checked_and_the_refused_one_is_named() {
    let mut body = cursor();
    body["redirect_uris"][1] = json!("http://www.cursor.com/callback");
    let refused = parsed(body).err().unwrap_or_else(|| panic!("accepted"));
    assert_eq!(refused.code, ErrorCode::InvalidRedirectUri);
    assert!(
        refused.description.contains("redirect_uris[1]")
            && refused
                .description
                .contains("http://www.cursor.com/callback"),
        "{}",
        refused.description
    );
    let mut secret = cursor();
    secret["token_endpoint_auth_method"] = json!("client_secret_post");
    let refused = parsed(secret).err().map(|e| e.code);
    assert_eq!(
        refused,
        Some(ErrorCode::InvalidRedirectUri),
        "private schemes are for public clients"
    );
    let none = parsed(json!({"token_endpoint_auth_method": "none"}))
        .err()
        .map(|e| e.code);
    assert_eq!(none, Some(ErrorCode::InvalidRedirectUri));
}

#[test]
fn unsupported_metadata_is_refused_and_unknown_grants_dropped() {
    let mut jwt = cursor();
    jwt["token_endpoint_auth_method"] = json!("private_key_jwt");
    assert_eq!(
        parsed(jwt).err().map(|e| e.code),
        Some(ErrorCode::InvalidClientMetadata)
    );
    let mut machine = cursor();
    machine["grant_types"] = json!(["client_credentials"]);
    assert_eq!(
        parsed(machine).err().map(|e| e.code),
        Some(ErrorCode::InvalidClientMetadata)
    );
    let mut token = cursor();
    token["response_types"] = json!(["token"]);
    assert_eq!(
        parsed(token).err().map(|e| e.code),
        Some(ErrorCode::InvalidClientMetadata)
    );
    let mut extra = cursor();
    extra["grant_types"] = json!([
        "authorization_code",
        "urn:ietf:params:oauth:grant-type:jwt-bearer"
    ]);
    let kept = parsed(extra).map(|r| r.grant_types);
    assert_eq!(kept.ok(), Some(vec!["authorization_code".to_owned()]));
    assert_eq!(
        parse(b"[1, 2]").err().map(|e| e.code),
        Some(ErrorCode::InvalidClientMetadata)
    );
    let mut logo = cursor();
    logo["logo_uri"] = json!("http://insecure.example/logo.png");
    assert_eq!(parsed(logo).ok().and_then(|r| r.logo_uri), None);
}

#[test]
fn the_same_registration_from_the_same_address_digests_the_same() {
    let a = parsed(cursor()).unwrap_or_else(|e| panic!("{e:?}"));
    let mut reordered = cursor();
    reordered["redirect_uris"] = json!([
        "http://localhost:8787/callback",
        "cursor://anysphere.cursor-mcp/oauth/callback",
        "https://www.cursor.com/agents/mcp/oauth/callback"
    ]);
    let b = parsed(reordered).unwrap_or_else(|e| panic!("{e:?}"));
    assert_eq!(a.digest("203.0.113.5"), b.digest("203.0.113.5"));
    assert_ne!(a.digest("203.0.113.5"), a.digest("203.0.113.6"));
    let mut renamed = cursor();
    renamed["client_name"] = json!("Cursor 2");
    let c = parsed(renamed).unwrap_or_else(|e| panic!("{e:?}"));
    assert_ne!(a.digest("203.0.113.5"), c.digest("203.0.113.5"));
}
