//! What an administrator may register: names, redirect URIs, origins, identifiers and
//! lifetimes. Each check names the offending field and carries a stable code.

use std::collections::BTreeMap;

use url::{Host, Url};

use crate::client::{ApplicationType, TokenSettings};

/// An invalid value: which field, a stable machine-readable code, and a message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invalid {
    pub field: String,
    pub code: &'static str,
    pub message: String,
}

impl Invalid {
    pub fn new(field: impl Into<String>, code: &'static str, message: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            code,
            message: message.into(),
        }
    }
}

pub const MAX_URIS: usize = 32;
const MAX_URI_LEN: usize = 2048;

/// A display name: trimmed, 1 to 256 characters, no control characters.
pub fn check_name(field: &str, value: &str) -> Result<String, Invalid> {
    let value = value.trim();
    if value.is_empty() || value.chars().count() > 256 || value.chars().any(char::is_control) {
        return Err(Invalid::new(
            field,
            "request.invalid_name",
            format!("{field} must be 1 to 256 characters without control characters"),
        ));
    }
    Ok(value.to_owned())
}

pub fn check_description(field: &str, value: Option<&str>) -> Result<Option<String>, Invalid> {
    match value.map(str::trim) {
        None | Some("") => Ok(None),
        Some(v) if v.chars().count() > 2048 => Err(Invalid::new(
            field,
            "request.invalid_description",
            format!("{field} must be at most 2048 characters"),
        )),
        Some(v) => Ok(Some(v.to_owned())),
    }
}

/// Descriptions by language: each key a language tag (`fr`, `pt-BR`), each text as a
/// description; empty texts are dropped; at most 20 languages.
pub fn check_descriptions(
    field: &str,
    values: &BTreeMap<String, String>,
) -> Result<BTreeMap<String, String>, Invalid> {
    let tag = |t: &str| {
        let mut parts = t.split('-');
        let primary = parts.next().unwrap_or_default();
        (2..=3).contains(&primary.len())
            && primary.bytes().all(|b| b.is_ascii_lowercase())
            && parts
                .all(|p| (1..=8).contains(&p.len()) && p.bytes().all(|b| b.is_ascii_alphanumeric()))
    };
    if values.len() > 20 {
        return Err(Invalid::new(
            field,
            "request.invalid_description",
            format!("{field} holds at most 20 languages"),
        ));
    }
    let mut checked = BTreeMap::new();
    for (lang, text) in values {
        if !tag(lang) {
            return Err(Invalid::new(
                format!("{field}.{lang}"),
                "request.invalid_language",
                format!(
                    "{field}: '{}' is not a language tag like fr or pt-BR",
                    printable(lang)
                ),
            ));
        }
        if let Some(text) = check_description(&format!("{field}.{lang}"), Some(text))? {
            checked.insert(lang.clone(), text);
        }
    }
    Ok(checked)
}

fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(Host::Domain(d)) => d == "localhost",
        Some(Host::Ipv4(ip)) => ip.is_loopback(),
        Some(Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    }
}

/// A redirect URI as registered (RFC 6749 §3.1.2, RFC 8252 §7, RFC 9700 §4.1): absolute, no
/// fragment, no user info, no wildcard, no whitespace or control characters; `https`, `http`
/// only on a loopback host (native apps, and first-party apps in development: a third-party
/// web app is a partner's production service), or a reverse-DNS private scheme for native
/// apps.
pub fn check_redirect_uri(
    field: &str,
    value: &str,
    app_type: ApplicationType,
    third_party: bool,
) -> Result<(), Invalid> {
    let url = redirect_syntax(field, value)?;
    let fail = |why: &str| invalid_redirect(field, value, why);
    match url.scheme() {
        "https" => Ok(()),
        "http" if is_loopback(&url) && third_party && app_type != ApplicationType::Native => Err(
            fail("uses http; a third-party web application redirects only to https"),
        ),
        "http" if is_loopback(&url) => Ok(()),
        "http" => Err(fail("uses http on a host other than loopback; use https")),
        scheme if app_type == ApplicationType::Native && scheme.contains('.') => Ok(()),
        _ => Err(fail(
            "must use https, http on a loopback host, or (for native apps) a reverse-DNS scheme",
        )),
    }
}

/// A redirect URI a client registered for itself (RFC 7591): `https`, `http` on a loopback
/// host, or, for a public client (which runs on the user's device), any private-use scheme
/// (`cursor://...`: agents do not all use reverse-DNS ones).
pub fn check_self_registered_redirect_uri(
    field: &str,
    value: &str,
    public: bool,
) -> Result<(), Invalid> {
    let url = redirect_syntax(field, value)?;
    let fail = |why: &str| invalid_redirect(field, value, why);
    match url.scheme() {
        "https" => Ok(()),
        "http" if is_loopback(&url) => Ok(()),
        "http" => Err(fail("uses http on a host other than loopback; use https")),
        _ if public => Ok(()),
        _ => Err(fail(
            "must use https or http on a loopback host (a client with a secret runs on a server)",
        )),
    }
}

fn invalid_redirect(field: &str, value: &str, why: &str) -> Invalid {
    Invalid::new(
        field,
        "application.invalid_redirect_uri",
        format!("{field}: '{}' {why}", printable(value)),
    )
}

/// What every redirect URI must be whatever its scheme: absolute, at most 2048 characters,
/// no whitespace, control characters, wildcard, fragment or user information, and not a
/// scheme that runs or reads something locally.
fn redirect_syntax(field: &str, value: &str) -> Result<Url, Invalid> {
    let fail = |why: &str| invalid_redirect(field, value, why);
    if value.len() > MAX_URI_LEN {
        return Err(fail("is longer than 2048 characters"));
    }
    if value.chars().any(|c| c.is_control() || c.is_whitespace()) {
        return Err(fail("contains whitespace or control characters"));
    }
    if value.contains('*') {
        return Err(fail("contains a wildcard"));
    }
    let url = Url::parse(value).map_err(|_| fail("is not an absolute URI"))?;
    if value.contains('#') {
        return Err(fail("has a fragment"));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(fail("contains user information"));
    }
    match url.scheme() {
        "javascript" | "data" | "vbscript" | "file" | "about" | "blob" => {
            Err(fail("uses a forbidden scheme"))
        }
        "https" | "http" if url.host().is_none() => Err(fail("has no host")),
        _ => Ok(url),
    }
}

pub fn check_redirect_uris(
    field: &str,
    values: &[String],
    app_type: ApplicationType,
    third_party: bool,
) -> Result<Vec<String>, Invalid> {
    if app_type == ApplicationType::MachineToMachine && !values.is_empty() {
        return Err(Invalid::new(
            field,
            "application.redirect_uris_not_allowed",
            "machine-to-machine applications have no redirect URIs",
        ));
    }
    check_count(field, values)?;
    for (i, value) in values.iter().enumerate() {
        check_redirect_uri(&format!("{field}[{i}]"), value, app_type, third_party)?;
    }
    Ok(dedup(values))
}

/// A CORS origin: `scheme://host[:port]` with nothing after, https or loopback http.
pub fn check_origins(field: &str, values: &[String]) -> Result<Vec<String>, Invalid> {
    check_count(field, values)?;
    for (i, value) in values.iter().enumerate() {
        let fail = || {
            Invalid::new(
                format!("{field}[{i}]"),
                "application.invalid_cors_origin",
                format!(
                    "'{}' is not an origin like https://app.example.com",
                    printable(value)
                ),
            )
        };
        let url = Url::parse(value).map_err(|_| fail())?;
        let secure = url.scheme() == "https" || (url.scheme() == "http" && is_loopback(&url));
        if !secure || url.host().is_none() || url.origin().ascii_serialization() != value.as_str() {
            return Err(fail());
        }
    }
    Ok(dedup(values))
}

/// The longest an ID token or a JWT access token may live, in seconds: a day.
pub const MAX_TOKEN_TTL_SECS: i64 = 86_400;

pub fn check_token_settings(settings: &TokenSettings) -> Result<(), Invalid> {
    if !(60..=MAX_TOKEN_TTL_SECS).contains(&settings.id_token_ttl) {
        return Err(Invalid::new(
            "customClientMetadata.idTokenTtl",
            "application.invalid_ttl",
            "idTokenTtl must be between 60 and 86400 seconds",
        ));
    }
    if !(1..=90).contains(&settings.refresh_token_ttl_days) {
        return Err(Invalid::new(
            "customClientMetadata.refreshTokenTtlInDays",
            "application.invalid_ttl",
            "refreshTokenTtlInDays must be between 1 and 90",
        ));
    }
    Ok(())
}

/// An API resource indicator: an absolute URI without a fragment (RFC 8707 §2).
pub fn check_indicator(value: &str) -> Result<(), Invalid> {
    if value.len() > MAX_URI_LEN || crate::resource::check_indicator(value).is_err() {
        return Err(Invalid::new(
            "indicator",
            "resource.invalid_indicator",
            "indicator must be an absolute URI without a fragment, at most 2048 characters",
        ));
    }
    Ok(())
}

/// Access-token lifetime of an API, in seconds: one minute to one day.
pub fn check_access_token_ttl(value: i64) -> Result<(), Invalid> {
    if !(60..=MAX_TOKEN_TTL_SECS).contains(&value) {
        return Err(Invalid::new(
            "accessTokenTtl",
            "resource.invalid_ttl",
            "accessTokenTtl must be between 60 and 86400 seconds",
        ));
    }
    Ok(())
}

/// A scope name: one RFC 6749 scope token of at most 256 characters.
pub fn check_scope_name(value: &str) -> Result<(), Invalid> {
    let ok = !value.is_empty()
        && value.len() <= 256
        && crate::scope::Scopes::parse(value).is_ok_and(|s| s.iter().count() == 1);
    if !ok {
        return Err(Invalid::new(
            "name",
            "scope.invalid_name",
            "a scope name is one word of printable ASCII without quotes or backslashes",
        ));
    }
    Ok(())
}

fn check_count(field: &str, values: &[String]) -> Result<(), Invalid> {
    if values.len() > MAX_URIS {
        return Err(Invalid::new(
            field,
            "request.too_many_values",
            format!("{field} holds at most {MAX_URIS} values"),
        ));
    }
    Ok(())
}

fn dedup(values: &[String]) -> Vec<String> {
    let mut out: Vec<String> = Vec::with_capacity(values.len());
    for v in values {
        if !out.contains(v) {
            out.push(v.clone());
        }
    }
    out
}

fn printable(value: &str) -> String {
    value
        .chars()
        .filter(|c| !c.is_control())
        .take(200)
        .collect()
}

#[cfg(test)]
#[path = "registration_tests.rs"]
mod tests;
