use super::*;

const URL: &str = "https://claude.ai/oauth/claude-code-client-metadata";

fn doc(extra: serde_json::Value) -> Vec<u8> {
    let mut base = serde_json::json!({
        "client_id": URL,
        "client_name": "Claude Code",
        "redirect_uris": ["http://localhost/callback", "http://127.0.0.1/callback"],
        "grant_types": ["authorization_code", "refresh_token"],
        "token_endpoint_auth_method": "none",
    });
    if let (Some(base), Some(extra)) = (base.as_object_mut(), extra.as_object()) {
        for (k, v) in extra {
            match v {
                serde_json::Value::Null => base.remove(k),
                v => base.insert(k.clone(), v.clone()),
            };
        }
    }
    serde_json::to_vec(&base).unwrap_or_default()
}

fn refused(result: Result<Document, OAuthError>) -> String {
    match result {
        Err(e) => {
            assert_eq!(e.code, ErrorCode::InvalidClient);
            e.description.into_owned()
        }
        Ok(d) => panic!("accepted {d:?}"),
    }
}

#[test]
fn document_urls_are_https_with_a_path_and_nothing_else() {
    assert!(check_url(URL, false).is_ok());
    for (bad, why) in [
        ("http://claude.ai/oauth/x", "https"),
        ("https://claude.ai", "path"),
        ("https://claude.ai/", "path"),
        ("https://claude.ai/x?v=1", "query"),
        ("https://claude.ai/x#f", "fragment"),
        ("https://user:pw@claude.ai/x", "user information"),
        ("https://claude.ai/a/../x", "dot segments"),
        ("https://claude.ai/./x", "dot segments"),
        ("https://claude.ai/a/%2E%2E/x", "dot segments"),
        ("not a url", "not a URL"),
    ] {
        let error = check_url(bad, false).err();
        let text = error
            .map(|e| e.description.into_owned())
            .unwrap_or_default();
        assert!(text.contains(why), "{bad}: {text}");
    }
    assert!(
        check_url("http://127.0.0.1:4000/client", true).is_ok(),
        "an allowed test host"
    );
    assert!(is_document_url(URL) && !is_document_url("my-app"));
}

#[test]
fn a_public_client_at_its_own_url_is_accepted() {
    let document = parse(
        URL,
        &doc(serde_json::json!({"logo_uri": "https://claude.ai/logo.png"})),
    );
    let document = document.unwrap_or_else(|e| panic!("{e:?}"));
    assert_eq!(document.client_name, "Claude Code");
    assert_eq!(
        document.grant_types,
        ["authorization_code", "refresh_token"]
    );
    assert_eq!(
        document.logo_uri.as_deref(),
        Some("https://claude.ai/logo.png")
    );
}

/// ChatGPT sends RFC 7591 "metadata choices" and no single method: `none` among them will do.
#[test]
fn metadata_choices_with_none_are_a_public_client() {
    let choices = serde_json::json!({
        "token_endpoint_auth_method": null,
        "token_endpoint_auth_methods_supported": ["none", "private_key_jwt"],
    });
    assert!(parse(URL, &doc(choices)).is_ok());
}

/// Claude lists the jwt-bearer grant although it is public: dropped, not refused.
#[test]
fn grants_latchkey_does_not_offer_are_dropped() {
    let grants = serde_json::json!({"grant_types": [
        "authorization_code", "refresh_token", "urn:ietf:params:oauth:grant-type:jwt-bearer"]});
    let document = parse(URL, &doc(grants)).unwrap_or_else(|e| panic!("{e:?}"));
    assert_eq!(
        document.grant_types,
        ["authorization_code", "refresh_token"]
    );
}

#[test]
fn documents_that_cannot_describe_a_public_client_here_are_refused() {
    let cases = [
        (
            serde_json::json!({"client_id": "https://evil.example/x"}),
            "another client_id",
        ),
        (
            serde_json::json!({"token_endpoint_auth_method": "client_secret_basic"}),
            "public",
        ),
        (
            serde_json::json!({"token_endpoint_auth_method": null}),
            "public",
        ),
        (serde_json::json!({"client_secret": "s"}), "secret"),
        (serde_json::json!({"client_name": null}), "client_name"),
        (serde_json::json!({"client_name": "  "}), "client_name"),
        (serde_json::json!({"redirect_uris": []}), "redirect_uris"),
        (
            serde_json::json!({"redirect_uris": ["http://evil.example/cb"]}),
            "http",
        ),
        (
            serde_json::json!({"redirect_uris": ["javascript:alert(1)"]}),
            "scheme",
        ),
        (
            serde_json::json!({"grant_types": ["client_credentials"]}),
            "authorization_code",
        ),
    ];
    for (extra, why) in cases {
        let text = refused(parse(URL, &doc(extra.clone())));
        assert!(text.contains(why), "{extra}: {text}");
    }
    let text = refused(parse(URL, b"[1, 2]"));
    assert!(text.contains("JSON object"), "{text}");
    let big = vec![b' '; MAX_DOCUMENT_BYTES + 1];
    assert!(refused(parse(URL, &big)).contains("5 KiB"));
}

#[test]
fn a_copy_is_kept_between_five_minutes_and_a_day() {
    assert_eq!(keep_for_secs(None), 300);
    assert_eq!(keep_for_secs(Some("no-store")), 300);
    assert_eq!(keep_for_secs(Some("public, max-age=60")), 300);
    assert_eq!(keep_for_secs(Some("max-age=3600")), 3600);
    assert_eq!(keep_for_secs(Some("public, MAX-AGE=604800")), 86_400);
    assert_eq!(keep_for_secs(Some("max-age=nonsense")), 300);
}

#[test]
fn a_fetch_reaches_public_unicast_addresses_only() {
    let allowed = [
        "93.184.215.14",
        "2606:4700::6810:84e5",
        "::ffff:93.184.215.14",
    ];
    for ip in allowed {
        let ip: IpAddr = ip.parse().unwrap_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED));
        assert!(address_allowed(ip), "{ip}");
    }
    let refused = [
        "127.0.0.1",
        "10.1.2.3",
        "172.16.0.1",
        "192.168.1.1",
        "169.254.169.254",
        "0.0.0.0",
        "100.64.0.1",
        "224.0.0.1",
        "255.255.255.255",
        "192.0.2.1",
        "198.18.0.1",
        "240.0.0.1",
        "::1",
        "::",
        "fc00::1",
        "fd12::1",
        "fe80::1",
        "ff02::1",
        "2001:db8::1",
        "64:ff9b::a00:1",
        "2002:a00:1::1",
        "::ffff:127.0.0.1",
        "::ffff:10.0.0.1",
    ];
    for ip in refused {
        let ip: IpAddr = ip.parse().unwrap_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED));
        assert!(!address_allowed(ip), "{ip}");
    }
}
