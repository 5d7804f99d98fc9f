use super::*;

fn client(registration: Registration, approval: Option<Approval>) -> Dynamic {
    Dynamic {
        registration,
        approval,
        policy_ceiling: true,
        fetched_at: Some(1_000),
        fresh_until: Some(2_000),
        authorized_at: None,
    }
}

#[test]
fn defaults_open_documents_and_hold_registrations_for_approval() {
    let policy = Policy::default();
    let cimd = client(Registration::Cimd, None);
    let dcr = client(Registration::Dcr, None);
    assert_eq!(policy.standing(&cimd), Standing::Allowed);
    assert_eq!(policy.standing(&dcr), Standing::Pending);
    let approved = client(Registration::Dcr, Some(Approval::Approved));
    assert_eq!(policy.standing(&approved), Standing::Allowed);
}

#[test]
fn a_block_wins_over_every_mode_and_off_stops_even_approved_clients() {
    let mut policy = Policy::default();
    let blocked = client(Registration::Cimd, Some(Approval::Blocked));
    assert_eq!(policy.standing(&blocked), Standing::Blocked);
    policy.cimd.mode = Mode::Off;
    let approved = client(Registration::Cimd, Some(Approval::Approved));
    assert_eq!(policy.standing(&approved), Standing::Off);
    assert_eq!(policy.standing(&blocked), Standing::Blocked);
    let pending = refusal(Standing::Pending).map(|e| e.code);
    assert_eq!(pending, Some(ErrorCode::AccessDenied));
    let off = refusal(Standing::Off).map(|e| e.code);
    assert_eq!(off, Some(ErrorCode::InvalidClient));
    assert!(refusal(Standing::Allowed).is_none());
}

#[test]
fn only_the_exact_trusted_host_is_verified() {
    let mut policy = Policy::default();
    policy.cimd.trusted_hosts = vec!["claude.ai".into()];
    assert!(policy.is_trusted("https://claude.ai/oauth/mcp-oauth-client-metadata"));
    assert!(policy.is_trusted("https://CLAUDE.ai/x"));
    assert!(!policy.is_trusted("https://evil.claude.ai.example/x"));
    assert!(!policy.is_trusted("https://sub.claude.ai/x"));
    assert!(!policy.is_trusted("not a url"));
}

#[test]
fn a_policy_is_checked_before_it_is_kept() {
    let mut policy = Policy::default();
    policy.cimd.trusted_hosts = vec!["Claude.AI".into()];
    policy.ceiling.user_scopes = vec!["profile".into()];
    let checked = policy.clone().checked().map(|p| p.cimd.trusted_hosts);
    assert_eq!(checked.ok(), Some(vec!["claude.ai".to_owned()]));
    policy.cimd.trusted_hosts = vec!["https://claude.ai".into()];
    assert!(policy.clone().checked().is_err());
    policy.cimd.trusted_hosts = vec![];
    policy.ceiling.user_scopes = vec!["openid".into()];
    assert!(policy.checked().is_err());
}

#[test]
fn the_policy_reads_the_documented_json() {
    let json = r#"{"cimd":{"mode":"approval","trustedHosts":["chatgpt.com"]},
        "dcr":{"mode":"off","initialAccessTokenRequired":true},
        "ceiling":{"userScopes":["email"],"resourceScopes":["s1"]}}"#;
    let policy: Policy = serde_json::from_str(json).unwrap_or_default();
    assert_eq!(policy.cimd.mode, Mode::Approval);
    assert_eq!(policy.dcr.mode, Mode::Off);
    assert!(policy.dcr.initial_access_token_required);
    assert_eq!(policy.ceiling.resource_scopes, ["s1"]);
    let unknown = r#"{"cimd":{"mode":"sometimes"},"dcr":{"mode":"off"},"ceiling":{}}"#;
    assert!(serde_json::from_str::<Policy>(unknown).is_err());
}

#[test]
fn a_stale_copy_serves_until_a_day_after_it_was_read() {
    let cimd = client(Registration::Cimd, None);
    assert!(!cimd.is_stale(1_999));
    assert!(cimd.is_stale(2_000));
    assert!(cimd.may_serve_stale(1_000 + CIMD_KEEP_MAX_SECS * 1000 - 1));
    assert!(!cimd.may_serve_stale(1_000 + CIMD_KEEP_MAX_SECS * 1000));
    assert!(!client(Registration::Dcr, None).is_stale(5_000));
}
