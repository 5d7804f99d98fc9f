use super::*;

fn member(id: &str, roles: &[&str]) -> Membership {
    Membership {
        id: id.into(),
        name: format!("Org {id}"),
        description: None,
        roles: roles.iter().map(|r| (*r).to_owned()).collect(),
    }
}

#[test]
fn every_organization_is_claimed_with_every_role() {
    let memberships = [
        member("o1", &["admin", "viewer"]),
        member("o2", &["viewer"]),
    ];
    let scope = Scopes::from_names(["openid", SCOPE_ORGANIZATIONS, SCOPE_ORGANIZATION_ROLES]);
    let claims = claims(&memberships, &scope);
    assert_eq!(claims["organizations"], json!(["o1", "o2"]));
    assert_eq!(
        claims["organization_roles"],
        json!(["o1:admin", "o1:viewer", "o2:viewer"])
    );
    let only_ids = super::claims(&memberships, &Scopes::from_names([SCOPE_ORGANIZATIONS]));
    assert!(only_ids.get("organization_roles").is_none());
    let none = super::claims(&[], &Scopes::from_names([SCOPE_ORGANIZATIONS]));
    assert_eq!(
        none["organizations"],
        json!([]),
        "an empty list, not no claim"
    );
    assert!(super::claims(&memberships, &Scopes::from_names(["openid"])).is_empty());
    assert_eq!(data_claim(&memberships)[1]["name"], "Org o2");
}

#[test]
fn a_request_names_its_organization_by_parameter_or_by_audience() {
    let api = "https://api.example.com";
    let org = |id: &str, api: Option<&str>| Target {
        organization_id: id.into(),
        api: api.map(str::to_owned),
    };
    assert_eq!(target(Some("o1"), None), Ok(Some(org("o1", None))));
    assert_eq!(
        target(None, Some("urn:logto:organization:o1")),
        Ok(Some(org("o1", None)))
    );
    assert_eq!(
        target(Some("o1"), Some("urn:logto:organization:o1")),
        Ok(Some(org("o1", None)))
    );
    assert_eq!(
        target(Some("o1"), Some(api)),
        Ok(Some(org("o1", Some(api))))
    );
    assert_eq!(target(None, Some(api)), Ok(None));
    assert_eq!(target(None, None), Ok(None));
    for (id, resource, code) in [
        (
            Some("o1"),
            Some("urn:logto:organization:o2"),
            ErrorCode::InvalidTarget,
        ),
        (
            Some("o1"),
            Some(RESERVED_RESOURCE),
            ErrorCode::InvalidTarget,
        ),
        (Some(""), None, ErrorCode::InvalidRequest),
        (
            None,
            Some("urn:logto:organization:"),
            ErrorCode::InvalidRequest,
        ),
    ] {
        assert_eq!(target(id, resource).err().map(|e| e.code), Some(code));
    }
}

#[test]
fn only_a_grant_holding_the_organizations_scope_opens_organization_tokens() {
    assert!(check_granted(&Scopes::from_names(["openid", SCOPE_ORGANIZATIONS])).is_ok());
    let refused = check_granted(&Scopes::from_names(["openid", "offline_access"]));
    assert_eq!(refused.err().map(|e| e.code), Some(ErrorCode::InvalidScope));
}

#[test]
fn an_organization_token_is_for_the_organization() {
    let scope = Scopes::from_names(["read:members"]);
    let claims = access(("u1", "app"), "o1", &scope, "https://id/oidc", 5_500);
    assert_eq!(claims.aud, "urn:logto:organization:o1");
    assert_eq!(claims.organization_id.as_deref(), Some("o1"));
    assert_eq!((claims.iat, claims.exp), (5, 5 + TOKEN_SECS));
    assert_eq!(
        (claims.sub.as_str(), claims.scope.as_str()),
        ("u1", "read:members")
    );
}
