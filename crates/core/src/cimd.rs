//! OAuth Client ID Metadata Documents (draft-ietf-oauth-client-id-metadata-document), as AI
//! agents and MCP clients use them: which `client_id`s are document URLs, what a fetched
//! document must say before its client may sign anyone in, how long a copy is kept, and which
//! addresses a fetch may reach. Fetching is the server's; every rule is here.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use serde::Deserialize;
use url::Url;

use crate::client::{Application, ApplicationType};
use crate::dynamic::{Dynamic, Registration};
use crate::lifetimes::{CIMD_KEEP_MAX_SECS, CIMD_KEEP_MIN_SECS};
use crate::registration::check_redirect_uri;
use crate::{ErrorCode, OAuthError};

/// A document larger than this is refused unread.
pub const MAX_DOCUMENT_BYTES: usize = 5 * 1024;

/// How long a fetch may take, connection included.
pub const FETCH_TIMEOUT_MS: u64 = 5_000;

/// Whether `client_id` claims to be a document URL (then it is checked by [`check_url`],
/// never looked up as a registered client).
pub fn is_document_url(client_id: &str) -> bool {
    client_id.starts_with("https://") || client_id.starts_with("http://")
}

/// A document URL as the draft allows it (§3): `https`, a host, a path, and no query,
/// fragment, user information or dot segments. `http` only where the caller allows the host
/// (a test's document host on loopback).
pub fn check_url(client_id: &str, http_allowed: bool) -> Result<Url, OAuthError> {
    let refuse = |why: &str| invalid_client(format!("client_id {why}"));
    let url = Url::parse(client_id).map_err(|_| refuse("is not a URL"))?;
    match url.scheme() {
        "https" => {}
        "http" if http_allowed => {}
        _ => return Err(refuse("must be an https URL")),
    }
    if url.host().is_none() {
        return Err(refuse("has no host"));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(refuse("must not contain user information"));
    }
    if client_id.contains('?') || client_id.contains('#') {
        return Err(refuse("must not have a query or a fragment"));
    }
    // `Url` resolves dot segments away: look at what was sent, encoded dots too.
    let path = client_id.splitn(4, '/').nth(3).unwrap_or_default();
    if path.is_empty() {
        return Err(refuse("must have a path"));
    }
    let dot = |segment: &str| {
        let decoded = percent_encoding::percent_decode_str(segment).decode_utf8_lossy();
        decoded == "." || decoded == ".."
    };
    if path.split('/').any(dot) {
        return Err(refuse("must not contain dot segments"));
    }
    Ok(url)
}

/// What Latchkey keeps of a client's document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Document {
    pub client_id: String,
    pub client_name: String,
    pub redirect_uris: Vec<String>,
    /// Those of its grant types Latchkey offers a public client; others are dropped.
    pub grant_types: Vec<String>,
    pub logo_uri: Option<String>,
    pub client_uri: Option<String>,
    pub policy_uri: Option<String>,
    pub tos_uri: Option<String>,
}

#[derive(Deserialize)]
struct Raw {
    client_id: Option<String>,
    client_name: Option<String>,
    #[serde(default)]
    redirect_uris: Vec<String>,
    token_endpoint_auth_method: Option<String>,
    /// RFC 7591 "metadata choices" (ChatGPT sends this instead of the single method).
    token_endpoint_auth_methods_supported: Option<Vec<String>>,
    grant_types: Option<Vec<String>>,
    client_secret: Option<serde_json::Value>,
    logo_uri: Option<String>,
    client_uri: Option<String>,
    policy_uri: Option<String>,
    tos_uri: Option<String>,
}

/// The document fetched from `url`, if it describes a public client at that very URL.
pub fn parse(url: &str, body: &[u8]) -> Result<Document, OAuthError> {
    if body.len() > MAX_DOCUMENT_BYTES {
        return Err(invalid_client(
            "the client's metadata document is larger than 5 KiB",
        ));
    }
    let raw: Raw = serde_json::from_slice(body)
        .map_err(|_| invalid_client("the client's metadata document is not a JSON object"))?;
    if raw.client_id.as_deref() != Some(url) {
        return Err(invalid_client(
            "the client's metadata document names another client_id than its URL",
        ));
    }
    if raw.client_secret.is_some() {
        return Err(invalid_client(
            "a client metadata document must not hold a secret",
        ));
    }
    let public = match (
        &raw.token_endpoint_auth_method,
        &raw.token_endpoint_auth_methods_supported,
    ) {
        (Some(method), _) => method == "none",
        (None, Some(methods)) => methods.iter().any(|m| m == "none"),
        // RFC 7591 §2: the default method is a shared secret, which a document cannot hold.
        (None, None) => false,
    };
    if !public {
        return Err(invalid_client(
            "a client identified by its metadata document is public: token_endpoint_auth_method must be none",
        ));
    }
    let client_name = raw
        .client_name
        .map(|n| n.trim().to_owned())
        .filter(|n| !n.is_empty())
        .ok_or_else(|| invalid_client("the client's metadata document has no client_name"))?;
    if raw.redirect_uris.is_empty() {
        return Err(invalid_client(
            "the client's metadata document has no redirect_uris",
        ));
    }
    for uri in &raw.redirect_uris {
        // A document client is a third-party public client: https, loopback http, or a
        // private-use scheme, as a native app's.
        check_redirect_uri("redirect_uris", uri, ApplicationType::Native, true)
            .map_err(|invalid| invalid_client(invalid.message))?;
    }
    let grant_types = crate::dynamic::grant_types(raw.grant_types).ok_or_else(|| {
        invalid_client("the client's metadata document does not use the authorization_code grant")
    })?;
    Ok(Document {
        client_id: url.to_owned(),
        client_name,
        redirect_uris: raw.redirect_uris,
        grant_types,
        logo_uri: raw.logo_uri.filter(|u| u.starts_with("https://")),
        client_uri: raw.client_uri,
        policy_uri: raw.policy_uri,
        tos_uri: raw.tos_uri,
    })
}

impl Document {
    /// The client this document describes: a third-party public client (native, so that
    /// its loopback redirects match any port), read at `now_ms` and fresh for `keep_secs`.
    /// The policy's ceiling applies to it until an administrator gives it its own.
    pub fn application(&self, now_ms: i64, keep_secs: i64) -> Application {
        Application {
            id: self.client_id.clone(),
            name: self.client_name.chars().take(256).collect(),
            description: None,
            app_type: ApplicationType::Native,
            is_third_party: true,
            redirect_uris: self.redirect_uris.clone(),
            post_logout_redirect_uris: Vec::new(),
            cors_allowed_origins: crate::redirect::web_origins(&self.redirect_uris),
            settings: crate::dynamic::settings(&self.grant_types),
            created_at: now_ms,
            dynamic: Some(Dynamic {
                registration: Registration::Cimd,
                approval: None,
                policy_ceiling: true,
                fetched_at: Some(now_ms),
                fresh_until: Some(now_ms + keep_secs * 1000),
                authorized_at: None,
            }),
        }
    }
}

/// How long a fetched copy is kept: what the response's `Cache-Control: max-age` says,
/// within 5 minutes and 24 hours (`no-store`, `no-cache` and nothing at all mean the least).
pub fn keep_for_secs(cache_control: Option<&str>) -> i64 {
    let max_age = cache_control.and_then(|value| {
        let directives = value.split(',').map(str::trim);
        let mut max_age = None;
        for directive in directives {
            let lower = directive.to_ascii_lowercase();
            if lower == "no-store" || lower == "no-cache" {
                return Some(0);
            }
            if let Some(secs) = lower.strip_prefix("max-age=") {
                max_age = secs.trim_matches('"').parse::<i64>().ok();
            }
        }
        max_age
    });
    max_age
        .unwrap_or(0)
        .clamp(CIMD_KEEP_MIN_SECS, CIMD_KEEP_MAX_SECS)
}

/// Whether a fetch may connect to `ip`: a public unicast address only, never loopback,
/// private, link-local, shared, multicast, documentation or otherwise reserved space (an
/// IPv4 address mapped into IPv6 is judged as IPv4). Checked on the address actually
/// connected to, so a name that resolves elsewhere on a second lookup gains nothing.
pub fn address_allowed(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => v4_allowed(v4),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => v4_allowed(v4),
            None => v6_allowed(v6),
        },
    }
}

fn v4_allowed(ip: Ipv4Addr) -> bool {
    let [a, b, c, _] = ip.octets();
    let reserved = ip.is_unspecified()
        || ip.is_loopback()
        || ip.is_private()
        || ip.is_link_local()
        || ip.is_multicast()
        || ip.is_broadcast()
        || ip.is_documentation()
        || a == 0
        || (a == 100 && (64..128).contains(&b)) // shared address space (RFC 6598)
        || (a == 192 && b == 0 && c == 0) // IETF protocol assignments
        || (a == 198 && (18..20).contains(&b)) // benchmarking
        || a >= 240; // reserved, and broadcast
    !reserved
}

fn v6_allowed(ip: Ipv6Addr) -> bool {
    let first = ip.segments()[0];
    let reserved = ip.is_unspecified()
        || ip.is_loopback()
        || ip.is_multicast()
        || (first & 0xfe00) == 0xfc00 // unique local
        || (first & 0xffc0) == 0xfe80 // link-local
        || (first & 0xffc0) == 0xfec0 // site-local (deprecated)
        || first == 0x2001 && ip.segments()[1] == 0x0db8 // documentation
        || first == 0x0064 && ip.segments()[1] == 0xff9b // NAT64, reaches IPv4 space
        || first == 0x2002 // 6to4, reaches IPv4 space
        || (first & 0xe000) != 0x2000; // outside global unicast
    !reserved
}

fn invalid_client(why: impl Into<std::borrow::Cow<'static, str>>) -> OAuthError {
    OAuthError::new(ErrorCode::InvalidClient, why)
}

#[cfg(test)]
#[path = "cimd_tests.rs"]
mod tests;
