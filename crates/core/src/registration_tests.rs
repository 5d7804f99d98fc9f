//! The registration rules' tests: redirect URIs, origins, names, scopes.

use super::*;
use ApplicationType::*;

#[test]
fn redirect_uris_follow_the_registration_rules() {
    for ok in [
        "https://app.example.com/cb",
        "http://127.0.0.1:8080/cb",
        "http://localhost/cb",
        "http://[::1]/cb",
    ] {
        assert!(
            check_redirect_uri("r", ok, Traditional, false).is_ok(),
            "{ok}"
        );
    }
    assert!(check_redirect_uri("r", "com.example.app:/callback", Native, false).is_ok());
    for bad in [
        "com.example.app:/callback",
        "http://app.example.com/cb",
        "https://app.example.com/cb#frag",
        "https://user:pw@app.example.com/cb",
        "https://*.example.com/cb",
        "javascript:alert(1)",
        "data:text/html,hi",
        "/relative",
        "https://app.example.com/c b",
        "myapp:/cb",
    ] {
        assert!(
            check_redirect_uri("r", bad, Traditional, false).is_err(),
            "{bad}"
        );
    }
    assert!(check_redirect_uri("r", "javascript:alert(1)", Native, false).is_err());
}

#[test]
fn third_party_web_apps_redirect_only_to_https() {
    for loopback in ["http://127.0.0.1:8080/cb", "http://localhost/cb"] {
        for web in [Traditional, Spa] {
            assert!(
                check_redirect_uri("r", loopback, web, true).is_err(),
                "{loopback}"
            );
        }
        assert!(
            check_redirect_uri("r", loopback, Native, true).is_ok(),
            "RFC 8252"
        );
    }
    assert!(check_redirect_uri("r", "https://partner.example/cb", Spa, true).is_ok());
    assert!(check_redirect_uri("r", "com.partner.app:/cb", Native, true).is_ok());
}

#[test]
fn machines_have_no_redirect_uris() {
    let uris = vec!["https://app.example.com/cb".to_owned()];
    assert!(check_redirect_uris("redirectUris", &uris, MachineToMachine, false).is_err());
}

#[test]
fn origins_have_no_path() {
    assert!(
        check_origins(
            "o",
            &[
                "https://app.example.com".into(),
                "http://localhost:3000".into()
            ]
        )
        .is_ok()
    );
    for bad in [
        "https://app.example.com/",
        "https://app.example.com/x",
        "http://app.example.com",
        "null",
    ] {
        assert!(check_origins("o", &[bad.into()]).is_err(), "{bad}");
    }
}

#[test]
fn names_are_trimmed_and_bounded() {
    assert_eq!(
        check_name("name", "  My app ").ok().as_deref(),
        Some("My app")
    );
    assert!(check_name("name", "   ").is_err());
    assert!(check_name("name", &"x".repeat(257)).is_err());
    assert!(check_name("name", "a\u{0}b").is_err());
}

#[test]
fn scope_names_are_single_tokens() {
    assert!(check_scope_name("read:orders").is_ok());
    for bad in ["", "two words", "quo\"te"] {
        assert!(check_scope_name(bad).is_err(), "{bad}");
    }
}

#[test]
fn self_registered_public_clients_may_use_any_private_scheme_and_loopback_http() {
    for ok in [
        "cursor://anysphere.cursor-mcp/oauth/callback",
        "https://www.cursor.com/agents/mcp/oauth/callback",
        "http://localhost:8787/callback",
        "http://127.0.0.1/callback",
        "com.example.app:/cb",
    ] {
        assert!(
            check_self_registered_redirect_uri("r", ok, true).is_ok(),
            "{ok}"
        );
    }
    for bad in [
        "http://agent.example/callback",
        "javascript:alert(1)",
        "https://agent.example/cb#x",
        "file:///etc/passwd",
        "not a uri",
    ] {
        let refused = check_self_registered_redirect_uri("redirect_uris[2]", bad, true);
        let message = refused.map_err(|e| e.message).err().unwrap_or_default();
        assert!(
            message.starts_with("redirect_uris[2]: '"),
            "{bad}: {message}"
        );
    }
    assert!(check_self_registered_redirect_uri("r", "cursor://x/cb", false).is_err());
    assert!(check_self_registered_redirect_uri("r", "http://127.0.0.1:9/cb", false).is_ok());
}

#[test]
fn descriptions_are_keyed_by_language_tags_and_empty_ones_dropped() {
    let map = |pairs: &[(&str, &str)]| -> std::collections::BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    };
    let checked = check_descriptions(
        "descriptions",
        &map(&[("fr", " Lire "), ("pt-BR", "Ler"), ("de", "")]),
    );
    assert_eq!(checked.ok(), Some(map(&[("fr", "Lire"), ("pt-BR", "Ler")])));
    for bad in ["FR", "f", "french", "fr_FR", "fr-", ""] {
        assert!(
            check_descriptions("descriptions", &map(&[(bad, "x")])).is_err(),
            "{bad}"
        );
    }
    let long = "x".repeat(2049);
    assert!(check_descriptions("descriptions", &map(&[("fr", &long)])).is_err());
}
