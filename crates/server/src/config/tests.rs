use super::*;

fn resolve(f: impl FnOnce(&mut Sources)) -> Result<Config, String> {
    let mut sources = Sources::default();
    f(&mut sources);
    sources.resolve()
}

#[test]
fn defaults_give_the_documented_issuer() {
    let config = resolve(|_| {}).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(config.issuer(), "http://127.0.0.1:3001/oidc");
    assert_eq!(config.listen.to_string(), DEFAULT_LISTEN);
    assert_eq!(config.access_token_alg, Algorithm::ES256);
}

#[test]
fn a_trailing_slash_on_the_public_url_is_dropped() {
    let config = resolve(|s| s.public_url = Some("https://id.example.com/".into()));
    assert_eq!(
        config.map(|c| c.issuer()).ok().as_deref(),
        Some("https://id.example.com/oidc")
    );
}

#[test]
fn each_invalid_setting_is_named() {
    type Case = (fn(&mut Sources), &'static str);
    let cases: [Case; 8] = [
        (
            |s| s.logo_url = Some("http://example.com/logo.png".into()),
            "LATCHKEY_LOGO_URL",
        ),
        (|s| s.sign_up = Some("maybe".into()), "LATCHKEY_SIGN_UP"),
        (|s| s.listen = Some("nowhere".into()), "LATCHKEY_LISTEN"),
        (
            |s| s.public_url = Some("ftp://x".into()),
            "LATCHKEY_PUBLIC_URL",
        ),
        (
            |s| s.public_url = Some("https://x/?a=b".into()),
            "LATCHKEY_PUBLIC_URL",
        ),
        (
            |s| s.database_url = Some("mysql://x".into()),
            "LATCHKEY_DATABASE_URL",
        ),
        (
            |s| s.access_token_alg = Some("HS256".into()),
            "LATCHKEY_ACCESS_TOKEN_ALG",
        ),
        (
            |s| s.secret_key = Some("short".into()),
            "LATCHKEY_SECRET_KEY",
        ),
    ];
    for (set, name) in cases {
        let err = resolve(set).err().unwrap_or_default();
        assert!(err.contains(name), "{err}");
        assert!(!err.contains('\n'));
    }
}

#[test]
fn the_file_sits_between_defaults_and_environment() {
    let dir = std::env::temp_dir().join(format!("latchkey-config-{}", latchkey_core::random::id()));
    std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{e}"));
    let file = dir.join("latchkey.toml");
    std::fs::write(
        &file,
        "listen = \"0.0.0.0:8080\"\npublic_url = \"https://file.example\"\n",
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let config = resolve(|s| {
        s.config_file = Some(file.clone());
        s.public_url = Some("https://env.example".into());
    })
    .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(config.listen.to_string(), "0.0.0.0:8080");
    assert_eq!(config.public_url(), "https://env.example");
    std::fs::write(&file, "lissten = \"x\"\n").unwrap_or_else(|e| panic!("{e}"));
    let err = resolve(|s| s.config_file = Some(file.clone()))
        .err()
        .unwrap_or_default();
    assert!(err.contains("unknown field"), "{err}");
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn the_secret_key_can_come_from_a_file_but_not_from_two_places() {
    let dir = std::env::temp_dir().join(format!("latchkey-secret-{}", latchkey_core::random::id()));
    std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{e}"));
    let file = dir.join("key");
    std::fs::write(&file, "0123456789abcdef0123456789abcdef\n").unwrap_or_else(|e| panic!("{e}"));
    let config =
        resolve(|s| s.secret_key_file = Some(file.clone())).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        config.secret_key.as_deref(),
        Some(&b"0123456789abcdef0123456789abcdef"[..])
    );
    let err = resolve(|s| {
        s.secret_key_file = Some(file.clone());
        s.secret_key = Some("0123456789abcdef0123456789abcdef".into());
    });
    assert!(err.is_err());
    let missing = resolve(|s| s.secret_key_file = Some(dir.join("absent")));
    assert!(
        missing
            .err()
            .unwrap_or_default()
            .contains("LATCHKEY_SECRET_KEY_FILE")
    );
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn passwords_in_database_urls_are_redacted() {
    assert_eq!(
        redact_url("postgres://u:hunter2@db/x"),
        "postgres://u:***@db/x"
    );
}

#[test]
fn cimd_hosts_are_names_or_name_and_port_and_the_ca_file_must_hold_certificates() {
    let config = resolve(|s| s.cimd_allow_hosts = Some("Docs.Example:8443, localhost".into()));
    let hosts = config.map(|c| c.cimd_allow_hosts).unwrap_or_default();
    assert_eq!(hosts, ["docs.example:8443", "localhost"]);
    let bad = resolve(|s| s.cimd_allow_hosts = Some("https://docs.example/x".into()));
    assert!(bad.is_err_and(|e| e.contains("LATCHKEY_CIMD_ALLOW_HOSTS")));
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let not_pem = dir.path().join("roots.pem");
    std::fs::write(&not_pem, "not a certificate").unwrap_or_else(|e| panic!("{e}"));
    let bad = resolve(|s| s.cimd_ca_file = Some(not_pem.clone()));
    assert!(bad.is_err_and(|e| e.contains("LATCHKEY_CIMD_CA_FILE")));
    let missing = resolve(|s| s.cimd_ca_file = Some(dir.path().join("missing.pem")));
    assert!(missing.is_err_and(|e| e.contains("cannot read")));
}
