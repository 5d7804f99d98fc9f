//! How a setting's value is checked and read: the public URL, secrets, hosts, proxies,
//! certificate roots, and a database URL made safe to print.

use std::path::Path;

use url::Url;

pub(super) fn origin_of(public_url: &str) -> String {
    Url::parse(public_url)
        .map(|url| url.origin().ascii_serialization())
        .unwrap_or_default()
}

/// Addresses (`10.0.0.1`) or ranges (`10.0.0.0/8`, `fd00::/8`).
pub(super) fn proxies<'a>(
    items: impl Iterator<Item = &'a str>,
) -> Result<Vec<ipnet::IpNet>, String> {
    items
        .map(|item| {
            item.parse::<ipnet::IpNet>()
                .or_else(|_| item.parse::<std::net::IpAddr>().map(ipnet::IpNet::from))
                .map_err(|_| {
                    format!("trusted proxies (LATCHKEY_TRUSTED_PROXIES / --trusted-proxies): '{item}' is not an address or CIDR range")
                })
        })
        .collect()
}

pub(super) fn public_url(value: &str) -> Result<String, String> {
    let fail = |why: &str| {
        format!("public URL (LATCHKEY_PUBLIC_URL / --public-url): {why}, got '{value}'")
    };
    let url = Url::parse(value).map_err(|_| fail("must be an absolute http or https URL"))?;
    if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
        return Err(fail("must be an absolute http or https URL"));
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(fail("must not have a query or a fragment"));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(fail("must not contain a user name or password"));
    }
    Ok(url.as_str().trim_end_matches('/').to_owned())
}

pub(super) fn secret(value: String, name: &str) -> Result<Vec<u8>, String> {
    if value.len() < 32 {
        return Err(format!(
            "secret key ({name}): must be at least 32 characters (for example the output of `openssl rand -base64 32`)"
        ));
    }
    Ok(value.into_bytes())
}

/// Host names (or `host:port`) exempt from the CIMD fetch's address rules, lower-cased.
pub(super) fn hosts(hosts: Vec<String>) -> Result<Vec<String>, String> {
    let mut checked = Vec::with_capacity(hosts.len());
    for host in hosts.into_iter().filter(|h| !h.is_empty()) {
        let valid = Url::parse(&format!("https://{host}/"))
            .is_ok_and(|u| u.path() == "/" && u.username().is_empty() && u.query().is_none());
        if !valid || host.contains('/') {
            return Err(format!(
                "CIMD allowed hosts (LATCHKEY_CIMD_ALLOW_HOSTS / --cimd-allow-hosts): '{host}' is not a host name or host:port"
            ));
        }
        checked.push(host.to_ascii_lowercase());
    }
    Ok(checked)
}

/// The PEM roots in `path` (the setting `name`), checked to hold at least one certificate.
pub(super) fn read_roots(path: &Path, name: &str) -> Result<Vec<u8>, String> {
    let pem =
        std::fs::read(path).map_err(|e| format!("{name}: cannot read {}: {e}", path.display()))?;
    let certificates = reqwest::Certificate::from_pem_bundle(&pem)
        .map_err(|e| format!("{name}: {} is not PEM: {e}", path.display()))?;
    if certificates.is_empty() {
        return Err(format!("{name}: {} holds no certificate", path.display()));
    }
    Ok(pem)
}

/// A database URL with any password replaced, safe to print.
pub fn redact_url(value: &str) -> String {
    match Url::parse(value) {
        Ok(mut url) if url.password().is_some() => {
            let _ = url.set_password(Some("***"));
            url.to_string()
        }
        _ => value.to_owned(),
    }
}
